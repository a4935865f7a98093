"""Saliency maps: how often each method finds the evidence, and what it costs.

Synthetic 32×32 grayscale images (:func:`textured_patches`): uniform noise,
with one 8×8 patch of a texture at a random place; the texture is the class
(horizontal stripes, vertical stripes or a checkerboard), so the patch is
the only evidence there is. ``CNNClassifier()`` with its defaults (a
fixed number of epochs instead of ``"auto"``) is fitted on training images
and the maps of :func:`skcnn.inspection.saliency` are computed for the
predicted class of held-out images.

Reported, for each method and layer, and each classifier seed:

- the localisation rate: the fraction of held-out images whose map has its
  largest value inside the patch (a map of the same value everywhere would
  score the patch's share of the image, 1/16);
- the milliseconds per image of ``saliency`` on the held-out images at the
  default ``batch_size=32``, after a first call that traces (2 CPU cores:
  compare the methods with one another, not with another run).

The layers are the default network's: ``conv3``, the last convolution's
output (the default layer of the class activation maps), ``relu3`` (the
last block's output, after pooling: half the resolution), and ``conv2``
and ``relu2`` one block earlier. Quick mode: small data, one seed and
two epochs, a smoke test. A full run takes a few minutes on 2 CPU cores;
it is opt-in: ``python -m benchmarks --only saliency``.
"""

import time

import numpy as np

from benchmarks._common import standalone

FULL = {
    "train_images": 1000,
    "test_images": 500,
    "epochs": 10,
    "seeds": [0, 1, 2],
    "smooth_samples": 25,
}
QUICK = {
    "train_images": 200,
    "test_images": 40,
    "epochs": 2,
    "seeds": [0],
    "smooth_samples": 3,
}

IMAGE_SIZE = 32
PATCH = 8
TEXTURES = ("horizontal stripes", "vertical stripes", "checkerboard")


def textured_patches(n, seed, *, size=IMAGE_SIZE, patch=PATCH):
    """Noise images with one textured patch each, whose texture is the class.

    Parameters
    ----------
    n : int
        Number of images.
    seed : int
        Seed of the noise, the classes and the places.
    size : int, default=32
        Side of the square images.
    patch : int, default=8
        Side of the square patch.

    Returns
    -------
    X : ndarray of shape (n, size, size, 1), dtype float32
        Pixels in [0, 1]: the background uniform in [0, 0.6], the patch's
        pixels 0 or 1.
    y : ndarray of shape (n,)
        The class: an index into :data:`TEXTURES`.
    corners : ndarray of shape (n, 2)
        Row and column of each patch's top-left pixel.
    """
    rng = np.random.RandomState(seed)
    X = rng.uniform(0, 0.6, size=(n, size, size)).astype(np.float32)
    y = rng.randint(len(TEXTURES), size=n)
    corners = rng.randint(0, size - patch + 1, size=(n, 2))
    rows, cols = np.mgrid[:patch, :patch]
    textures = np.stack([rows % 2, cols % 2, (rows + cols) % 2]).astype(np.float32)
    for i, (top, left) in enumerate(corners):
        X[i, top : top + patch, left : left + patch] = textures[y[i]]
    return X[..., None], y, corners


def localisation(maps, corners, patch=PATCH):
    """The fraction of ``maps`` whose largest value lies inside the patch."""
    maps = np.asarray(maps)
    peak = maps.reshape(len(maps), -1).argmax(axis=1)
    rows, cols = np.divmod(peak, maps.shape[2])
    top, left = corners[:, 0], corners[:, 1]
    inside = (
        (rows >= top) & (rows < top + patch) & (cols >= left) & (cols < left + patch)
    )
    return float(inside.mean())


def methods(smooth_samples):
    """The measured settings: name -> keyword arguments of ``saliency``."""
    return {
        "hirescam at conv3 (default layer)": {"method": "hirescam"},
        "gradcam at conv3 (default layer)": {"method": "gradcam"},
        "hirescam at relu3": {"method": "hirescam", "layer": "relu3"},
        "gradcam at relu3": {"method": "gradcam", "layer": "relu3"},
        "hirescam at conv2": {"method": "hirescam", "layer": "conv2"},
        "gradcam at conv2": {"method": "gradcam", "layer": "conv2"},
        "hirescam at relu2": {"method": "hirescam", "layer": "relu2"},
        "gradcam at relu2": {"method": "gradcam", "layer": "relu2"},
        "gradients": {"method": "gradients"},
        f"gradients, SmoothGrad of {smooth_samples}": {
            "method": "gradients",
            "smooth_samples": smooth_samples,
            "random_state": 0,
        },
        "occlusion (auto patch 5, stride 2)": {"method": "occlusion"},
    }


def run(quick):
    """Localisation rates and milliseconds per image of each method."""
    from skcnn import CNNClassifier
    from skcnn.inspection import saliency

    cfg = QUICK if quick else FULL
    X, y, _ = textured_patches(cfg["train_images"], 0)
    X_test, y_test, corners = textured_patches(cfg["test_images"], 1)
    settings = methods(cfg["smooth_samples"])
    rates = {name: [] for name in settings}
    ms = {name: [] for name in settings}
    accuracy = []
    for seed in cfg["seeds"]:
        clf = CNNClassifier(epochs=cfg["epochs"], random_state=seed).fit(X, y)
        accuracy.append(float(clf.score(X_test, y_test)))
        for name, kwargs in settings.items():
            saliency(clf, X_test[:2], **kwargs)  # traces
            start = time.perf_counter()
            maps = saliency(clf, X_test, **kwargs)
            ms[name].append(1000 * (time.perf_counter() - start) / len(X_test))
            rates[name].append(localisation(maps, corners))
    return {
        **cfg,
        "image_size": IMAGE_SIZE,
        "patch": PATCH,
        "test_accuracy": accuracy,
        "mean_test_accuracy": float(np.mean(accuracy)),
        "localisation": {name: float(np.mean(r)) for name, r in rates.items()},
        "localisation_per_seed": rates,
        "ms_per_image": {name: float(np.median(t)) for name, t in ms.items()},
    }


if __name__ == "__main__":
    standalone(run, __doc__)
