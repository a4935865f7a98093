"""Transformers that turn image files and raw pixel arrays into what a network takes."""

from .._validation import infer_image_shape
from ._loader import ImageLoader
from ._reshaper import ImageReshaper
from ._resizer import ImageResizer
from ._scaler import PixelScaler

__all__ = [
    "ImageLoader",
    "ImageReshaper",
    "ImageResizer",
    "PixelScaler",
    "infer_image_shape",
]
