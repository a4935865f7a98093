"""Transfer: few-shot accuracy from a pretrained network, and backbone speed.

Few-shot (needs the 60,000 MNIST training images from local IDX files, see
``benchmarks/_mnist_train.py``; skipped with a message without them):

- ``ImageReshaper → PixelScaler → CNNClassifier(epochs=5)`` is pretrained
  from scratch on the images of digits 0–4 (all but 1,000, held out to
  report its accuracy) and its ``model_`` saved to a ``.keras`` file;
- on digits 5–9, a fixed stratified 5,000 images are held out for scoring,
  and from the others each draw (seeds 0, 1, 2) takes 10 and 50 images per
  class (the 10 are the first of the 50);
- four pipelines from uint8 are fitted on each draw and scored on the
  5,000: ``CNNClassifier()`` from scratch; ``ImageEmbedder(backbone=path)``
  then ``LogisticRegression(max_iter=1000)``; ``CNNClassifier(backbone=
  path)``, which trains a head on the frozen network; and the same with
  ``fine_tune=1.0``, which then trains the whole network
  (``fine_tune_epochs`` and ``fine_tune_learning_rate`` at their
  defaults). Every classifier's ``random_state`` is the draw's seed.
- a grid of ``fine_tune_learning_rate`` × ``fine_tune_epochs`` for the
  fine-tuned pipeline, at 10 and at 50 images per class, over the same
  draws: the measurement the two defaults are chosen by (the grid's mean
  accuracy per cell; same draws in every cell, so the cells compare pair by
  pair).

Reported: accuracy per draw, its mean and standard deviation, and the fit
seconds (the pipeline's ``fit``; scoring is not counted).

Backbones: each Keras application at its native size (224) with random
weights (``weights=None``: speed does not depend on the weights), on random
uint8 RGB images:

- its parameters, those fine-tuning trains (BatchNormalization stays
  frozen) and its number of features;
- embedding images/s: ``ImageEmbedder(batch_size=32).transform`` of 64
  images, after one warm-up batch of 32;
- one-image ``CNNClassifier.predict`` latency, median of 10 calls after a
  warm-up, of a classifier fitted with the frozen backbone;
- fine-tuning images/s: that classifier's network with the whole backbone
  unfrozen as ``fine_tune=1.0`` does it and compiled as its fine-tuning
  phase is, ``train_on_batch`` on batches of 16, 2 steps after a warm-up
  step (which traces).

Nothing is specific to a device: on a machine with a GPU TensorFlow uses
it, and the result names the device. Quick mode runs every measurement on
small data (the MNIST sample that ships with skcnn when the files are
absent, one draw, one epoch, a 1×1 grid; one backbone at 32 pixels): a
smoke test, not a measurement. A full run takes about 20 minutes on 2 CPU
cores, so it is opt-in: ``python -m benchmarks --only transfer``.
"""

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import _mnist_train
from benchmarks._common import median_ms, standalone

PRETRAIN_DIGITS = (0, 1, 2, 3, 4)
TRANSFER_DIGITS = (5, 6, 7, 8, 9)

FULL = {
    "pretrain_images": None,  # every image of digits 0-4 but the held-out ones
    "pretrain_holdout": 1000,
    "pretrain_epochs": 5,
    "evaluation": 5000,
    "shots": [10, 50],
    "draws": [0, 1, 2],
    "max_epochs": None,  # the estimator's own
    "grid_shots": [10, 50],
    "fine_tune_learning_rates": [1e-4, 3e-4, 1e-3],
    "fine_tune_epochs": [5, 10, 20],
    "backbones": [
        "mobilenet_v2",
        "mobilenet_v3_small",
        "mobilenet_v3_large",
        "efficientnet_b0",
        "efficientnet_v2_b0",
        "resnet50",
        "convnext_tiny",
    ],
    "image_size": 224,
    "embed_images": 64,
    "embed_batch_size": 32,
    "train_batch_size": 16,
    "train_steps": 2,
    "predict_repeats": 10,
}
QUICK = {
    "pretrain_images": 500,
    "pretrain_holdout": 100,
    "pretrain_epochs": 1,
    "evaluation": 200,
    "shots": [10],
    "draws": [0],
    "max_epochs": 1,
    "grid_shots": [10],
    "fine_tune_learning_rates": [3e-4],
    "fine_tune_epochs": [1],
    "backbones": ["mobilenet_v3_small"],
    "image_size": 32,
    "embed_images": 8,
    "embed_batch_size": 4,
    "train_batch_size": 4,
    "train_steps": 1,
    "predict_repeats": 2,
}

# The few-shot pipelines, in the report's order (benchmarks/_report.py
# names them).
METHODS = ("scratch", "embedder", "frozen", "fine_tuned")


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


def split_transfer(y, n_evaluation, seed=0):
    """Indices of the held-out images of digits 5–9 and of the draw pool.

    A fixed stratified ``n_evaluation`` of the images of digits 5–9 are held
    out for scoring; the draws are made from the rest of them.
    """
    from sklearn.model_selection import train_test_split

    indices = np.flatnonzero(np.isin(y, TRANSFER_DIGITS))
    pool, evaluation = train_test_split(
        indices, test_size=n_evaluation, stratify=y[indices], random_state=seed
    )
    return np.sort(evaluation), np.sort(pool)


def draw(y, pool, per_class, seed):
    """``per_class`` indices of each digit 5–9 from ``pool``, drawn by ``seed``.

    Each digit's pool is shuffled by the seed and its first ``per_class``
    taken, so that for one seed a smaller draw is part of a larger one.
    """
    rng = np.random.RandomState(seed)
    chosen = []
    for digit in TRANSFER_DIGITS:
        candidates = pool[y[pool] == digit]
        if len(candidates) < per_class:
            raise ValueError(
                f"only {len(candidates)} images of digit {digit} to draw "
                f"{per_class} from."
            )
        chosen.append(rng.permutation(candidates)[:per_class])
    return np.concatenate(chosen)


def _pipeline(*steps):
    from sklearn.pipeline import make_pipeline

    from skcnn import ImageReshaper, PixelScaler

    return make_pipeline(ImageReshaper(image_shape=(28, 28)), PixelScaler(), *steps)


def pretrain(X, y, cfg, path):
    """Pretrain on digits 0–4 and save the network to ``path``.

    Returns what the report shows of it: images, epochs, fit seconds and the
    accuracy on the held-out images of digits 0–4.
    """
    from skcnn import CNNClassifier

    indices = np.flatnonzero(np.isin(y, PRETRAIN_DIGITS))
    n_train = len(indices) - cfg["pretrain_holdout"]
    if cfg["pretrain_images"] is not None:
        n_train = min(n_train, cfg["pretrain_images"])
    X_train, X_val, y_train, y_val = _mnist_train.split(
        X[indices], y[indices], n_train, cfg["pretrain_holdout"]
    )
    pipe = _pipeline(CNNClassifier(epochs=cfg["pretrain_epochs"], random_state=0))
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    pipe[-1].model_.save(path)
    return {
        "digits": list(PRETRAIN_DIGITS),
        "images": int(n_train),
        "epochs": cfg["pretrain_epochs"],
        "fit_s": seconds,
        "holdout": cfg["pretrain_holdout"],
        "holdout_accuracy": float(pipe.score(X_val, y_val)),
        "features": int(np.prod(_cut_output_shape(path))),
    }


def _cut_output_shape(path):
    """Shape of one image's features of the saved network, cut as skcnn cuts it."""
    from skcnn._engine.backbones import resolve_backbone

    backbone = resolve_backbone(path, None, None, seed=None, owner="transfer")
    return tuple(backbone.model.outputs[0].shape[1:])


def _estimators(method, path, params, max_epochs, seed):
    """The steps after the scaler of one method's pipeline."""
    from sklearn.linear_model import LogisticRegression

    from skcnn import CNNClassifier, ImageEmbedder

    epochs = {} if max_epochs is None else {"epochs": max_epochs}
    if method == "embedder":
        return [ImageEmbedder(backbone=path), LogisticRegression(max_iter=1000)]
    if method == "scratch":
        return [CNNClassifier(random_state=seed, **epochs)]
    fine_tune = {"fine_tune": 1.0} if method == "fine_tuned" else {}
    return [
        CNNClassifier(backbone=path, random_state=seed, **epochs, **fine_tune, **params)
    ]


def _summary(accuracy, fit_s):
    return {
        "accuracy": accuracy,
        "mean_accuracy": float(np.mean(accuracy)),
        "std_accuracy": float(np.std(accuracy)),
        "fit_s": fit_s,
        "mean_fit_s": float(np.mean(fit_s)),
    }


class _Fits:
    """Fits and scores of the few-shot pipelines, each fitted once.

    The fine-tuned pipeline at the defaults is also a cell of the grid: the
    same fit (same draw, same seed), so it is fitted once and reused.
    """

    def __init__(self, X, y, pool, evaluation, path, max_epochs):
        self.X, self.y, self.pool = X, y, pool
        self.X_eval, self.y_eval = X[evaluation], y[evaluation]
        self.path, self.max_epochs = path, max_epochs
        self.done = {}

    def key(self, method, params, shots, seed):
        if method == "fine_tuned":
            params = {**self.fine_tune_defaults(), **params}
        return (method, tuple(sorted(params.items())), shots, seed)

    @staticmethod
    def fine_tune_defaults():
        from skcnn import CNNClassifier

        defaults = CNNClassifier().get_params()
        return {
            name: defaults[name]
            for name in ("fine_tune_epochs", "fine_tune_learning_rate")
        }

    def score(self, method, shots, seed, params=None):
        """Accuracy and fit seconds of one method on one draw."""
        params = params or {}
        key = self.key(method, params, shots, seed)
        if key not in self.done:
            chosen = draw(self.y, self.pool, shots, seed)
            pipe = _pipeline(
                *_estimators(method, self.path, params, self.max_epochs, seed)
            )
            start = time.perf_counter()
            pipe.fit(self.X[chosen], self.y[chosen])
            seconds = time.perf_counter() - start
            accuracy = float(pipe.score(self.X_eval, self.y_eval))
            self.done[key] = (accuracy, seconds)
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            print(
                f"  transfer {method}{f' ({shown})' if shown else ''}, {shots} per "
                f"class, draw {seed}: {accuracy:.4f} ({seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
        return self.done[key]

    def summary(self, method, shots, seeds, params=None):
        scores = [self.score(method, shots, seed, params) for seed in seeds]
        return _summary([a for a, _ in scores], [s for _, s in scores])


def few_shot(cfg, quick):
    """The few-shot comparison and the fine-tuning grid; skipped without data."""
    data = _data(quick)
    if data is None:
        message = (
            "no MNIST training files found (looked for shared/data/mnist-train "
            f"beside and inside the repository; set {_mnist_train.ENV_VAR} to "
            "use another folder)"
        )
        print(f"transfer few-shot skipped: {message}", file=sys.stderr, flush=True)
        return {"skipped": message}
    X, y, source = data
    evaluation, pool = split_transfer(y, cfg["evaluation"])
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "digits_0_to_4.keras")
        pretraining = pretrain(X, y, cfg, path)
        print(
            f"  transfer pretraining: {pretraining['holdout_accuracy']:.4f} "
            f"({pretraining['fit_s']:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        fits = _Fits(X, y, pool, evaluation, path, cfg["max_epochs"])
        fine_tune_params = {} if cfg["max_epochs"] is None else {"fine_tune_epochs": 1}
        methods = {
            method: {
                str(shots): fits.summary(
                    method,
                    shots,
                    cfg["draws"],
                    fine_tune_params if method == "fine_tuned" else None,
                )
                for shots in cfg["shots"]
            }
            for method in METHODS
        }
        grids = {str(shots): _grid(fits, shots, cfg) for shots in cfg["grid_shots"]}
    return {
        "data": source,
        "pretraining": pretraining,
        "transfer_digits": list(TRANSFER_DIGITS),
        "evaluation": int(len(evaluation)),
        "draws": cfg["draws"],
        "fine_tune_defaults": _Fits.fine_tune_defaults(),
        "methods": methods,
        "grid": grids,
    }


def _grid(fits, shots, cfg):
    cells = []
    for rate in cfg["fine_tune_learning_rates"]:
        for epochs in cfg["fine_tune_epochs"]:
            params = {"fine_tune_learning_rate": rate, "fine_tune_epochs": epochs}
            cells.append(
                {**params, **fits.summary("fine_tuned", shots, cfg["draws"], params)}
            )
    best = max(cells, key=lambda cell: cell["mean_accuracy"])
    return {
        "cells": cells,
        "best": {
            "fine_tune_learning_rate": best["fine_tune_learning_rate"],
            "fine_tune_epochs": best["fine_tune_epochs"],
            "mean_accuracy": best["mean_accuracy"],
        },
    }


def device():
    """The GPUs TensorFlow sees, by name, or ``"CPU"``."""
    from benchmarks._common import machine

    return ", ".join(machine()["gpus"]) or "CPU"


def backbone_speed(name, images, cfg):
    """Parameters, features, embedding and fine-tuning rates, 1-image latency."""
    from skcnn import CNNClassifier, ImageEmbedder
    from skcnn._engine.backbones import block_patterns
    from skcnn._engine.freezing import unfreeze_top

    start = time.perf_counter()
    n, batch = cfg["embed_images"], cfg["embed_batch_size"]
    embedder = ImageEmbedder(
        backbone=name,
        weights=None,
        image_size=cfg["image_size"],
        batch_size=batch,
        random_state=0,
    ).fit(images[:1])
    embedder.transform(images[:batch])  # tracing and other first-call costs
    begin = time.perf_counter()
    features = embedder.transform(images[:n])
    embed_s = time.perf_counter() - begin
    parameters = embedder._network.get_layer("backbone").count_params()

    train_batch = cfg["train_batch_size"]
    labels = np.arange(train_batch) % 2
    # A frozen backbone without augmentation: the head trains on features
    # computed once, the cheapest fit that makes a predicting classifier.
    clf = CNNClassifier(
        backbone=name,
        backbone_weights=None,
        backbone_image_size=cfg["image_size"],
        epochs=2,
        shift=0.0,
        batch_size=train_batch,
        random_state=0,
    ).fit(images[:train_batch], labels)
    predict_ms = median_ms(lambda: clf.predict(images[:1]), cfg["predict_repeats"])

    # Phase 2 of fine_tune=1.0, by hand: the same unfreezing and compilation.
    model = clf.model_
    backbone = model.get_layer("backbone")
    unfreeze_top(backbone, 1.0, block_patterns(name))
    trainable = sum(int(np.prod(w.shape)) for w in backbone.trainable_weights)
    clf._compile_phase(model, "fine_tune")
    x = images[:train_batch].astype(np.float32)
    model.train_on_batch(x, labels)  # tracing
    begin = time.perf_counter()
    for _ in range(cfg["train_steps"]):
        model.train_on_batch(x, labels)
    train_s = time.perf_counter() - begin
    return {
        "parameters": int(parameters),
        "fine_tune_trainable_parameters": int(trainable),
        "features": int(features.shape[1]),
        "embed_images_per_s": n / embed_s,
        "fine_tune_images_per_s": cfg["train_steps"] * train_batch / train_s,
        "predict_one_ms": predict_ms,
        "seconds": time.perf_counter() - start,
    }


def backbones(cfg):
    """:func:`backbone_speed` of each backbone; a failure is recorded, not raised."""
    size = cfg["image_size"]
    n = max(cfg["embed_images"], cfg["embed_batch_size"], cfg["train_batch_size"])
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, size, size, 3), dtype=np.uint8)
    families = {}
    for name in cfg["backbones"]:
        try:
            families[name] = backbone_speed(name, images, cfg)
        except Exception as error:  # the other backbones still run
            families[name] = {"error": f"{type(error).__name__}: {error}"}
        gc.collect()  # the last backbone's networks, before the next is built
        shown = families[name]
        print(
            f"  transfer backbone {name}: "
            + (
                shown["error"]
                if "error" in shown
                else f"{shown['embed_images_per_s']:.1f} / "
                f"{shown['fine_tune_images_per_s']:.1f} images/s, "
                f"{shown['predict_one_ms']:.0f} ms ({shown['seconds']:.0f} s)"
            ),
            file=sys.stderr,
            flush=True,
        )
    return {
        "image_size": size,
        "weights": None,
        "embed_images": cfg["embed_images"],
        "embed_batch_size": cfg["embed_batch_size"],
        "train_batch_size": cfg["train_batch_size"],
        "train_steps": cfg["train_steps"],
        "predict_repeats": cfg["predict_repeats"],
        "families": families,
    }


def _load_average():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def run(quick):
    """The few-shot comparison, the fine-tuning grid and the backbones' speed.

    The 1-minute load average before and after each part is recorded: other
    work on the machine slows every figure down.
    """
    cfg = QUICK if quick else FULL
    load = [_load_average()]
    shots = few_shot(cfg, quick)
    load.append(_load_average())
    speed = backbones(cfg)
    load.append(_load_average())
    return {
        "device": device(),
        "load_average": load,
        "few_shot": shots,
        "backbones": speed,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
