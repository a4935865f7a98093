"""``skcnn search``: grid-search the CNN over filters × dropout."""

import time

from .._version import __version__
from . import _args, _data, _models, _report

COLUMNS = [
    ("filters", "filters", ""),
    ("dropout", "dropout", ".2f"),
    ("mean", "mean CV accuracy", ".4f"),
    ("std", "std", ".4f"),
    ("rank", "rank", "d"),
]


def add_parser(commands):
    """Register ``search`` on the subparsers action ``commands``."""
    search = _args.add_training_command(
        commands,
        "search",
        run,
        _args.check_common_options,
        "skcnn-search",
        help="grid-search the CNN over filters x dropout",
        description="GridSearchCV over filters x dropout on the training split; "
        "prints the CV table and best parameters and saves the heatmap.",
    )
    search.add_argument(
        "--filters",
        type=_args.filters,
        nargs="+",
        default=[(16, 32), (32, 64)],
        help="filter tuples, e.g. --filters 16,32 32,64",
    )
    search.add_argument(
        "--dropout",
        type=_args.dropout,
        nargs="+",
        default=[0.0, 0.25],
        help="dropout rates, e.g. --dropout 0 0.25",
    )
    search.add_argument(
        "--cv",
        type=_args.positive_int,
        default=3,
        help="cross-validation folds (default: %(default)s)",
    )
    search.add_argument(
        "--n-jobs", type=int, default=1, help="parallel fits (default: %(default)s)"
    )
    search.add_argument(
        "--epochs",
        type=_args.positive_int,
        default=3,
        help="training epochs per fit (default: %(default)s)",
    )
    return search


def _rows(cv_results):
    rows = [
        {
            "filters": str(params["cnnclassifier__filters"]),
            "dropout": params["cnnclassifier__dropout"],
            "mean": float(cv_results["mean_test_score"][i]),
            "std": float(cv_results["std_test_score"][i]),
            "rank": int(cv_results["rank_test_score"][i]),
        }
        for i, params in enumerate(cv_results["params"])
    ]
    rows.sort(key=lambda row: row["rank"])
    return rows


def run(args):
    """Run ``skcnn search``; return the results dict."""
    from sklearn.model_selection import GridSearchCV

    from ..plotting import SearchHeatmapDisplay

    say = _report.Printer(args.quiet)
    _report.check_folders({"--out": (args.out, args.out)})
    bunch, (X_train, X_test, y_train, y_test) = _data.prepare(args, say)
    out = args.out
    pipeline = _models.cnn_pipeline(
        bunch,
        _report.Printer(True),
        epochs=args.epochs,
        random_state=args.random_state,
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
    rows = _rows(search.cv_results_)
    table = _report.format_table(rows, COLUMNS)
    best = {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    test_accuracy = float(search.score(X_test, y_test))
    heatmap = SearchHeatmapDisplay.from_search(
        search, x="cnnclassifier__filters", y="cnnclassifier__dropout"
    )
    picture = _report.save_picture(heatmap, out / "heatmap.png")
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
    _report.write_results(out, results)
    print()
    print(table)
    print(
        f"\nbest parameters: filters={best['filters']}, dropout={best['dropout']} "
        f"(mean CV accuracy {search.best_score_:.4f}; test accuracy "
        f"{test_accuracy:.4f}; {seconds:.0f} s)"
    )
    print(f"heatmap and results.json written to {out}/")
    return results
