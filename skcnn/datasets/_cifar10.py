"""CIFAR-10: 60,000 32×32 colour images of 10 classes, downloaded once."""

import pickle

import numpy as np

from . import _download
from ._archive import extract_tar
from ._base import make_bunch
from ._download import DatasetDownloadError

__all__ = ["fetch_cifar10"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
#: Names Keras 3 and Keras 2 give the same archive in their cache.
KERAS_ARCHIVE_NAMES = (
    "cifar-10-batches-py-target_archive",
    "cifar-10-batches-py.tar.gz",
)
CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
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
DESCR = (
    "CIFAR-10: 60,000 32x32 colour images in 10 classes (airplane, "
    "automobile, bird, cat, deer, dog, frog, horse, ship, truck), 6,000 "
    "per class; the canonical 50,000 training images first, then 10,000 "
    "test images."
)


def fetch_cifar10(*, data_home=None, return_X_y=False):
    """Load CIFAR-10: 60,000 32×32 colour images of 10 classes.

    The archive is read from ``data_home`` or downloaded there
    (checksum-verified, 163 MB) and extracted once, safely, next to it. The
    canonical 50,000 training images come first, then the 10,000 test images.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder of the cached ``cifar-10-python.tar.gz``; None uses Keras's
        cache (``~/.keras/datasets``), where an archive downloaded by
        ``keras.datasets.cifar10`` is reused.
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
        When the archive is not cached and cannot be downloaded, or cannot be
        read.

    Examples
    --------
    >>> from skcnn.datasets import fetch_cifar10
    >>> cifar = fetch_cifar10()  # doctest: +SKIP
    >>> cifar.images.shape, cifar.target_names[:3]  # doctest: +SKIP
    ((60000, 32, 32, 3), array(['airplane', 'automobile', 'bird'], dtype='<U10'))
    """
    archive = _download.download(
        CIFAR10_URL,
        CIFAR10_ARCHIVE,
        CIFAR10_SHA256,
        data_home,
        cached_names=KERAS_ARCHIVE_NAMES,
    )
    folder = archive.parent / CIFAR10_FOLDER
    if not all((folder / name).is_file() for name in CIFAR10_BATCHES):
        extract_tar(
            archive,
            archive.parent,
            required=[f"{CIFAR10_FOLDER}/{name}" for name in CIFAR10_BATCHES],
        )
    parts = [_read_batch(folder / name) for name in CIFAR10_BATCHES]
    return make_bunch(
        np.concatenate([images for images, _ in parts]),
        np.concatenate([labels for _, labels in parts]),
        target_names=CIFAR10_CLASSES,
        n_train=sum(len(labels) for _, labels in parts[:-1]),
        source="cifar10",
        pixel_max=255,
        descr=DESCR,
        return_X_y=return_X_y,
    )


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles a CIFAR batch: dicts, lists, bytes and NumPy arrays only.

    A pickle can run any code it names; a CIFAR batch needs nothing but
    NumPy's array reconstruction, so every other name is refused.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"it names {module}.{name}, not NumPy data")


def _read_batch(path):
    """Images (n, 32, 32, 3) uint8 and labels of one CIFAR batch file."""
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
        images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError) as exc:
        raise DatasetDownloadError(
            f"{path} is not a CIFAR-10 batch ({exc}). Delete the folder "
            f"{path.parent} to extract it again from the archive."
        ) from exc
    return images.transpose(0, 2, 3, 1), labels
