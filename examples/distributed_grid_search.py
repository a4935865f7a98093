"""
Grid search on a Dask cluster
=============================

A grid search trains one network per candidate and fold, and those fits are
independent: they can run on several machines at once. scikit-learn
dispatches them through :mod:`joblib`, and joblib can hand them to a Dask
cluster instead of local processes. Nothing about the estimator changes; a
pipeline ending in :class:`~skcnn.CNNClassifier` pickles and travels to the
workers like any scikit-learn estimator.

By default this script starts a small local cluster (two worker processes on
this machine, reachable only through the loopback interface) so that it runs
anywhere in a minute or two. ``--address`` connects to an existing cluster
instead. It is not run when the documentation is built, because it starts
processes and a scheduler.

Requires ``dask[distributed]`` (``pip install "dask[distributed]"``).
"""

# %%
# Connecting to a cluster
# -----------------------
# :class:`dask.distributed.LocalCluster` starts a scheduler and workers on this
# machine. ``processes=True`` puts each worker in its own process, as on a
# real cluster, and ``threads_per_worker=1`` gives each one fit at a time
# (TensorFlow uses several cores per fit anyway).
#
# To use a real cluster, start a scheduler (``dask scheduler``) and workers
# (``dask worker tcp://scheduler-host:8786``) on the machines, each with the
# same versions of skcnn, scikit-learn and TensorFlow installed, and pass the
# scheduler's address::
#
#     python examples/distributed_grid_search.py --address tcp://scheduler-host:8786
#
# which amounts to ``Client("tcp://scheduler-host:8786")`` in the code below.
# The training data are sent from this process to the workers; for large
# datasets, load them on the workers instead (for instance from shared
# storage).
#
# The search
# ----------
# Inside ``joblib.parallel_backend("dask")``, ``GridSearchCV(n_jobs=-1)``
# submits every (candidate, fold) fit to the cluster and gathers the scores.
# The final refit on all training images runs in this process. Because
# ``random_state`` fixes every fit, the scores are the same as those of a
# search run in a single process.
#
# Ray instead of Dask
# -------------------
# Ray ships its own joblib backend. With a running Ray cluster (or none, for a
# local one), replace the Dask block by::
#
#     import ray
#     from ray.util.joblib import register_ray
#
#     ray.init()  # or ray.init(address="ray://head-host:10001")
#     register_ray()
#     with joblib.parallel_backend("ray"):
#         search.fit(X_train, y_train)
import argparse
import time

import joblib
import pandas as pd
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--address",
        default=None,
        help="scheduler address of an existing Dask cluster, e.g. "
        "tcp://scheduler-host:8786 (default: start a local cluster)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="local workers (default: 2)"
    )
    parser.add_argument(
        "--n-train",
        type=int,
        default=1500,
        help="training images used by the search (default: 1500, at most 4000)",
    )
    parser.add_argument(
        "--epochs", type=int, default=5, help="epochs per fit (default: 5)"
    )
    parser.add_argument("--cv", type=int, default=2, help="folds (default: 2)")
    return parser.parse_args()


def make_search(epochs, cv):
    """GridSearchCV over filters x dropout of the MNIST CNN pipeline."""
    pipeline = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=epochs, random_state=0),
    )
    param_grid = {
        "cnnclassifier__filters": [(8, 16), (16, 32)],
        "cnnclassifier__dropout": [0.0, 0.25],
    }
    return GridSearchCV(pipeline, param_grid, cv=cv, n_jobs=-1)


def main():
    args = parse_args()
    mnist = fetch_mnist(source="sample")
    X_train, X_test, y_train, y_test = split_train_test(mnist)
    X_train, y_train = X_train[: args.n_train], y_train[: args.n_train]
    search = make_search(args.epochs, args.cv)
    n_fits = 4 * args.cv

    if args.address is None:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        cluster = None
        client = Client(args.address)
    try:
        n_workers = len(client.scheduler_info()["workers"])
        print(f"Dask scheduler {client.scheduler.address}, {n_workers} workers")
        print(f"searching {n_fits} fits on {X_train.shape[0]} images ...")
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            search.fit(X_train, y_train)
        print(f"search and refit took {time.perf_counter() - start:.1f} s")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    table = pd.DataFrame(search.cv_results_)[
        [
            "param_cnnclassifier__filters",
            "param_cnnclassifier__dropout",
            "mean_test_score",
            "std_test_score",
            "rank_test_score",
        ]
    ]
    table.columns = ["filters", "dropout", "mean acc", "std acc", "rank"]
    print(table.sort_values("rank").to_string(index=False, float_format="%.3f"))
    print(f"best parameters: {search.best_params_}")
    print(f"test accuracy of the best model: {search.score(X_test, y_test):.3f}")


# The guard matters: worker processes import this file, and must not start a
# cluster of their own.
if __name__ == "__main__":
    main()
