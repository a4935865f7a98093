"""skcnn: convolutional image classifiers that behave like scikit-learn estimators.

The transformers import without TensorFlow; :class:`CNNClassifier` and
:class:`ImageEmbedder` bring TensorFlow up (quietly) the first time either
is imported.
"""

from ._version import __version__
from .preprocessing import ImageLoader, ImageReshaper, ImageResizer, PixelScaler

__all__ = [
    "CNNClassifier",
    "ImageEmbedder",
    "ImageLoader",
    "ImageReshaper",
    "ImageResizer",
    "PixelScaler",
    "__version__",
]


def __getattr__(name):
    # CNNClassifier and ImageEmbedder need TensorFlow, which takes seconds to
    # import: load them on first use so that the transformers, the loaders and
    # `skcnn --help` stay fast.
    if name == "CNNClassifier":
        from .classifier import CNNClassifier

        return CNNClassifier
    if name == "ImageEmbedder":
        from .preprocessing._embedder import ImageEmbedder

        return ImageEmbedder
    raise AttributeError(f"module 'skcnn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"CNNClassifier", "ImageEmbedder"})
