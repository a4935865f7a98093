"""Seconds per epoch: skcnn's pipeline from uint8 against raw Keras.

The same network (``build_cnn`` with ``CNNClassifier()``'s defaults), the
same batch size and optimizer, on the same images. Raw Keras gets pixels
scaled to float32 beforehand; skcnn gets uint8 rows through ``ImageReshaper
→ PixelScaler → CNNClassifier``. The two alternate, round after round, so
that a slow spell of a shared machine does not land on one side only; the
medians of the epochs after the first (which includes tracing) are compared.
"""

import inspect
import statistics
import time

import numpy as np

from benchmarks._common import epoch_timer, mnist_images, standalone, traced_epochs

FULL = {"images": 60000, "epochs": 4, "rounds": 2}
QUICK = {"images": 1000, "epochs": 2, "rounds": 1}


def default_network_params():
    """``CNNClassifier()``'s values of every parameter ``build_cnn`` takes."""
    from skcnn import CNNClassifier
    from skcnn.architectures import build_cnn

    defaults = CNNClassifier().get_params(deep=False)
    names = inspect.signature(build_cnn).parameters
    return {name: defaults[name] for name in names if name in defaults}


def raw_keras_epochs(X, y, epochs, seed=0):
    """Epoch seconds of the default network trained by Keras alone."""
    import keras

    from skcnn import CNNClassifier
    from skcnn.architectures import build_cnn

    defaults = CNNClassifier()
    keras.utils.set_random_seed(seed)
    images = (X.reshape(-1, 28, 28, 1) / 255).astype(np.float32)
    model = build_cnn((28, 28, 1), 10, **default_network_params())
    model.compile(
        keras.optimizers.Adam(defaults.learning_rate),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    timer = epoch_timer()
    model.fit(
        images,
        y,
        epochs=epochs,
        batch_size=defaults.batch_size,
        verbose=0,
        callbacks=[timer],
    )
    return traced_epochs(timer.seconds)


def skcnn_epochs(X, y, epochs, seed=0, **params):
    """Epoch seconds, total fit seconds and the fitted pipeline (from uint8)."""
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    timer = epoch_timer()
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(
            epochs=epochs, random_state=seed, fit__callbacks=[timer], **params
        ),
    )
    start = time.perf_counter()
    pipe.fit(X, y)
    total = time.perf_counter() - start
    return traced_epochs(timer.seconds), total, pipe


def run(quick):
    """Seconds per epoch of raw Keras and skcnn, and their ratio."""
    from skcnn import CNNClassifier

    cfg = QUICK if quick else FULL
    X, y = mnist_images(cfg["images"])
    raw_seconds, our_seconds = [], []
    for _ in range(cfg["rounds"]):
        raw_seconds += raw_keras_epochs(X, y, cfg["epochs"])
        seconds, total, _ = skcnn_epochs(X, y, cfg["epochs"])
        our_seconds += seconds
    raw, ours = statistics.median(raw_seconds), statistics.median(our_seconds)
    return {
        "images": len(X),
        "batch_size": CNNClassifier().batch_size,
        "raw_keras_s_per_epoch": raw,
        "skcnn_s_per_epoch": ours,
        "ratio_skcnn_to_raw": ours / raw,
        "raw_keras_epoch_seconds": raw_seconds,
        "skcnn_epoch_seconds": our_seconds,
        "skcnn_fit_total_s": total,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
