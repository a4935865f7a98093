"""``skcnn compare``: a CNN and scikit-learn baselines on the same split."""

import argparse
import time
from pathlib import Path

import numpy as np

from .._version import __version__
from . import _args, _data, _models, _report

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
        help="train a CNN and baselines on the same split and compare them",
        description="Train CNNClassifier and baselines on the same split, print "
        "a comparison table and write pictures, results.json and report.md.",
    )
    compare.add_argument(
        "--epochs",
        type=_args.epochs,
        default="auto",
        help="CNN training epochs, or 'auto' for CNNClassifier's own rule "
        "(default: %(default)s)",
    )
    compare.add_argument(
        "--baselines",
        type=_baseline_list,
        default=["logreg"],
        help=f"comma-separated, from {', '.join(_models.BASELINES)} (default: logreg)",
    )
    compare.add_argument(
        "--save",
        type=Path,
        metavar="PATH",
        help="write the fitted CNN pipeline to PATH (one joblib file); for a "
        "folder dataset it takes image file paths, for `skcnn predict`",
    )
    return compare


def check(parser, args):
    """Usage errors that argparse cannot see alone."""
    _args.check_common_options(parser, args)
    if args.save is not None and args.save.is_dir():
        parser.error(
            f"argument --save: expected a file path, got the folder {args.save}"
        )


def _fit_and_score(models, X_train, X_test, y_train, y_test, say, labels=None):
    """Fit and score each model; with ``labels``, fit on ``labels[y]``.

    Predictions are returned as codes (indices into ``labels``) either way.
    """
    codes = None if labels is None else {label: i for i, label in enumerate(labels)}
    rows, predictions = [], {}
    for name, model in models.items():
        say(f"training {name} on {len(X_train)} images ...")
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


def _pictures(bunch, cnn, test_images, y_train, y_test, cnn_pred, rows, out):
    from sklearn.metrics import ConfusionMatrixDisplay

    from ..plotting import (
        ClassDistributionDisplay,
        ConvFiltersDisplay,
        ImageGridDisplay,
        TrainingHistoryDisplay,
    )

    save = _report.save_picture
    names = list(bunch.target_names)
    pictures = {}
    pictures["samples"] = save(
        ImageGridDisplay.from_images(
            test_images, y_test, n_images=10, n_cols=5, class_names=names
        ),
        out / "samples.png",
    )
    pictures["class_distribution"] = save(
        ClassDistributionDisplay.from_labels(y_train, y_test=y_test, class_names=names),
        out / "class_distribution.png",
    )
    pictures["training_curves"] = save(
        TrainingHistoryDisplay.from_estimator(cnn), out / "training_curves.png"
    )
    confusion = ConfusionMatrixDisplay.from_predictions(
        y_test, cnn_pred, display_labels=names, colorbar=False
    )
    confusion.ax_.set_title("CNNClassifier confusion matrix")
    pictures["confusion_matrix"] = save(confusion, out / "confusion_matrix.png")
    pictures["misclassified"] = save(
        ImageGridDisplay.from_predictions(
            test_images,
            y_test,
            cnn_pred,
            only_errors=True,
            n_images=15,
            class_names=names,
        ),
        out / "misclassified.png",
    )
    pictures["filters"] = save(
        ConvFiltersDisplay.from_estimator(cnn), out / "filters.png"
    )
    pictures["comparison"] = _report.plot_comparison(rows, out / "comparison.png")
    return pictures


def run(args):
    """Run ``skcnn compare``; return the results dict."""
    from ..datasets import split_train_test

    say = _report.Printer(args.quiet)
    bunch, (X_train, X_test, y_train, y_test) = _data.prepare(args, say)
    out = args.out
    test_images = split_train_test(bunch, images=True)[1]

    models = {
        "CNNClassifier": _models.cnn_pipeline(
            bunch,
            say,
            epochs=args.epochs,
            validation_split=0.1,
            random_state=args.random_state,
        )
    }
    for name in args.baselines:
        models[_models.BASELINES[name]] = _models.baseline(
            name, bunch, args.random_state
        )
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
    )
    table = _report.format_table(rows, COLUMNS)
    results = {
        "command": "compare",
        "dataset": bunch.source,
        "n_train": int(len(X_train)),
        "n_test": int(len(X_test)),
        "image_shape": list(bunch.images.shape[1:]),
        "epochs": len(cnn[-1].history_["loss"]),
        "cnn_history": cnn[-1].history_,
        "models": rows,
        "pictures": pictures,
        "skcnn_version": __version__,
    }
    if args.save is not None:
        _save_model(_model_to_save(cnn, bunch), args.save)
        results["saved_model"] = str(args.save)
    _report.write_results(out, results)
    (out / "report.md").write_text(_report.compare_report(results, table))
    print()
    print(table)
    print(f"\nresults, pictures and report.md written to {out}/")
    if args.save is not None:
        usage = f"skcnn predict {args.save} FILES" if folder else "joblib.load"
        print(f"fitted CNN pipeline saved to {args.save} (use it with {usage})")
    return results


def _model_to_save(cnn, bunch):
    """The fitted CNN pipeline in the form ``--save`` writes.

    For a folder dataset: ImageLoader → PixelScaler → CNNClassifier, which
    takes image file paths (the loader set to the size and colour mode the
    network was trained on). Otherwise the fitted array pipeline itself.
    """
    from sklearn.pipeline import make_pipeline

    from .. import ImageLoader

    cnn.set_params(cnnclassifier__fit__callbacks=None)  # the progress printer
    if "filenames" not in bunch:
        return cnn
    loader = ImageLoader(
        image_size=bunch.images.shape[1:3], color_mode=bunch.color_mode
    ).fit(bunch.filenames[: bunch.n_train])
    return make_pipeline(loader, *(step for _, step in cnn.steps[1:]))


def _save_model(model, path):
    """Write ``model`` to ``path`` with joblib (one file)."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
