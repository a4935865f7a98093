"""Grid search on a real dask.distributed cluster (worker processes, loopback)."""

import time

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from tests._helpers import small_cnn

distributed = pytest.importorskip(
    "distributed", reason="needs the dask extra: pip install skcnn[distributed]"
)


def test_dask_grid_search_matches_local(digits_scaled):
    from joblib import parallel_backend

    X, y = digits_scaled
    X, y = X[:160], y[:160]
    grid = {"filters": [(4,), (8,)], "dropout": [0.0, 0.25]}

    def search():
        return GridSearchCV(small_cnn(epochs=2), grid, cv=2, error_score="raise")

    local = search().fit(X, y)
    start = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with parallel_backend("dask"):
            remote = search().fit(X, y)
        workers = client.scheduler_info()["workers"]
    seconds = time.perf_counter() - start
    print(f"dask grid search: {seconds:.1f} s on {len(workers)} workers")
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    np.testing.assert_array_equal(
        local.cv_results_["mean_test_score"], remote.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        local.cv_results_["rank_test_score"], remote.cv_results_["rank_test_score"]
    )
    assert local.best_params_ == remote.best_params_
