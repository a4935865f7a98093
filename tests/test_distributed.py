"""Grid search on a real dask.distributed cluster (worker processes, loopback)."""

import distributed
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from tests._helpers import small_cnn

# A cluster of worker processes for each test.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_search(digits_scaled):
    X, y = digits_scaled
    return _search().fit(X[:160], y[:160])


def _search():
    grid = {"filters": [(4,), (8,)], "dropout": [0.0, 0.25]}
    estimator = small_cnn(epochs=2, shift=0.1)
    return GridSearchCV(estimator, grid, cv=2, error_score="raise")


@pytest.mark.parametrize("threads_per_worker", [1, 2])
def test_dask_grid_search_matches_local(
    digits_scaled, local_search, threads_per_worker
):
    """Worker processes, and fits side by side in a worker's threads, agree."""
    from joblib import parallel_backend

    X, y = digits_scaled
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with parallel_backend("dask"):
            remote = _search().fit(X[:160], y[:160])
        workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)
    assert {w["nthreads"] for w in workers.values()} == {threads_per_worker}
    for key in ("split0_test_score", "split1_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            local_search.cv_results_[key], remote.cv_results_[key]
        )
    assert local_search.best_params_ == remote.best_params_
