"""Tuning: validation accuracy of candidate configurations over three seeds.

Each configuration of ``CONFIGURATIONS`` (keyword arguments of
``CNNClassifier``, and its number of epochs) is fitted in the pipeline
``ImageReshaper → PixelScaler → CNNClassifier`` on three stratified
50,000/10,000 splits of the 60,000 MNIST training images (read from local
IDX files, see ``benchmarks/_mnist_train.py``), with the split's seed and
the network's ``random_state`` both 0, 1 and 2. Reported: the validation
accuracy per seed and its mean per configuration. The fit seconds are
recorded too, but not compared: these fits take long, and a slow spell of
the machine lands on some of them only.

A full run is 15 fits of a few minutes each on 2 CPU cores, so this
benchmark is not part of ``python -m benchmarks``: it runs with
``--only tuning``, and ``--configurations NAME ...`` picks some of them.
Without the data files a full run is skipped with a message; quick mode
(300/100 images, one seed, one epoch) then uses the 5,000-image MNIST
sample that ships with skcnn.
"""

import sys
import time

import numpy as np

from benchmarks import _mnist_train
from benchmarks._common import standalone

# Name -> the changes to CNNClassifier()'s defaults and the epochs. The
# defaults before dense_units=512 had dense_units=128; the AdamW and the
# wider-filters candidates were tried against those.
CONFIGURATIONS = {
    "dense128": {"params": {"dense_units": 128}, "epochs": 15},
    "dense256": {"params": {"dense_units": 256}, "epochs": 15},
    "dense512": {"params": {"dense_units": 512}, "epochs": 15},
    "adamw": {
        "params": {
            "dense_units": 128,
            "optimizer": "adamw",
            "optimizer__weight_decay": 0.02,
        },
        "epochs": 15,
    },
    "filters24": {
        "params": {"dense_units": 128, "filters": (24, 48, 64)},
        "epochs": 12,
    },
}

FULL = {
    "train": 50000,
    "validation": 10000,
    "seeds": [0, 1, 2],
    "max_epochs": None,  # each configuration's own
    "configurations": list(CONFIGURATIONS),
}
QUICK = {
    "train": 300,
    "validation": 100,
    "seeds": [0],
    "max_epochs": 1,
    "configurations": list(CONFIGURATIONS),
}


def _data(quick):
    """Pixel rows, labels and where they come from; None when absent."""
    folder = _mnist_train.find_folder()
    if folder is not None:
        return (*_mnist_train.load(folder), str(folder))
    if not quick:
        return None
    from skcnn.datasets import fetch_mnist

    sample = fetch_mnist(source="sample")
    return sample.data, sample.target, "the MNIST sample that ships with skcnn"


def fit_one(X, y, params, epochs, seed, n_train, n_validation):
    """Validation accuracy and fit seconds of one configuration on one split."""
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    X_train, X_val, y_train, y_val = _mnist_train.split(
        X, y, n_train, n_validation, seed=seed
    )
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(random_state=seed, epochs=epochs, **params),
    )
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return float(pipe.score(X_val, y_val)), seconds


def run(quick, configurations=None):
    """Per configuration: validation accuracy per seed, its mean, fit seconds.

    ``configurations`` lists names of ``CONFIGURATIONS`` to run (default:
    those of the settings, all of them).
    """
    cfg = QUICK if quick else FULL
    names = list(configurations or cfg["configurations"])
    unknown = [name for name in names if name not in CONFIGURATIONS]
    if unknown:
        raise ValueError(
            f"unknown tuning configurations {unknown}; expected some of "
            f"{list(CONFIGURATIONS)}."
        )
    data = _data(quick)
    if data is None:
        message = (
            "no MNIST training files found (looked for shared/data/mnist-train "
            f"beside and inside the repository; set {_mnist_train.ENV_VAR} to "
            "use another folder)"
        )
        print(f"tuning skipped: {message}", file=sys.stderr, flush=True)
        return {"skipped": message}
    X, y, source = data
    results = {}
    for name in names:
        config = CONFIGURATIONS[name]
        epochs = cfg["max_epochs"] or config["epochs"]
        accuracy, fit_s = [], []
        for seed in cfg["seeds"]:
            score, seconds = fit_one(
                X, y, config["params"], epochs, seed, cfg["train"], cfg["validation"]
            )
            accuracy.append(score)
            fit_s.append(seconds)
            print(
                f"  tuning {name}, seed {seed}: {score:.4f} ({seconds:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
        results[name] = {
            "params": config["params"],
            "epochs": epochs,
            "accuracy": accuracy,
            "mean_accuracy": float(np.mean(accuracy)),
            "fit_s": fit_s,
        }
    return {
        "data": source,
        "train": cfg["train"],
        "validation": cfg["validation"],
        "seeds": cfg["seeds"],
        "configurations": results,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
