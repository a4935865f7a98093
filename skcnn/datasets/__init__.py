"""Image datasets as scikit-learn Bunches of uint8 pixels."""

from ._folder import load_image_folder
from ._loaders import (
    DatasetDownloadError,
    load_cifar10,
    load_digits_images,
    load_mnist,
    split_train_test,
)

__all__ = [
    "DatasetDownloadError",
    "load_cifar10",
    "load_digits_images",
    "load_image_folder",
    "load_mnist",
    "split_train_test",
]
