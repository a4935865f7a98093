"""Transformers that turn image files and raw pixel arrays into what a network takes.

:class:`~skcnn.ImageEmbedder` needs TensorFlow and is imported on first use;
the others never import it.
"""

from .._validation import infer_image_shape
from ._loader import ImageLoader
from ._reshaper import ImageReshaper
from ._resizer import ImageResizer
from ._scaler import PixelScaler
from ._stream import ImageStream

__all__ = [
    "ImageEmbedder",
    "ImageLoader",
    "ImageReshaper",
    "ImageResizer",
    "ImageStream",
    "PixelScaler",
    "infer_image_shape",
]


def __getattr__(name):
    # ImageEmbedder runs a Keras network: TensorFlow, which takes seconds to
    # import, is loaded when the name is first used.
    if name == "ImageEmbedder":
        from ._embedder import ImageEmbedder

        return ImageEmbedder
    raise AttributeError(f"module 'skcnn.preprocessing' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"ImageEmbedder"})
