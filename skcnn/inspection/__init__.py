"""Where a fitted network looks: saliency maps of its predictions.

:func:`saliency` computes, for each image, a map of how much each pixel
counts for one class, by one of four methods (class activation maps,
input gradients, occlusion). Importing this module does not import
TensorFlow; computing a map does.
"""

from ._saliency import DEFAULT_METHOD, METHODS, saliency

__all__ = ["DEFAULT_METHOD", "METHODS", "saliency"]
