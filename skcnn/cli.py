"""The ``skcnn`` command: compare a CNN with baselines, or grid-search it.

``skcnn compare`` loads a dataset, trains :class:`~skcnn.CNNClassifier` and
plain scikit-learn baselines on the same split through the same kind of
pipeline, prints a comparison table and writes pictures, ``results.json`` and
``report.md`` to ``--out``. ``skcnn search`` runs a grid search over filters ×
dropout and saves its heatmap. Both run offline on the embedded MNIST sample.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ._version import __version__

DATASETS = ("auto", "mnist", "mnist-sample", "digits", "cifar10")
BASELINES = {
    "logreg": "LogisticRegression",
    "rf": "RandomForestClassifier",
    "svc": "SVC",
    "mlp": "MLPClassifier",
    "knn": "KNeighborsClassifier",
}


# ----------------------------------------------------------------------
# argument parsing
# ----------------------------------------------------------------------
def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _epochs(text):
    if text == "auto":
        return text
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'auto', got {text!r}"
        ) from None


def _baseline_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BASELINES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown baseline {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(BASELINES)} (comma-separated)"
        )
    return names


def _filters(text):
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected filters like 16,32 (positive ints per block), got {text!r}"
        )
    return values


def _dropout(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a dropout in [0, 1), got {text!r}")
    return value


def build_parser():
    """The ``skcnn`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="skcnn",
        description="Convolutional networks for scikit-learn: compare a CNN "
        "with baselines, or grid-search it.",
    )
    parser.add_argument("--version", action="version", version=f"skcnn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub, default_out):
        sub.add_argument(
            "--dataset",
            choices=DATASETS,
            default="auto",
            help="auto: full MNIST when cached or downloadable, else the "
            "embedded 5,000-image MNIST sample (default: %(default)s)",
        )
        sub.add_argument(
            "--out",
            type=Path,
            default=Path(default_out),
            help="folder for pictures and results (default: %(default)s)",
        )
        sub.add_argument(
            "--random-state",
            type=int,
            default=0,
            help="seed for the CNN (default: %(default)s)",
        )
        sub.add_argument(
            "--quiet", action="store_true", help="print only the final table"
        )

    compare = commands.add_parser(
        "compare",
        help="train a CNN and baselines on the same split and compare them",
        description="Train CNNClassifier and baselines on the same split, print "
        "a comparison table and write pictures, results.json and report.md.",
    )
    common(compare, "skcnn-results")
    compare.add_argument(
        "--epochs",
        type=_epochs,
        default="auto",
        help="CNN training epochs, or 'auto' for CNNClassifier's own rule "
        "(default: %(default)s)",
    )
    compare.add_argument(
        "--baselines",
        type=_baseline_list,
        default=["logreg"],
        help=f"comma-separated, from {', '.join(BASELINES)} (default: logreg)",
    )

    search = commands.add_parser(
        "search",
        help="grid-search the CNN over filters x dropout",
        description="GridSearchCV over filters x dropout on the training split; "
        "prints the CV table and best parameters and saves the heatmap.",
    )
    common(search, "skcnn-search")
    search.add_argument(
        "--filters",
        type=_filters,
        nargs="+",
        default=[(16, 32), (32, 64)],
        help="filter tuples, e.g. --filters 16,32 32,64",
    )
    search.add_argument(
        "--dropout",
        type=_dropout,
        nargs="+",
        default=[0.0, 0.25],
        help="dropout rates, e.g. --dropout 0 0.25",
    )
    search.add_argument(
        "--cv",
        type=_positive_int,
        default=3,
        help="cross-validation folds (default: %(default)s)",
    )
    search.add_argument(
        "--n-jobs", type=int, default=1, help="parallel fits (default: %(default)s)"
    )
    search.add_argument(
        "--epochs",
        type=_positive_int,
        default=3,
        help="training epochs per fit (default: %(default)s)",
    )
    return parser


# ----------------------------------------------------------------------
# shared steps
# ----------------------------------------------------------------------
class _Printer:
    def __init__(self, quiet):
        self.quiet = quiet

    def __call__(self, message=""):
        if not self.quiet:
            print(message, flush=True)


def load_dataset(name, say=print):
    """Load a dataset by its command-line name; report a fallback with ``say``."""
    import warnings

    from . import datasets

    if name == "digits":
        return datasets.load_digits_images()
    if name == "cifar10":
        return datasets.fetch_cifar10()
    source = {"auto": "auto", "mnist": "full", "mnist-sample": "sample"}[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        bunch = datasets.fetch_mnist(source=source)
    if bunch.source == "sample" and name == "auto" and caught:
        say(
            "note: full MNIST is not cached and could not be downloaded; using "
            "the embedded 5,000-image sample (--dataset mnist to insist)"
        )
    return bunch


def _cnn_pipeline(bunch, say, **params):
    """ImageReshaper → PixelScaler → CNNClassifier for this dataset."""
    from sklearn.pipeline import make_pipeline

    from . import CNNClassifier, ImageReshaper, PixelScaler

    image_shape = bunch.images.shape[1:]
    if bunch.source == "cifar10":
        # Colour photos: the augmentation the CIFAR-10 tutorials recommend.
        params = {"rotation": 10 / 360, "shift": 0.1, "horizontal_flip": True, **params}
    if not say.quiet:
        params["fit__callbacks"] = [_epoch_logger(say)]
    return make_pipeline(
        ImageReshaper(image_shape=image_shape),
        PixelScaler(max_value=bunch.pixel_max),
        CNNClassifier(**params),
    )


def _epoch_logger(say):
    from ._keras import keras

    class EpochLogger(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            parts = [
                f"{key} {value:.4f}"
                for key, value in sorted(logs.items())
                if key != "learning_rate"
            ]
            elapsed = time.perf_counter() - self.start
            say(
                f"    epoch {epoch + 1}/{self.params['epochs']}  "
                f"{'  '.join(parts)}  ({elapsed:.1f} s)"
            )

    return EpochLogger()


def _baseline(name, bunch, random_state):
    from sklearn import ensemble, linear_model, neighbors, neural_network, svm
    from sklearn.pipeline import make_pipeline

    from . import PixelScaler

    estimator = {
        "logreg": lambda: linear_model.LogisticRegression(max_iter=1000),
        "rf": lambda: ensemble.RandomForestClassifier(
            n_estimators=200, n_jobs=-1, random_state=random_state
        ),
        "svc": lambda: svm.SVC(),
        "mlp": lambda: neural_network.MLPClassifier(
            hidden_layer_sizes=(128,), early_stopping=True, random_state=random_state
        ),
        "knn": lambda: neighbors.KNeighborsClassifier(),
    }[name]()
    return make_pipeline(PixelScaler(max_value=bunch.pixel_max), estimator)


def _prepare(args, say):
    """Load the dataset, print its shapes and create ``--out``.

    Returns the Bunch and its canonical split ``(X_train, X_test, y_train,
    y_test)``. Pictures are drawn off-screen (matplotlib's Agg backend).
    """
    import matplotlib

    from .datasets import split_train_test

    matplotlib.use("Agg")
    bunch = load_dataset(args.dataset, say)
    split = split_train_test(bunch)
    X_train, X_test = split[:2]
    say(f"dataset: {bunch.source} ({len(bunch.target_names)} classes)")
    say(
        f"  train images {X_train.shape}, test images {X_test.shape}, "
        f"dtype {X_train.dtype}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    return bunch, split


def _save(display, path):
    display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(display.figure_)
    return path.name


def _format_table(rows, columns):
    """A Markdown table of ``rows`` (dicts) with the given (key, title, fmt)."""
    header = "| " + " | ".join(title for _, title, _ in columns) + " |"
    rule = "|" + "|".join("-" * (len(title) + 2) for _, title, _ in columns) + "|"
    lines = [header, rule]
    for row in rows:
        cells = [format(row[key], fmt) for key, _, fmt in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------
# skcnn compare
# ----------------------------------------------------------------------
COMPARE_COLUMNS = [
    ("model", "model", ""),
    ("accuracy", "accuracy", ".4f"),
    ("fit_seconds", "fit s", ".1f"),
    ("predict_ms_per_image", "predict ms/image", ".3f"),
]


def run_compare(args):
    """Run ``skcnn compare``; return the results dict."""
    from sklearn.metrics import ConfusionMatrixDisplay

    from .datasets import split_train_test
    from .plotting import (
        ClassDistributionDisplay,
        ConvFiltersDisplay,
        ImageGridDisplay,
        TrainingHistoryDisplay,
    )

    say = _Printer(args.quiet)
    bunch, (X_train, X_test, y_train, y_test) = _prepare(args, say)
    out = args.out
    names = list(bunch.target_names)
    pictures = {}
    test_images = split_train_test(bunch, images=True)[1]

    pictures["samples"] = _save(
        ImageGridDisplay.from_images(
            test_images, y_test, n_images=10, n_cols=5, class_names=names
        ),
        out / "samples.png",
    )
    pictures["class_distribution"] = _save(
        ClassDistributionDisplay.from_labels(y_train, y_test=y_test, class_names=names),
        out / "class_distribution.png",
    )

    models = {
        "CNNClassifier": _cnn_pipeline(
            bunch,
            say,
            epochs=args.epochs,
            validation_split=0.1,
            random_state=args.random_state,
        )
    }
    for name in args.baselines:
        models[BASELINES[name]] = _baseline(name, bunch, args.random_state)

    rows, predictions = [], {}
    for name, model in models.items():
        say(f"training {name} on {len(X_train)} images ...")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = model.predict(X_test)
        predict_seconds = time.perf_counter() - start
        predictions[name] = y_pred
        row = {
            "model": name,
            "accuracy": float(np.mean(y_pred == y_test)),
            "fit_seconds": fit_seconds,
            "predict_ms_per_image": 1000 * predict_seconds / len(X_test),
        }
        rows.append(row)
        say(f"  {name}: accuracy {row['accuracy']:.4f} in {fit_seconds:.1f} s")

    cnn = models["CNNClassifier"]
    cnn_pred = predictions["CNNClassifier"]
    pictures["training_curves"] = _save(
        TrainingHistoryDisplay.from_estimator(cnn), out / "training_curves.png"
    )
    confusion = ConfusionMatrixDisplay.from_predictions(
        y_test, cnn_pred, display_labels=names, colorbar=False
    )
    confusion.ax_.set_title("CNNClassifier confusion matrix")
    pictures["confusion_matrix"] = _save(confusion, out / "confusion_matrix.png")
    pictures["misclassified"] = _save(
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
    pictures["filters"] = _save(
        ConvFiltersDisplay.from_estimator(cnn), out / "filters.png"
    )
    pictures["comparison"] = _plot_comparison(rows, out / "comparison.png")

    table = _format_table(rows, COMPARE_COLUMNS)
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
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "report.md").write_text(_report(results, table))
    print()
    print(table)
    print(f"\nresults, pictures and report.md written to {out}/")
    return results


def _plot_comparison(rows, path):
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(10, 3.5))
    names = [row["model"] for row in rows]
    colors = ["tab:blue" if n == "CNNClassifier" else "tab:gray" for n in names]
    accuracy = [row["accuracy"] for row in rows]
    bars = ax_acc.barh(names, accuracy, color=colors)
    ax_acc.bar_label(bars, fmt="%.3f", padding=3)
    ax_acc.set_xlim(min(accuracy) * 0.95, 1.0)
    ax_acc.set_xlabel("test accuracy")
    ax_acc.invert_yaxis()
    ax_time.barh(names, [row["fit_seconds"] for row in rows], color=colors)
    ax_time.set_xlabel("fit seconds")
    ax_time.invert_yaxis()
    fig.suptitle("CNN versus baselines")
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _report(results, table):
    p = results["pictures"]
    return f"""# skcnn compare

Dataset: **{results["dataset"]}**, {results["n_train"]} training and
{results["n_test"]} test images of shape {tuple(results["image_shape"])};
CNN trained for {results["epochs"]} epochs. skcnn {results["skcnn_version"]}.

{table}

![comparison]({p["comparison"]})

## The data

![samples]({p["samples"]})

![class distribution]({p["class_distribution"]})

## The CNN

![training curves]({p["training_curves"]})

![confusion matrix]({p["confusion_matrix"]})

Misclassified test images:

![misclassified]({p["misclassified"]})

Learned first-layer filters:

![filters]({p["filters"]})
"""


# ----------------------------------------------------------------------
# skcnn search
# ----------------------------------------------------------------------
def run_search(args):
    """Run ``skcnn search``; return the results dict."""
    from sklearn.model_selection import GridSearchCV

    from .plotting import SearchHeatmapDisplay

    say = _Printer(args.quiet)
    bunch, (X_train, X_test, y_train, y_test) = _prepare(args, say)
    out = args.out
    pipeline = _cnn_pipeline(
        bunch, _Printer(True), epochs=args.epochs, random_state=args.random_state
    )
    grid = {
        "cnnclassifier__filters": list(dict.fromkeys(args.filters)),
        "cnnclassifier__dropout": list(dict.fromkeys(args.dropout)),
    }
    n_fits = len(grid["cnnclassifier__filters"]) * len(grid["cnnclassifier__dropout"])
    say(
        f"grid search: {n_fits} candidates x {args.cv} folds, "
        f"{args.epochs} epochs each, n_jobs={args.n_jobs} ..."
    )
    search = GridSearchCV(
        pipeline, grid, cv=args.cv, n_jobs=args.n_jobs, verbose=0 if args.quiet else 1
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    cv = search.cv_results_
    rows = [
        {
            "filters": str(params["cnnclassifier__filters"]),
            "dropout": params["cnnclassifier__dropout"],
            "mean": float(cv["mean_test_score"][i]),
            "std": float(cv["std_test_score"][i]),
            "rank": int(cv["rank_test_score"][i]),
        }
        for i, params in enumerate(cv["params"])
    ]
    rows.sort(key=lambda row: row["rank"])
    table = _format_table(
        rows,
        [
            ("filters", "filters", ""),
            ("dropout", "dropout", ".2f"),
            ("mean", "mean CV accuracy", ".4f"),
            ("std", "std", ".4f"),
            ("rank", "rank", "d"),
        ],
    )
    best = {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    test_accuracy = float(search.score(X_test, y_test))
    heatmap = SearchHeatmapDisplay.from_search(
        search, x="cnnclassifier__filters", y="cnnclassifier__dropout"
    )
    picture = _save(heatmap, out / "heatmap.png")
    results = {
        "command": "search",
        "dataset": bunch.source,
        "cv": args.cv,
        "epochs": args.epochs,
        "seconds": seconds,
        "candidates": rows,
        "best_params": {
            k: list(v) if isinstance(v, tuple) else v for k, v in best.items()
        },
        "best_cv_accuracy": float(search.best_score_),
        "test_accuracy": test_accuracy,
        "pictures": {"heatmap": picture},
        "skcnn_version": __version__,
    }
    (out / "results.json").write_text(json.dumps(results, indent=2))
    print()
    print(table)
    print(
        f"\nbest parameters: filters={best['filters']}, dropout={best['dropout']} "
        f"(mean CV accuracy {search.best_score_:.4f}; test accuracy "
        f"{test_accuracy:.4f}; {seconds:.0f} s)"
    )
    print(f"heatmap and results.json written to {out}/")
    return results


def main(argv=None):
    """Entry point of the ``skcnn`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "compare":
            run_compare(args)
        else:
            run_search(args)
    except KeyboardInterrupt:
        print("\nskcnn: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. a dataset that cannot be downloaded
        print(f"skcnn: error: {exc}", file=sys.stderr)
        return 1
    return 0


def console_main():
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
