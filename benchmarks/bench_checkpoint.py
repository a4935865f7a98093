"""What a checkpoint costs: its size, and the seconds a save adds per epoch.

Two workloads, each fitted twice in turn with the same seed, once plain and
once with ``checkpoint=DIR, checkpoint_every=1``:

- MNIST: ``ImageReshaper → PixelScaler → CNNClassifier()`` (the default
  network) on the 60,000 MNIST training images from local IDX files (see
  ``benchmarks/_mnist_train.py``; the MNIST sample that ships with skcnn,
  tiled, when they are absent, which the result says);
- a backbone: ``CNNClassifier(backbone="mobilenet_v3_small",
  backbone_weights=None, backbone_image_size=96, fine_tune=1.0)`` on random
  uint8 RGB images (speed does not depend on the weights): a head phase,
  then a fine-tuning phase that trains the whole network, whose optimizer
  state is the largest a fit saves.

A callback of the benchmark's records when each epoch begins and ends. The
checkpoint is written after the epoch ends and before the next begins, so
a save's seconds are the median gap between two epochs of the checkpointed
fit less that of the plain fit (the same callbacks run in both); the state's
size is that of ``state.npz`` on disk. Reported against the median epoch
seconds of the plain fit (the first epoch of each phase, which traces the
training step, left out). Also: the seconds from ``fit`` to the start of
training, plain, checkpointed (the fingerprint hashes the data) and
resuming (reading and restoring a state: the checkpointed fit is stopped
with Ctrl-C, a KeyboardInterrupt raised by the callback, at the start of
its second epoch, and fitted again), after a warm-up fit stopped before its
first epoch; and the 1-minute load average at the start and at the end.

Quick mode runs both on small data: a smoke test, not a measurement.
Opt-in: ``python -m benchmarks --only checkpoint`` (about 10 minutes on 2
CPU cores).
"""

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import _mnist_train
from benchmarks._common import mnist_images, standalone

FULL = {
    "mnist_images": None,  # all 60,000 when the IDX files are there
    "mnist_epochs": 4,
    "backbone": "mobilenet_v3_small",
    "image_size": 96,
    "backbone_images": 1024,
    "head_epochs": 3,
    "fine_tune_epochs": 3,
}
QUICK = {
    "mnist_images": 1000,
    "mnist_epochs": 3,
    "backbone": "mobilenet_v3_small",
    "image_size": 32,
    "backbone_images": 64,
    "head_epochs": 2,
    "fine_tune_epochs": 2,
}


def _clock(folder=None, stop_at=None):
    """A callback that records epoch starts and ends and the state's size.

    At the start of each epoch it also records the size of ``folder``'s
    ``*/state.npz`` (the state saved after the epoch before); it raises
    KeyboardInterrupt at the start of epoch ``stop_at``.
    """
    from skcnn._engine.runtime import keras

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.fit_called = self.train_begin = None
            self.begins, self.ends, self.sizes = [], [], {}

        def on_train_begin(self, logs=None):
            if self.train_begin is None:  # a second phase begins later
                self.train_begin = time.perf_counter()

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == stop_at:
                raise KeyboardInterrupt
            self.begins.append((epoch, time.perf_counter()))
            if folder is not None:
                found = [p.stat().st_size for p in Path(folder).glob("*/state.npz")]
                if found:
                    self.sizes[epoch - 1] = max(found)

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append((epoch, time.perf_counter()))

    return Clock()


def _fit(make, X, y, folder, stop_at=None):
    """Fit ``make(callbacks, checkpoint)``; return its clock and the model."""
    import warnings

    clock = _clock(folder, stop_at)
    model = make([clock], folder)
    clock.fit_called = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the interrupted fit's warning
        try:
            model.fit(X, y)
        except KeyboardInterrupt:
            pass
    return clock, model


def _gaps(clock, epochs):
    """Seconds from the end of each epoch in ``epochs`` to the next start."""
    ends = dict(clock.ends)
    return [
        start - ends[epoch - 1]
        for epoch, start in clock.begins
        if epoch - 1 in ends and epoch - 1 in epochs
    ]


def _lengths(clock, epochs):
    begins = dict(clock.begins)
    return [end - begins[epoch] for epoch, end in clock.ends if epoch in epochs]


def _measure(make, X, y, phases):
    """The plain and checkpointed fits of one workload, and a resumed one."""
    # A warm-up, stopped before its first epoch: the first fit of a process
    # also builds what later fits find ready, which would count against the
    # plain fit's start.
    _fit(make, X, y, None, stop_at=0)
    with tempfile.TemporaryDirectory() as folder:
        plain, model = _fit(make, X, y, None)
        checkpointed, _ = _fit(make, X, y, folder)
        _fit(make, X, y, folder, stop_at=1)
        resumed, _ = _fit(make, X, y, folder)
        left = os.listdir(folder)
    result = {"phases": {}}
    for name, epochs in phases.items():
        # The first epoch of a phase traces the training step; all but the
        # last of a phase are saved.
        traced, saved = set(epochs[1:]), set(epochs[:-1])
        epoch_s = float(np.median(_lengths(plain, traced)))
        save_s = float(
            np.median(_gaps(checkpointed, saved)) - np.median(_gaps(plain, saved))
        )
        sizes = [checkpointed.sizes[e] for e in saved if e in checkpointed.sizes]
        result["phases"][name] = {
            "epochs": len(epochs),
            "state_mb": max(sizes) / 1e6 if sizes else None,
            "epoch_s": epoch_s,
            "save_s": save_s,
            "save_to_epoch": save_s / epoch_s,
        }
    result["start_s"] = {
        "plain": plain.train_begin - plain.fit_called,
        "checkpointed": checkpointed.train_begin - checkpointed.fit_called,
        "resuming": resumed.train_begin - resumed.fit_called,
    }
    result["resumed_at_epoch"] = resumed.begins[0][0] if resumed.begins else None
    result["files_left"] = len(left)
    return result, model


def _mnist(cfg):
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    folder = _mnist_train.find_folder()
    if folder is not None and cfg["mnist_images"] is None:
        X, y = _mnist_train.load(folder)
        source = "MNIST training images (IDX files)"
    else:
        X, y = mnist_images(cfg["mnist_images"] or 60000)
        source = "MNIST sample, tiled"

    def make(callbacks, checkpoint):
        return make_pipeline(
            ImageReshaper(image_shape=(28, 28)),
            PixelScaler(),
            CNNClassifier(
                epochs=cfg["mnist_epochs"],
                random_state=0,
                callbacks=callbacks,
                checkpoint=checkpoint,
            ),
        )

    epochs = list(range(cfg["mnist_epochs"]))
    result, model = _measure(make, X, y, {"training": epochs})
    result.update(
        images=int(len(X)),
        source=source,
        parameters=int(model[-1].model_.count_params()),
    )
    return result


def _backbone(cfg):
    from skcnn import CNNClassifier

    size, n = cfg["image_size"], cfg["backbone_images"]
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    y = np.arange(n) % 4

    def make(callbacks, checkpoint):
        return CNNClassifier(
            backbone=cfg["backbone"],
            backbone_weights=None,
            backbone_image_size=size,
            epochs=cfg["head_epochs"],
            fine_tune=1.0,
            fine_tune_epochs=cfg["fine_tune_epochs"],
            random_state=0,
            callbacks=callbacks,
            checkpoint=checkpoint,
        )

    head = cfg["head_epochs"]
    phases = {
        "head": list(range(head)),
        "fine_tuning": list(range(head, head + cfg["fine_tune_epochs"])),
    }
    result, model = _measure(make, X, y, phases)
    result.update(
        backbone=cfg["backbone"],
        image_size=size,
        images=n,
        parameters=int(model.model_.count_params()),
    )
    return result


def run(quick):
    """Checkpoint size and save seconds per epoch, on MNIST and a backbone."""
    cfg = QUICK if quick else FULL
    start_load = os.getloadavg()[0]
    mnist = _mnist(cfg)
    backbone = _backbone(cfg)
    # Above the number of cores, other work shared the machine.
    load = [start_load, os.getloadavg()[0]]
    return {"mnist": mnist, "backbone": backbone, "load_average": load}


if __name__ == "__main__":
    standalone(run, __doc__)
