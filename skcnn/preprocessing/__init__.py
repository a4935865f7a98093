"""Transformers that turn raw pixel arrays into what a network takes."""

from .._validation import infer_image_shape
from ._transformers import ImageReshaper, PixelScaler

__all__ = ["ImageReshaper", "PixelScaler", "infer_image_shape"]
