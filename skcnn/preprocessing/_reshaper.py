"""ImageReshaper: flat pixel rows or image arrays to channels-last images.

NumPy only; TensorFlow is never imported here.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    check_image_shape,
    check_pixels,
    resolve_image_shape,
    sample_shape,
    to_images,
)
from ._docs import fill_doc
from ._stream import refuse_stream

__all__ = ["ImageReshaper"]

#: What to do instead of reshaping an ImageStream.
_STREAM_ADVICE = (
    "Its images already have the shape (n_samples, height, width, channels): "
    "leave ImageReshaper out after ImageLoader(stream=True), or reshape an "
    "array read with stream.read()."
)


@fill_doc
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
    {input_attributes}

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

        {fit_sections}
        """
        self._validate_params()
        image_shape = check_image_shape(self.image_shape, type(self).__name__)
        refuse_stream(X, type(self).__name__, _STREAM_ADVICE)
        X = check_pixels(self, X, reset=True, allow_nan=True)
        self.image_shape_ = resolve_image_shape(
            self, X, image_shape, self.channels_first
        )
        return self

    def transform(self, X):
        """Reshape ``X`` into channels-last images.

        {transform_parameters}

        Returns
        -------
        images : ndarray of shape (n_samples, height, width, channels)
            The images, in the dtype of ``X``.
        """
        check_is_fitted(self)
        refuse_stream(X, type(self).__name__, _STREAM_ADVICE)
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
        refuse_stream(X, type(self).__name__, _STREAM_ADVICE)
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
