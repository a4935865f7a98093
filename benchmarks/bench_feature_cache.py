"""A frozen backbone's features computed once per fit, against once per epoch.

``CNNClassifier(backbone=..., fine_tune=0)`` with no augmentation
(``shift=0``) trains its head on the backbone's features computed once; a
user's callback switches that off (the callback would see another model),
so the same fit with a no-op ``keras.callbacks.Callback`` runs the
backbone on every batch of every epoch. Both fits, taken in turn, on the
same random uint8 RGB images with random backbone weights (speed does not
depend on the weights): the median fit seconds and their ratio, and the
largest difference of their predicted probabilities (the two ways compute
the same function, up to float rounding).
"""

import time

import numpy as np

from benchmarks._common import standalone

FULL = {
    "backbone": "mobilenet_v2",
    "image_size": 96,
    "images": 1024,
    "epochs": 10,
    "repeats": 3,
}
QUICK = {
    "backbone": "mobilenet_v3_small",
    "image_size": 32,
    "images": 64,
    "epochs": 2,
    "repeats": 1,
}


def run(quick):
    """Seconds of a cached and of an uncached frozen fit, and their ratio."""
    from skcnn import CNNClassifier
    from skcnn._engine.runtime import keras

    cfg = QUICK if quick else FULL
    size, n = cfg["image_size"], cfg["images"]
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    y = np.arange(n) % 4
    params = {
        "backbone": cfg["backbone"],
        "backbone_weights": None,
        "backbone_image_size": size,
        "shift": 0.0,
        "epochs": cfg["epochs"],
        "random_state": 0,
    }
    seconds = {"cached": [], "per_epoch": []}
    proba = {}
    for _ in range(cfg["repeats"]):
        for way, callbacks in (
            ("cached", None),
            ("per_epoch", [keras.callbacks.Callback()]),
        ):
            clf = CNNClassifier(**params, callbacks=callbacks)
            start = time.perf_counter()
            clf.fit(X, y)
            seconds[way].append(time.perf_counter() - start)
            proba[way] = clf.predict_proba(X[:256])
    median = {way: float(np.median(s)) for way, s in seconds.items()}
    return {
        **cfg,
        "fit_s": median,
        "speedup": median["per_epoch"] / median["cached"],
        "max_abs_proba_difference": float(
            np.abs(proba["cached"] - proba["per_epoch"]).max()
        ),
    }


if __name__ == "__main__":
    standalone(run, __doc__)
