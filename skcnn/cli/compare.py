"""``skcnn compare``: a CNN and scikit-learn baselines on the same split."""

import argparse
import time
from pathlib import Path

import numpy as np

from .._atomic import write_text
from .._version import __version__
from . import _args, _data, _models, _report, _saliency
from ._errors import CommandError

#: Defaults of --fine-tune and --fine-tune-epochs: the top 30 % of the
#: backbone adapts to the new images (the lower layers' generic edges and
#: textures are kept), for CNNClassifier's default number of epochs.
FINE_TUNE = 0.3
FINE_TUNE_EPOCHS = 10

COLUMNS = [
    ("model", "model", ""),
    ("accuracy", "accuracy", ".4f"),
    ("fit_seconds", "fit s", ".1f"),
    ("predict_ms_per_image", "predict ms/image", ".3f"),
]


def _baseline_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in _models.BASELINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown baseline {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(_models.BASELINES)} (comma-separated)"
        )
    return names


def add_parser(commands):
    """Register ``compare`` on the subparsers action ``commands``."""
    compare = _args.add_training_command(
        commands,
        "compare",
        run,
        check,
        "skcnn-results",
        backbone=True,
        help="train a CNN and baselines on the same split and compare them",
        description="Train CNNClassifier and baselines on the same split, print "
        "a comparison table and write pictures, results.json and report.md. "
        "With --backbone, also a pretrained network: fine-tuned, and as "
        "features for LogisticRegression.",
    )
    compare.add_argument(
        "--epochs",
        type=_args.epochs,
        default="auto",
        help="CNN training epochs (with --backbone, also those of the "
        "fine-tuned row's head), or 'auto' for CNNClassifier's own rule "
        "(default: %(default)s)",
    )
    compare.add_argument(
        "--baselines",
        type=_baseline_list,
        default=["logreg"],
        help=f"comma-separated, from {', '.join(_models.BASELINES)} (default: logreg)",
    )
    _args.add_memory_budget_option(
        compare,
        "folder datasets: the memory the loaded images may take. Decoded, an "
        "image takes height x width x channels bytes, and training copies it "
        f"to floats: {_data.BYTES_PER_VALUE} bytes per pixel value in all (1 "
        "for the image, 4 for the CNN's float32 copy, 8 for the baselines' "
        "float64 copy). Beyond the budget the images are streamed from disk, "
        "a few batches in memory at a time, and the baselines are fitted on "
        f"a stratified sample of at most {_models.BASELINE_MAX_IMAGES:,} "
        f"training images with sides scaled down to at most "
        f"{_models.BASELINE_MAX_SIDE} pixels; --save then writes a pipeline "
        "that streams too.",
    )
    compare.add_argument(
        "--save",
        type=Path,
        metavar="PATH",
        help="write the fitted CNN pipeline to PATH: PATH.skcnn in skcnn's own "
        "format, which loads without running code from the file (skcnn.io), "
        "or PATH.joblib (.pkl, .pickle) as a pickle, which runs code when "
        "loaded (skcnn predict then needs --allow-pickle). With "
        "--backbone, the most accurate of the three CNN rows (from scratch, "
        "fine-tuned, embedder + LogisticRegression; a tie goes to the row "
        "listed first), and it says which; for a folder dataset it takes "
        "image file paths, for `skcnn predict`",
    )
    _args.add_checkpoint_option(compare)
    pretrained = compare.add_argument_group(
        "pretrained backbone",
        "With --backbone, two more rows: CNNClassifier built on the pretrained "
        "network and fine-tuned (--epochs of the head, then --fine-tune-epochs "
        "with the top --fine-tune of the network unfrozen), and the network's "
        "pooled features (ImageEmbedder) fed to LogisticRegression.",
    )
    pretrained.add_argument(
        "--backbone",
        type=_args.backbone,
        metavar="NAME_OR_PATH",
        help=f"a Keras application, one of {', '.join(_args.BACKBONES)}, or "
        "the path of a saved .keras model (cut after its last feature map)",
    )
    pretrained.add_argument(
        "--backbone-weights",
        type=_args.backbone_weights,
        metavar="WEIGHTS",
        help="weights of a named backbone: imagenet (downloaded once into "
        "Keras's cache, ~/.keras/models; offline, the file must be there), "
        "none (random: for trying the command out) or the path of its "
        "no-top weights file (default: imagenet)",
    )
    pretrained.add_argument(
        "--backbone-image-size",
        type=_args.positive_int,
        metavar="SIZE",
        help="side the images are resized to inside the network, at least "
        f"{_args.MIN_BACKBONE_SIZE} for a named backbone; smaller is faster "
        "and, with ImageNet weights, less accurate (default: 224 for a named "
        "backbone, a saved model's own input size)",
    )
    pretrained.add_argument(
        "--fine-tune",
        type=_args.unit_fraction,
        metavar="FRACTION",
        help="fraction of the backbone's layers, from the top, unfrozen for "
        "fine-tuning; 0 keeps it frozen (default: "
        f"{FINE_TUNE})",
    )
    pretrained.add_argument(
        "--fine-tune-epochs",
        type=_args.positive_int,
        metavar="N",
        help=f"epochs of fine-tuning, after the head's (default: {FINE_TUNE_EPOCHS})",
    )
    return compare


#: The backbone options that mean nothing without --backbone, and their defaults.
BACKBONE_DEFAULTS = {
    "backbone_weights": "imagenet",
    "backbone_image_size": None,
    "fine_tune": FINE_TUNE,
    "fine_tune_epochs": FINE_TUNE_EPOCHS,
}


def check(parser, args):
    """Usage errors that argparse cannot see alone."""
    _args.check_common_options(parser, args)
    _args.check_checkpoint_option(parser, args)
    if isinstance(args.dataset, Path) and args.memory_budget is None:
        args.memory_budget = _args.MEMORY_BUDGET
    if args.save is not None and args.save.is_dir():
        parser.error(
            f"argument --save: expected a file path, got the folder {args.save}"
        )
    if args.save is not None and _args.model_format(args.save) is None:
        suffixes = (*_args.SAFE_MODEL_SUFFIXES, *_args.PICKLE_SUFFIXES)
        parser.error(
            f"argument --save: expected a file name ending in "
            f"{', '.join(suffixes)} (.skcnn: skcnn's safe format; the others: "
            f"a pickle), got {args.save}"
        )
    _check_backbone_options(parser, args)


def _check_backbone_options(parser, args):
    """Backbone options without --backbone, or that do not fit it; fill defaults."""
    given = {
        name: getattr(args, name, None)
        for name in BACKBONE_DEFAULTS
        if getattr(args, name, None) is not None
    }
    if args.backbone is None:
        if given:
            option = "--" + next(iter(given)).replace("_", "-")
            parser.error(f"{option} applies with --backbone only")
        return
    named = args.backbone in _args.BACKBONES
    if not named and "backbone_weights" in given:
        parser.error(
            "--backbone-weights applies to a named backbone, not to the saved "
            f"model {args.backbone}, which has its own weights"
        )
    size = given.get("backbone_image_size")
    if named and size is not None and size < _args.MIN_BACKBONE_SIZE:
        parser.error(
            f"argument --backbone-image-size: expected at least "
            f"{_args.MIN_BACKBONE_SIZE} for {args.backbone} (the smallest "
            f"input Keras builds it for), got {size}"
        )
    for name, default in BACKBONE_DEFAULTS.items():
        setattr(args, name, given.get(name, default))


def _fit_and_score(models, X_train, X_test, y_train, y_test, say, labels=None):
    """Fit and score each model; with ``labels``, fit on ``labels[y]``.

    Predictions are returned as codes (indices into ``labels``) either way.
    """
    codes = None if labels is None else {label: i for i, label in enumerate(labels)}
    rows, predictions = [], {}
    for name, model in models.items():
        # A baseline on a streamed folder trains on a sample of the images.
        n_images = getattr(model, "n_images", len(X_train))
        say(f"training {name} on {n_images} images ...")
        start = time.perf_counter()
        model.fit(X_train, y_train if labels is None else labels[y_train])
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = model.predict(X_test)
        predict_seconds = time.perf_counter() - start
        if codes is not None:
            y_pred = np.array([codes[label] for label in y_pred])
        predictions[name] = y_pred
        row = {
            "model": name,
            "accuracy": float(np.mean(y_pred == y_test)),
            "fit_seconds": fit_seconds,
            "predict_ms_per_image": 1000 * predict_seconds / len(X_test),
        }
        rows.append(row)
        say(f"  {name}: accuracy {row['accuracy']:.4f} in {fit_seconds:.1f} s")
    return rows, predictions


def _read(images, rows):
    """``images[rows]`` decoded: from an array, or read from an ImageStream."""
    from ..preprocessing import ImageStream

    if isinstance(images, ImageStream):
        if len(rows) == 0:  # a stream of no files cannot be made
            return np.zeros((0, *images.shape[1:]), dtype=images.dtype)
        return images.read(rows)
    return images[rows]


def _pictures(bunch, cnn, test_images, y_train, y_test, cnn_pred, rows, out, cnn_rows):
    from ..plotting import (
        ClassDistributionDisplay,
        ConvFiltersDisplay,
        ImageGridDisplay,
        TrainingHistoryDisplay,
    )

    save = _report.save_picture
    names = list(bunch.target_names)
    pictures = {}
    # Only the images drawn are read: test_images may be a stream.
    first = np.arange(min(10, len(y_test)))
    samples = ImageGridDisplay.from_images(
        _read(test_images, first),
        y_test[first],
        n_images=10,
        n_cols=5,
        class_names=names,
    )
    _report.wrap_titles(samples)
    pictures["samples"] = save(samples, out / "samples.png")
    distribution = ClassDistributionDisplay.from_labels(
        y_train, y_test=y_test, class_names=names
    )
    _report.readable_ticks(distribution.ax_, "x")
    pictures["class_distribution"] = save(distribution, out / "class_distribution.png")
    pictures["training_curves"] = save(
        TrainingHistoryDisplay.from_estimator(cnn), out / "training_curves.png"
    )
    confusion = _report.confusion_matrix(
        y_test, cnn_pred, names, "CNNClassifier confusion matrix"
    )
    pictures["confusion_matrix"] = save(confusion, out / "confusion_matrix.png")
    wrong = np.flatnonzero(y_test != cnn_pred)[:15]
    misclassified = ImageGridDisplay.from_predictions(
        _read(test_images, wrong),
        y_test[wrong],
        cnn_pred[wrong],
        only_errors=True,
        n_images=15,
        class_names=names,
    )
    _report.wrap_titles(misclassified)
    pictures["misclassified"] = save(misclassified, out / "misclassified.png")
    pictures["filters"] = save(
        ConvFiltersDisplay.from_estimator(cnn), out / "filters.png"
    )
    pictures["comparison"] = _report.plot_comparison(
        rows, out / "comparison.png", highlight=cnn_rows
    )
    return pictures


def _fetch_weights(args, say):
    """Find or download a named backbone's ImageNet weights, before any training.

    Offline, the command then stops within seconds with the download error,
    not after the CNN and the baselines have trained. The estimators find
    the file in Keras's cache later.
    """
    if args.backbone not in _args.BACKBONES or args.backbone_weights != "imagenet":
        return
    from .._engine.backbones import image_size_of
    from .._engine.weights import WeightsDownloadError, imagenet_weights_file

    size = image_size_of(args.backbone, args.backbone_image_size, "skcnn compare")
    try:
        path = imagenet_weights_file(args.backbone, size[0])
    except WeightsDownloadError as exc:
        raise CommandError(
            f"{exc} With skcnn compare: --backbone-weights PATH of that file, "
            "or --backbone-weights none for random weights."
        ) from None
    say(f"ImageNet weights of {args.backbone}: {path}")


def _models_to_train(args, bunch, say):
    """The models in table order, and the names of the CNN rows among them."""
    cnn_params = dict(
        epochs=args.epochs,
        validation_split=0.1,
        random_state=args.random_state,
        checkpoint=getattr(args, "checkpoint", None),
    )
    models = {"CNNClassifier": _models.cnn_pipeline(bunch, say, **cnn_params)}
    if args.backbone is not None:
        backbone = dict(
            backbone=args.backbone,
            weights=args.backbone_weights,
            image_size=args.backbone_image_size,
        )
        name = _models.fine_tuned_name(args.backbone, args.fine_tune)
        models[name] = _models.fine_tuned_pipeline(
            bunch,
            say,
            **backbone,
            fine_tune=args.fine_tune,
            fine_tune_epochs=args.fine_tune_epochs,
            **cnn_params,
        )
        models[_models.embedder_name(args.backbone)] = _models.embedder_pipeline(
            bunch, **backbone, random_state=args.random_state
        )
    # Every row so far runs a convolutional network; --save picks among them.
    cnn_rows = list(models)
    for name in args.baselines:
        model = _models.baseline(name, bunch, args.random_state)
        models[_models.baseline_name(name, model)] = model
    sampled = [m for m in models.values() if isinstance(m, _models.SampledBaseline)]
    if sampled and sampled[0].reduced:
        (h, w), n = sampled[0].image_size, sampled[0].n_images
        say(
            f"baselines: fitted on a stratified sample of {n:,} of the "
            f"{bunch.n_train:,} training images decoded at {h}x{w} (the images "
            "are streamed; scikit-learn's models need theirs in memory)"
        )
    return models, cnn_rows


def _backbone_results(args, model):
    """What results.json records of the backbone and the fine-tuned fit."""
    from .._engine.backbones import image_size_of

    history = model[-1].history_
    phases = list(history["phase"])
    named = args.backbone in _args.BACKBONES
    # A named backbone's default size is its native one; a saved model's
    # (None here) is its own input size.
    size = image_size_of(args.backbone, args.backbone_image_size, "skcnn compare")
    return {
        "backbone": args.backbone,
        "weights": args.backbone_weights if named else None,
        "image_size": None if size is None else int(size[0]),
        "fine_tune": args.fine_tune,
        "head_epochs": phases.count(1),
        "fine_tune_epochs": phases.count(2),
        "history": history,
    }


def run(args):
    """Run ``skcnn compare``; return the results dict."""
    from ..datasets import split_train_test

    say = _report.Printer(args.quiet)
    save = None if args.save is None else args.save.parent
    _report.check_folders({"--out": (args.out, args.out), "--save": (args.save, save)})
    _fetch_weights(args, say)
    bunch, (X_train, X_test, y_train, y_test) = _data.prepare(args, say)
    out = args.out
    test_images = split_train_test(bunch, images=True)[1]

    models, cnn_rows = _models_to_train(args, bunch, say)
    # Models trained on a folder predict its class names; on a named dataset,
    # the integer labels as before.
    folder = "filenames" in bunch
    labels = np.asarray(bunch.target_names) if folder else None
    rows, predictions = _fit_and_score(
        models, X_train, X_test, y_train, y_test, say, labels
    )

    cnn = models["CNNClassifier"]
    pictures = _pictures(
        bunch,
        cnn,
        test_images,
        y_train,
        y_test,
        predictions["CNNClassifier"],
        rows,
        out,
        cnn_rows,
    )
    pictures["saliency"], saliency = _saliency.compare_picture(
        cnn,
        X_test,
        y_test,
        predictions["CNNClassifier"],
        labels,
        list(bunch.target_names),
        out,
    )
    table = _report.format_table(rows, COLUMNS)
    results = {
        "command": "compare",
        "dataset": bunch.source,
        "n_train": int(len(X_train)),
        "n_test": int(len(X_test)),
        "image_shape": [int(v) for v in bunch.images.shape[1:]],
        "streamed": bool(bunch.get("streamed", False)),
        "epochs": len(cnn[-1].history_["loss"]),
        "cnn_history": cnn[-1].history_,
        "models": rows,
        "pictures": pictures,
        "saliency": saliency,
        "skcnn_version": __version__,
    }
    if "loading" in bunch:
        results["loading"] = bunch.loading
        results["baseline_sample"] = _baseline_sample(models, bunch)
    if args.backbone is not None:
        tuned = models[cnn_rows[1]]
        results["backbone"] = _backbone_results(args, tuned)
        pictures["backbone_training_curves"] = _report.save_picture(
            _training_curves(tuned, cnn_rows[1]), out / "backbone_training_curves.png"
        )
    if args.save is not None:
        best = _best_row(rows, cnn_rows)
        _save_model(_model_to_save(models[best], bunch), args.save)
        results["saved_model"] = str(args.save)
        results["saved_row"] = best
    _report.write_results(out, results)
    write_text(out / "report.md", _report.compare_report(results, table))
    print()
    print(table)
    print(f"\nresults, pictures and report.md written to {out}/")
    if args.save is not None:
        usage = _save_usage(args.save, folder)
        print(
            f"fitted {results['saved_row']} pipeline saved to {args.save} (use it "
            f"with {usage})"
        )
    return results


def _baseline_sample(models, bunch):
    """What results.json records of the baselines' sample (None: all images)."""
    for model in models.values():
        if isinstance(model, _models.SampledBaseline) and model.reduced:
            return {
                "n_images": int(model.n_images),
                "of": int(bunch.n_train),
                "image_size": list(model.image_size),
                "stratified": True,
            }
    return None


def _best_row(rows, names):
    """The most accurate row among ``names``; a tie goes to the first listed."""
    candidates = [row for row in rows if row["model"] in names]
    return max(candidates, key=lambda row: row["accuracy"])["model"]


def _training_curves(model, name):
    from ..plotting import TrainingHistoryDisplay

    display = TrainingHistoryDisplay.from_estimator(model)
    display.figure_.suptitle(name)
    return display


def _model_to_save(model, bunch):
    """A fitted CNN pipeline in the form ``--save`` writes.

    For a folder dataset: ImageLoader, then the pipeline's steps after its
    ImageReshaper (PixelScaler → CNNClassifier, or PixelScaler →
    ImageEmbedder → LogisticRegression), which takes image file paths (the
    loader set to the size and colour mode the network was trained on).
    A streamed folder's pipeline takes them already, through an ImageLoader
    that streams, and is saved as it is. Otherwise the fitted array
    pipeline itself.
    """
    from sklearn.pipeline import make_pipeline

    from .. import CNNClassifier, ImageLoader

    for _, step in model.steps:
        if isinstance(step, CNNClassifier):
            step.set_params(fit__callbacks=None)  # the progress printer
    if "filenames" not in bunch or bunch.get("streamed"):
        # A streamed fit's pipeline starts with its streaming ImageLoader.
        return model
    loader = ImageLoader(
        image_size=bunch.images.shape[1:3], color_mode=bunch.color_mode
    ).fit(bunch.filenames[: bunch.n_train])
    return make_pipeline(loader, *(step for _, step in model.steps[1:]))


def _save_model(model, path):
    """Write ``model`` to ``path``: a .skcnn file, or a pickle by its suffix.

    A pickle is written for a .joblib, .pkl or .pickle suffix (``check``
    refused any other), for what a user wants to load with joblib; the
    command's own pipelines all fit in the safe format.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if _args.model_format(path) == "pickle":
        import joblib

        from .._atomic import atomic_write

        with atomic_write(path, "wb") as out:
            joblib.dump(model, out)
        return
    from ..io import dump

    dump(model, path)


def _save_usage(path, folder):
    """How the message after ``--save`` says to use the file."""
    pickle = _args.model_format(path) == "pickle"
    if folder:
        option = "--allow-pickle " if pickle else ""
        return f"skcnn predict {option}{path} FILES"
    return "joblib.load, only if you trust it" if pickle else "skcnn.io.load"
