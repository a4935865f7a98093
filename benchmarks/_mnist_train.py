"""The 60,000 MNIST training images from local IDX files, for benchmarks only.

The files ``train-images-idx3-ubyte.gz`` and ``train-labels-idx1-ubyte.gz``
are looked for in the folder named by the ``SKCNN_MNIST_TRAIN_DIR``
environment variable, else in ``shared/data/mnist-train/`` next to the
repository (``<repo>/../shared/...``) or inside it. skcnn itself never reads
them: users get full MNIST through ``skcnn.datasets``.

IDX: a big-endian header (two zero bytes, a type code, the number of axes,
then one 32-bit size per axis) followed by the values; 0x08 is uint8.
"""

import gzip
import os
from pathlib import Path

import numpy as np

from benchmarks._common import ROOT

ENV_VAR = "SKCNN_MNIST_TRAIN_DIR"
IMAGES = "train-images-idx3-ubyte.gz"
LABELS = "train-labels-idx1-ubyte.gz"
_UINT8 = 0x08


def find_folder():
    """The folder holding both files, or None when there is none.

    Raises
    ------
    FileNotFoundError
        When ``SKCNN_MNIST_TRAIN_DIR`` is set but lacks either file.
    """
    if os.environ.get(ENV_VAR):
        folder = Path(os.environ[ENV_VAR])
        missing = [name for name in (IMAGES, LABELS) if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(
                f"{ENV_VAR} names {folder}, which lacks {', '.join(missing)}."
            )
        return folder
    for folder in (
        ROOT.parent / "shared" / "data" / "mnist-train",
        ROOT / "shared" / "data" / "mnist-train",
    ):
        if (folder / IMAGES).is_file() and (folder / LABELS).is_file():
            return folder
    return None


def read_idx(path):
    """The uint8 array stored in the gzip-compressed IDX file ``path``."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise ValueError(f"{path} is not an IDX file: it does not start with 0 0.")
    if data[2] != _UINT8:
        raise ValueError(
            f"{path}: expected IDX type code 0x08 (uint8), got {data[2]:#04x}."
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(data[4:header], dtype=">u4"))
    if len(data) - header != int(np.prod(shape)):
        raise ValueError(
            f"{path}: the header announces shape {shape} "
            f"({int(np.prod(shape))} values), the file holds {len(data) - header}."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load(folder):
    """Pixel rows ``(60000, 784)`` uint8 and labels ``(60000,)`` from ``folder``."""
    images = read_idx(Path(folder) / IMAGES)
    labels = read_idx(Path(folder) / LABELS)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"{folder}: expected images (n, height, width) and n labels, got "
            f"images {images.shape} and labels {labels.shape}."
        )
    return images.reshape(len(images), -1), labels


def split(X, y, n_train, n_validation, seed=0):
    """A fixed stratified split into ``n_train`` and ``n_validation`` samples."""
    from sklearn.model_selection import train_test_split

    return train_test_split(
        X,
        y,
        train_size=n_train,
        test_size=n_validation,
        stratify=y,
        random_state=seed,
    )
