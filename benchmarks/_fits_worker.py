"""Worker of ``bench_repeated_fits``: RSS growth over consecutive small fits.

Run as ``python -m benchmarks._fits_worker {skcnn,keras} N_FITS`` in a fresh
process; prints ``{"growth": bytes}`` as JSON. Each fit builds, trains (two
epochs on 300 of scikit-learn's 8×8 digits) and predicts with one small
network, either through ``CNNClassifier`` or in plain Keras. A first fit pays
TensorFlow's one-off start-up costs before the resident set size is taken.
"""

import gc
import sys

import numpy as np

from benchmarks._common import print_json, rss


def _digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16).astype(np.float32).reshape(-1, 8, 8, 1), y[:300]


def skcnn_fit(X, y, seed):
    """Fit and predict once through ``CNNClassifier``."""
    from skcnn import CNNClassifier

    clf = CNNClassifier(
        filters=(8,), dense_units=32, epochs=2, batch_size=32, random_state=seed
    ).fit(X, y)
    clf.predict(X)
    clf.predict(X[:1])


def keras_fit(X, y, seed):
    """Fit and predict once with the same kind of network in plain Keras."""
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    h = keras.layers.Dropout(0.25)(keras.layers.MaxPooling2D(2)(h))
    h = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(h))
    h = keras.layers.Dropout(0.5)(h)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=32, verbose=0)
    model.predict(X, verbose=0)
    model(X[:1], training=False)


FITS = {"skcnn": skcnn_fit, "keras": keras_fit}


def measure(which, n_fits):
    """Bytes the process grew by over ``n_fits`` fits after the first."""
    import skcnn.classifier  # noqa: F401 - brings TensorFlow up quietly, first

    X, y = _digits()
    fit = FITS[which]
    fit(X, y, 0)
    gc.collect()
    start = rss()
    for i in range(n_fits):
        fit(X, y, i + 1)
        gc.collect()
    return {"growth": rss() - start}


if __name__ == "__main__":
    which, n_fits = sys.argv[1], int(sys.argv[2])
    if which not in FITS:
        sys.exit(f"expected one of {sorted(FITS)} as the first argument, got {which!r}")
    print_json(measure(which, n_fits))
