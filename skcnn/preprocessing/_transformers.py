"""Transformers that turn raw pixel arrays into what a CNN expects.

:class:`ImageReshaper` turns flat pixel rows into channels-last images and
:class:`PixelScaler` maps pixel values to a small float range. Neither imports
TensorFlow.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._arrays import aligned_copy
from .._validation import (
    check_image_shape,
    check_pixels,
    infer_image_shape,
    resolve_image_shape,
    sample_shape,
    to_images,
)

__all__ = ["ImageReshaper", "PixelScaler", "infer_image_shape"]

_FLOAT_DTYPES = {np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)}


class ImageReshaper(TransformerMixin, BaseEstimator):
    """Reshape pixel arrays into channels-last ``(n, height, width, channels)``.

    Flat rows ``(n, p)`` are reshaped to ``image_shape`` or, without it, to the
    shape inferred from ``p`` (see :func:`infer_image_shape`): ``p = s * s``
    gives ``(s, s, 1)``, ``p = 3 * s * s`` gives ``(s, s, 3)`` and any other
    ``p`` a ``(1, p, 1)`` strip. Grayscale images ``(n, h, w)`` gain a channel
    axis and channels-last images pass through. Pixels keep their dtype; the
    output is a view of the input whenever the layout allows it.

    Parameters
    ----------
    image_shape : tuple of int, default=None
        Shape of one image, ``(height, width)`` or ``(height, width,
        channels)``, always given channels-last. None infers it from the data.
    channels_first : bool, default=False
        Whether the input stores each image channels-first, ``(channels,
        height, width)`` (as flat rows or as a 4-D array). The output is
        channels-last either way.

    Attributes
    ----------
    image_shape_ : tuple of int
        Channels-last shape ``(height, width, channels)`` of one output image.
    n_features_in_ : int
        Number of values per sample seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during :meth:`fit`, when ``X`` was a DataFrame.

    See Also
    --------
    PixelScaler : Scale pixel values to a float range.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn import ImageReshaper
    >>> X = np.arange(2 * 784, dtype=np.uint8).reshape(2, 784)
    >>> images = ImageReshaper().fit_transform(X)
    >>> images.shape, images.dtype
    ((2, 28, 28, 1), dtype('uint8'))
    >>> ImageReshaper().fit(X).inverse_transform(images).shape
    (2, 784)
    """

    _parameter_constraints = {
        "image_shape": [tuple, list, None],
        "channels_first": ["boolean"],
    }

    def __init__(self, image_shape=None, channels_first=False):
        self.image_shape = image_shape
        self.channels_first = channels_first

    def fit(self, X, y=None):
        """Learn the image shape from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Pixel rows or images.
        y : None
            Ignored.

        Returns
        -------
        self : ImageReshaper
            The fitted transformer.
        """
        self._validate_params()
        image_shape = check_image_shape(self.image_shape)
        X = check_pixels(self, X, reset=True, allow_nan=True)
        self.image_shape_ = resolve_image_shape(
            self, X, image_shape, self.channels_first
        )
        return self

    def transform(self, X):
        """Reshape ``X`` into channels-last images.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Pixel rows or images with as many values per sample as in fit.

        Returns
        -------
        images : ndarray of shape (n_samples, height, width, channels)
            The images, in the dtype of ``X``.
        """
        check_is_fitted(self)
        X = check_pixels(
            self,
            X,
            reset=False,
            allow_nan=True,
            fitted_shape=None if self.channels_first else self.image_shape_,
        )
        if X.ndim > 2:
            resolve_image_shape(self, X, self.image_shape_, self.channels_first)
        return to_images(X, self.image_shape_, self.channels_first)

    def inverse_transform(self, X):
        """Flatten images back into pixel rows in the input's layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, channels)
            Channels-last images of the fitted shape.

        Returns
        -------
        rows : ndarray of shape (n_samples, height * width * channels)
            One row per image, channels-first ordered if ``channels_first``.
        """
        check_is_fitted(self)
        X = np.asarray(X)
        if X.ndim < 2 or sample_shape(X) != self.image_shape_:
            raise ValueError(
                f"{type(self).__name__}.inverse_transform expected images of "
                f"shape (n_samples, {', '.join(map(str, self.image_shape_))}), "
                f"got an array of shape {X.shape}."
            )
        images = X.reshape(len(X), *self.image_shape_)
        if self.channels_first:
            images = images.transpose(0, 3, 1, 2)
        return images.reshape(len(X), -1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class PixelScaler(TransformerMixin, BaseEstimator):
    """Scale pixel values to floats, as a CNN expects them.

    Works on flat pixel rows and on image arrays alike and keeps their shape.
    The output is a single array of ``dtype``; no float64 copy of the pixels
    is made on the way unless ``dtype="float64"`` is asked for.

    Parameters
    ----------
    method : {"minmax", "standard"}, default="minmax"
        ``"minmax"`` divides by ``max_value``, mapping pixels to ``[0, 1]``.
        ``"standard"`` subtracts each channel's mean and divides by its
        standard deviation, both learned in :meth:`fit`.
    max_value : float, default=None
        Largest possible pixel value, used by ``"minmax"``. None means 255 for
        integer pixels (which must then lie in ``[0, 255]``) and the largest
        value seen in :meth:`fit` for float pixels.
    dtype : {"float32", "float64", "float16"}, default="float32"
        Output dtype. float32 is what Keras computes in.

    Attributes
    ----------
    max_value_ : float
        The divisor used by ``"minmax"``.
    mean_ : ndarray of shape (n_channels,)
        Per-channel mean, for ``"standard"``.
    std_ : ndarray of shape (n_channels,)
        Per-channel standard deviation (1 where it is 0), for ``"standard"``.
    n_features_in_ : int
        Number of values per sample seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during :meth:`fit`, when ``X`` was a DataFrame.

    See Also
    --------
    ImageReshaper : Reshape flat pixel rows into images.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn import PixelScaler
    >>> X = np.array([[0, 51, 255]], dtype=np.uint8)
    >>> PixelScaler().fit_transform(X)
    array([[0. , 0.2, 1. ]], dtype=float32)
    """

    _parameter_constraints = {
        "method": [StrOptions({"minmax", "standard"})],
        "max_value": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "dtype": [StrOptions({"float16", "float32", "float64"}), type, np.dtype],
    }

    def __init__(self, method="minmax", max_value=None, dtype="float32"):
        self.method = method
        self.max_value = max_value
        self.dtype = dtype

    def _out_dtype(self):
        dtype = np.dtype(self.dtype)
        if dtype not in _FLOAT_DTYPES:
            raise ValueError(
                "PixelScaler's dtype must be float16, float32 or float64, got "
                f"{self.dtype!r}."
            )
        return dtype

    def fit(self, X, y=None):
        """Learn the scaling from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Pixel rows or images.
        y : None
            Ignored.

        Returns
        -------
        self : PixelScaler
            The fitted transformer.
        """
        self._validate_params()
        self._out_dtype()
        X = check_pixels(self, X, reset=True)
        if self.method == "minmax":
            self.max_value_ = self._learn_max_value(X)
        else:
            channels = _channel_view(X)
            self.mean_, self.std_ = _channel_mean_std(channels)
        return self

    def _learn_max_value(self, X):
        if self.max_value is not None:
            return float(self.max_value)
        if X.dtype.kind in "iub":
            low, high = X.min(), X.max()
            if low < 0 or high > 255:
                raise ValueError(
                    "PixelScaler(method='minmax') expects integer pixels in "
                    f"[0, 255], got values in [{low}, {high}]. Pass max_value "
                    "for another range, or use method='standard'."
                )
            return 255.0
        high = float(X.max())
        return high if high > 0 else 1.0

    def transform(self, X):
        """Scale ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Pixel rows or images with as many values per sample as in fit.

        Returns
        -------
        X_scaled : ndarray of the same shape as ``X``
            Scaled pixels in ``dtype``.
        """
        check_is_fitted(self)
        X = check_pixels(self, X, reset=False)
        out = aligned_copy(X, self._out_dtype())
        if self.method == "minmax":
            out /= out.dtype.type(self.max_value_)
        else:
            channels = _channel_view(out, n_channels=len(self.mean_))
            channels -= self.mean_.astype(out.dtype)
            channels /= self.std_.astype(out.dtype)
        return out

    def inverse_transform(self, X):
        """Undo the scaling.

        Parameters
        ----------
        X : array-like
            Scaled pixels, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray of the same shape as ``X``
            Pixels on the original scale, in ``dtype``.
        """
        check_is_fitted(self)
        X = check_pixels(self, X, reset=False)
        out = aligned_copy(X, self._out_dtype())
        if self.method == "minmax":
            out *= out.dtype.type(self.max_value_)
        else:
            channels = _channel_view(out, n_channels=len(self.mean_))
            channels *= self.std_.astype(out.dtype)
            channels += self.mean_.astype(out.dtype)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            tags.transformer_tags.preserves_dtype = [self._out_dtype().name]
        except (TypeError, ValueError):
            tags.transformer_tags.preserves_dtype = []
        return tags


def _channel_view(X, n_channels=None):
    """View of ``X`` as ``(n_values, n_channels)`` (channels-last layout)."""
    if n_channels is None:
        if X.ndim == 4:
            n_channels = X.shape[-1]
        elif X.ndim == 3:
            n_channels = 1
        else:
            n_channels = infer_image_shape(X.shape[1])[2]
    got = {4: X.shape[-1], 3: 1}.get(X.ndim, n_channels)
    if got != n_channels:
        raise ValueError(
            f"PixelScaler was fitted on {n_channels} channels, got images with "
            f"{got} channels."
        )
    return X.reshape(-1, n_channels)


def _channel_mean_std(channels, chunk=1 << 18):
    """Per-column mean and std in float64, two passes over chunks.

    Only one chunk at a time is converted to float64, never the whole array.
    """
    n = len(channels)
    mean = np.zeros(channels.shape[1])
    for start in range(0, n, chunk):
        mean += channels[start : start + chunk].sum(axis=0, dtype=np.float64)
    mean /= n
    squares = np.zeros(channels.shape[1])
    for start in range(0, n, chunk):
        block = channels[start : start + chunk].astype(np.float64) - mean
        squares += np.einsum("ij,ij->j", block, block)
    std = np.sqrt(squares / n)
    # A constant channel leaves only rounding noise, relative to its level.
    std[std <= 1e-8 * np.maximum(np.abs(mean), 1.0)] = 1.0
    return mean, std
