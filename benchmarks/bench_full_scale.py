"""Full scale: time to 99 % and final accuracy on 50,000/10,000 real MNIST.

Uses the 60,000 MNIST training images from local IDX files (see
``benchmarks/_mnist_train.py``) and is skipped, with a message, when they are
not there. A fixed stratified split holds out 10,000 of them for
validation. Three contenders run one after the other in the same process:

- ``CNNClassifier()`` with its defaults, in a pipeline from uint8
  (``ImageReshaper → PixelScaler → CNNClassifier``);
- the classic tutorial CNN (``build_tutorial_mnist_cnn``) in raw Keras:
  Adam, 5 epochs, batch 128, on pixels scaled to float32;
- ``PixelScaler → LogisticRegression``.

The clock starts when the fit starts (the pipeline's ``fit``; for raw Keras
the scaling, building and compiling count too). After every epoch a callback
measures the validation accuracy with the clock paused: the time to 99.0 %
is the clock at the end of the first epoch that reaches it, and fit times
exclude these evaluations. Quick mode trains each on 2,000 images for one
epoch: a smoke test, not a measurement.
"""

import sys
import time

import numpy as np

from benchmarks import _mnist_train
from benchmarks._common import standalone

FULL = {
    "train": 50000,
    "validation": 10000,
    "epochs": None,  # the estimator's own default
    "tutorial_epochs": 5,
    "max_iter": 1000,
    "target": 0.99,
}
QUICK = {
    "train": 2000,
    "validation": 500,
    "epochs": 1,
    "tutorial_epochs": 1,
    "max_iter": 200,
    "target": 0.99,
}


def accuracy_clock(images, labels, target):
    """A Keras callback timing training and checking accuracy every epoch.

    ``images`` are the validation images as the network takes them and
    ``labels`` their class indices. Set ``start`` to ``time.perf_counter()``
    when the fit starts. Afterwards ``accuracy`` and ``seconds`` list the
    validation accuracy and the clock at the end of each epoch,
    ``time_to_target`` is the first such clock reading with accuracy at or
    above ``target`` (None if never) and ``paused`` the seconds spent
    evaluating, which the clock leaves out.
    """
    import keras

    class AccuracyClock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.start = None
            self.paused = 0.0
            self.accuracy, self.seconds = [], []
            self.time_to_target = None

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            clock = now - self.start - self.paused
            proba = self.model.predict(images, batch_size=1000, verbose=0)
            accuracy = float(np.mean(np.argmax(proba, axis=1) == labels))
            self.accuracy.append(accuracy)
            self.seconds.append(clock)
            if self.time_to_target is None and accuracy >= target:
                self.time_to_target = clock
            self.paused += time.perf_counter() - now

    return AccuracyClock()


def scale(rows):
    """uint8 pixel rows as float32 images in [0, 1], as the networks take them."""
    return (rows.reshape(-1, 28, 28, 1) / 255).astype(np.float32)


def _row(clock, total_s, accuracy):
    return {
        "accuracy": float(accuracy),
        "fit_s": total_s - clock.paused,
        "time_to_target_s": clock.time_to_target,
        "epochs": len(clock.accuracy),
        "epoch_accuracy": clock.accuracy,
        "epoch_end_s": clock.seconds,
    }


def default_cnn(X, y, X_val, y_val, cfg):
    """``CNNClassifier()`` in a pipeline from uint8 rows."""
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    clock = accuracy_clock(scale(X_val), y_val, cfg["target"])
    epochs = {} if cfg["epochs"] is None else {"epochs": cfg["epochs"]}
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(random_state=0, fit__callbacks=[clock], **epochs),
    )
    clock.start = time.perf_counter()
    pipe.fit(X, y)
    total = time.perf_counter() - clock.start
    if not np.array_equal(pipe.classes_, np.arange(10)):
        # The callback compares predicted class indices with the labels.
        raise ValueError(f"expected the classes 0 to 9, got {pipe.classes_}.")
    return _row(clock, total, pipe.score(X_val, y_val))


def tutorial_cnn(X, y, X_val, y_val, cfg):
    """The tutorial network in raw Keras: Adam, batch 128."""
    import keras

    from skcnn.architectures import build_tutorial_mnist_cnn

    val_images = scale(X_val)
    clock = accuracy_clock(val_images, y_val, cfg["target"])
    keras.utils.set_random_seed(0)
    clock.start = time.perf_counter()
    images = scale(X)
    model = build_tutorial_mnist_cnn((28, 28, 1), 10)
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    model.fit(
        images,
        y,
        epochs=cfg["tutorial_epochs"],
        batch_size=128,
        verbose=0,
        callbacks=[clock],
    )
    total = time.perf_counter() - clock.start
    predicted = np.argmax(model.predict(val_images, batch_size=1000, verbose=0), 1)
    return _row(clock, total, np.mean(predicted == y_val))


def logistic_regression(X, y, X_val, y_val, cfg):
    """``PixelScaler → LogisticRegression`` (no epochs: one clock reading)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import PixelScaler

    pipe = make_pipeline(PixelScaler(), LogisticRegression(max_iter=cfg["max_iter"]))
    start = time.perf_counter()
    pipe.fit(X, y)
    seconds = time.perf_counter() - start
    accuracy = pipe.score(X_val, y_val)
    return {
        "accuracy": float(accuracy),
        "fit_s": seconds,
        "time_to_target_s": seconds if accuracy >= cfg["target"] else None,
    }


CONTENDERS = {
    "CNNClassifier() defaults": default_cnn,
    "tutorial CNN (raw Keras)": tutorial_cnn,
    "LogisticRegression": logistic_regression,
}


def run(quick):
    """Per contender: validation accuracy, fit seconds, seconds to the target."""
    cfg = QUICK if quick else FULL
    folder = _mnist_train.find_folder()
    if folder is None:
        message = (
            "no MNIST training files found (looked for shared/data/mnist-train "
            f"beside and inside the repository; set {_mnist_train.ENV_VAR} to "
            "use another folder)"
        )
        print(f"full_scale skipped: {message}", file=sys.stderr, flush=True)
        return {"skipped": message}
    X, y = _mnist_train.load(folder)
    X, X_val, y, y_val = _mnist_train.split(X, y, cfg["train"], cfg["validation"])
    models = {
        name: contender(X, y, X_val, y_val, cfg)
        for name, contender in CONTENDERS.items()
    }
    default, tutorial = (models[name] for name in list(CONTENDERS)[:2])
    reached = default["time_to_target_s"]
    return {
        "data": str(folder),
        "train": len(X),
        "validation": len(X_val),
        "target": cfg["target"],
        "models": models,
        "default_time_to_target_over_tutorial_fit": (
            None if reached is None else reached / tutorial["fit_s"]
        ),
    }


if __name__ == "__main__":
    standalone(run, __doc__)
