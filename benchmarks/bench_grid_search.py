"""Wall time of one ``GridSearchCV`` over CNN pipelines: n_jobs=2 against 1.

The pipeline ``ImageReshaper → PixelScaler → CNNClassifier`` on MNIST-shaped
uint8 rows, 2-fold cross-validation. With ``n_jobs=2`` the fits run in two
joblib worker processes, whose start-up (importing TensorFlow) counts. The
best candidate is refitted on all the images (except in quick mode).
"""

import math
import time

from benchmarks._common import mnist_images, standalone

FULL = {
    "images": 3000,
    "epochs": 3,
    "grid": {
        "cnnclassifier__filters": [(16, 32), (32, 64)],
        "cnnclassifier__dropout": [0.25, 0.5],
    },
    "refit": True,
}
QUICK = {
    "images": 200,
    "epochs": 1,
    "grid": {"cnnclassifier__dropout": [0.25]},
    "refit": False,
}
CV = 2


def run(quick):
    """Seconds of the search with n_jobs=1 and n_jobs=2, and their ratio."""
    from joblib.externals.loky import get_reusable_executor
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    cfg = QUICK if quick else FULL
    X, y = mnist_images(cfg["images"])
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=cfg["epochs"], random_state=0),
    )
    seconds = {}
    for n_jobs in (1, 2):
        search = GridSearchCV(
            pipe, cfg["grid"], cv=CV, n_jobs=n_jobs, refit=cfg["refit"]
        )
        start = time.perf_counter()
        search.fit(X, y)
        seconds[n_jobs] = time.perf_counter() - start
    # joblib keeps its worker processes (with TensorFlow loaded) for reuse;
    # end them, so that later benchmarks do not share the machine with them.
    get_reusable_executor().shutdown(wait=True)
    return {
        "images": len(X),
        "fits": CV * math.prod(len(values) for values in cfg["grid"].values())
        + int(cfg["refit"]),
        "n_jobs_1_s": seconds[1],
        "n_jobs_2_s": seconds[2],
        "ratio_n_jobs_2_to_1": seconds[2] / seconds[1],
    }


if __name__ == "__main__":
    standalone(run, __doc__)
