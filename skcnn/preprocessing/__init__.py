"""Transformers that turn raw pixel arrays into what a network takes."""

from .._validation import infer_image_shape
from ._reshaper import ImageReshaper
from ._scaler import PixelScaler

__all__ = ["ImageReshaper", "PixelScaler", "infer_image_shape"]
