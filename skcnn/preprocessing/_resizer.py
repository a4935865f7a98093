"""ImageResizer: image arrays in memory to one size, dtype kept."""

import numbers

import numpy as np
from PIL import Image
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions
from ._pillow import check_image_size, check_keep_aspect, resize_into
from ._stream import refuse_stream

__all__ = ["ImageResizer"]


def _check_images(X, owner):
    """``X`` as a numeric ``(n, h, w)`` or ``(n, h, w, c)`` array."""
    refuse_stream(
        X,
        owner,
        "Give the size to the loader instead: ImageLoader(image_size=(height, "
        "width), stream=True) decodes every image at that size.",
    )
    if hasattr(X, "to_numpy"):  # pandas
        X = X.to_numpy()
    X = np.asarray(X)
    if X.ndim == 2:
        raise ValueError(
            f"{owner} expects images of shape (n_samples, height, width) or "
            f"(n_samples, height, width, channels), got flat rows of shape "
            f"{X.shape}. Put an ImageReshaper before it to turn the rows into "
            "images."
        )
    if X.ndim not in (3, 4):
        raise ValueError(
            f"{owner} expects images of shape (n_samples, height, width) or "
            f"(n_samples, height, width, channels), got an array of shape "
            f"{X.shape}."
        )
    if X.dtype.kind not in "uif":
        raise TypeError(
            f"{owner} expects numeric pixels (integers or floats), got an array "
            f"of dtype {X.dtype}."
        )
    if X.size == 0 and len(X) > 0:
        raise ValueError(f"{owner} got images of shape {X.shape[1:]}, with no pixel.")
    return X


def _resize_channels(image, out, keep_aspect):
    """Resize ``image`` (``(h, w, c)``) into ``out`` (``(H, W, c)``).

    uint8 images with 1 or 3 channels are resized by Pillow as they are;
    others channel by channel in Pillow's float32 mode, then rounded and
    clipped back to integer dtypes.
    """
    if image.dtype == np.uint8 and image.shape[-1] in (1, 3):
        pixels = image[..., 0] if image.shape[-1] == 1 else image
        resize_into(Image.fromarray(np.ascontiguousarray(pixels)), out, keep_aspect)
        return
    plane = np.zeros(out.shape[:2] + (1,), dtype=np.float32)
    for k in range(image.shape[-1]):
        channel = np.ascontiguousarray(image[..., k], dtype=np.float32)
        resize_into(Image.fromarray(channel), plane, keep_aspect)
        if out.dtype.kind in "ui":
            info = np.iinfo(out.dtype)
            np.clip(np.rint(plane), info.min, info.max, out=plane)
        out[..., k] = plane[..., 0]


class ImageResizer(TransformerMixin, BaseEstimator):
    """Resize images to one size, keeping their dtype.

    For images already in memory, of one size or several batches of
    different sizes: each image is resized to ``image_size`` with an
    antialiasing bilinear filter (the one :class:`ImageLoader` uses), which
    never overshoots the input range. uint8 pixels stay uint8 (resized by
    Pillow directly), other integers are rounded and clipped back to their
    dtype, floats stay in their float dtype (computed in float32). The
    number of channels is kept and ``(n, h, w)`` input gives ``(n, H, W)``.

    Nothing is learned: :meth:`fit` only checks its input, and a fitted
    resizer takes images of any size.

    Parameters
    ----------
    image_size : int or tuple of (int, int)
        Size ``(height, width)`` of the output images; an int is a square.
    keep_aspect : {"pad", "crop", False}, default="pad"
        How an image whose aspect ratio differs from ``image_size``'s is
        fitted. ``"pad"`` scales it to fit inside and fills the borders with
        0 (no content lost, no distortion); ``"crop"`` scales it to cover
        and cuts the overflow at both ends; ``False`` stretches it.

    Attributes
    ----------
    image_size_ : tuple of (int, int)
        Size ``(height, width)`` of the output images.

    See Also
    --------
    ImageLoader : Load image files at a given size.
    ImageReshaper : Turn flat pixel rows into images first.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn import ImageResizer
    >>> images = np.full((5, 28, 28), 200, dtype=np.uint8)
    >>> small = ImageResizer(image_size=(14, 14)).fit_transform(images)
    >>> small.shape, small.dtype, int(small.max())
    ((5, 14, 14), dtype('uint8'), 200)
    >>> wide = np.ones((1, 10, 20, 3), dtype=np.float32)
    >>> ImageResizer(image_size=10).fit_transform(wide)[0, :, 5, 0]
    array([0., 0., 1., 1., 1., 1., 1., 0., 0., 0.], dtype=float32)
    """

    # For scikit-learn's checks; check_image_size and check_keep_aspect state
    # the whole rules, in words.
    _parameter_constraints = {
        "image_size": [Interval(numbers.Integral, 1, None, closed="left"), tuple, list],
        "keep_aspect": [StrOptions({"pad", "crop"}), "boolean"],
    }

    def __init__(self, image_size, keep_aspect="pad"):
        self.image_size = image_size
        self.keep_aspect = keep_aspect

    def fit(self, X, y=None):
        """Check the parameters and ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, \
height, width, channels)
            Images.
        y : None
            Ignored.

        Returns
        -------
        self : ImageResizer
            The fitted resizer.
        """
        name = type(self).__name__
        self.image_size_ = check_image_size(self.image_size, name, allow_none=False)
        check_keep_aspect(self.keep_aspect, name)
        self._validate_params()
        _check_images(X, name)
        return self

    def transform(self, X):
        """Resize the images in ``X`` to ``image_size``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or (n_samples, \
height, width, channels)
            Images of one size, of any numeric dtype.

        Returns
        -------
        images : ndarray of shape (n_samples, height, width) or (n_samples, \
height, width, channels)
            The resized images, in the dtype of ``X``; ``X`` itself when its
            images already have the size ``image_size``.
        """
        check_is_fitted(self)
        name = type(self).__name__
        image_size = check_image_size(self.image_size, name, allow_none=False)
        keep_aspect = check_keep_aspect(self.keep_aspect, name)
        X = _check_images(X, name)
        if X.shape[1:3] == image_size:
            return X
        images = X if X.ndim == 4 else X[..., np.newaxis]
        out = np.zeros((len(X), *image_size, images.shape[-1]), dtype=X.dtype)
        for image, target in zip(images, out, strict=True):
            _resize_channels(image, target, keep_aspect)
        return out if X.ndim == 4 else out[..., 0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
