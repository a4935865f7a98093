"""Validation of pixel arrays, labels and the image-shape rule shared by all estimators.

Nothing here imports TensorFlow: every check runs before a model is touched.
"""

import math
import numbers

import numpy as np
from scipy import sparse
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from ._param_validation import Rule, is_positive_int


def infer_image_shape(n_features):
    """Infer a channels-last image shape from a number of values per sample.

    This is the rule :class:`~skcnn.ImageReshaper` and
    :class:`~skcnn.CNNClassifier` share when no ``image_shape`` is given.

    Parameters
    ----------
    n_features : int
        Number of values per sample (pixels times channels).

    Returns
    -------
    image_shape : tuple of int
        ``(s, s, 1)`` when ``n_features == s * s``, ``(s, s, 3)`` when
        ``n_features == 3 * s * s``, and otherwise a ``(1, n_features, 1)``
        strip, so that tabular data still yields a valid (if one-row) image.

    Examples
    --------
    >>> from skcnn.preprocessing import infer_image_shape
    >>> infer_image_shape(784)
    (28, 28, 1)
    >>> infer_image_shape(3072)
    (32, 32, 3)
    >>> infer_image_shape(5)
    (1, 5, 1)
    """
    if not isinstance(n_features, numbers.Integral) or n_features < 1:
        raise ValueError(f"n_features must be a positive integer, got {n_features!r}.")
    n_features = int(n_features)
    side = math.isqrt(n_features)
    if side > 1 and side * side == n_features:
        return (side, side, 1)
    if n_features % 3 == 0:
        side = math.isqrt(n_features // 3)
        if side > 1 and 3 * side * side == n_features:
            return (side, side, 3)
    return (1, n_features, 1)


def _is_image_shape(image_shape):
    return (
        isinstance(image_shape, (tuple, list))
        and len(image_shape) in (2, 3)
        and all(is_positive_int(v) for v in image_shape)
    )


#: What a valid ``image_shape`` is, beyond being a tuple or list.
IMAGE_SHAPE_RULE = Rule(
    lambda shape: shape is None or _is_image_shape(shape),
    "None or a tuple (height, width) or (height, width, channels) of positive ints",
)


def check_image_shape(image_shape, owner):
    """Validate an ``image_shape`` parameter; return it as a 3-tuple or None.

    ``(h, w)`` means one channel, ``(h, w, c)`` is channels-last. Raises
    :class:`~skcnn._param_validation.InvalidParameterError` naming ``owner``.
    """
    IMAGE_SHAPE_RULE.check("image_shape", image_shape, owner)
    if image_shape is None:
        return None
    shape = tuple(int(v) for v in image_shape)
    return shape if len(shape) == 3 else shape + (1,)


def check_pixels(
    estimator, X, *, reset, allow_nan=False, fitted_shape=None, ensure_min_samples=1
):
    """Validate pixel input for ``estimator`` and record what was seen in fit.

    Accepts array-likes of 2 (flat rows), 3 (``(n, h, w)``) or 4
    (``(n, h, w, c)``) dimensions, lists and pandas DataFrames. Numeric dtypes
    are kept as they are (no float64 copy of uint8 or float32 pixels); object
    arrays of numbers become float32. Sets (``reset=True``) or checks
    ``n_features_in_`` (values per sample) and ``feature_names_in_``.

    When ``fitted_shape`` (the per-sample shape of images seen in fit) is given
    and ``X`` holds images too, a different image shape is reported with both
    shapes before the number of values per sample is compared.

    Returns
    -------
    X : ndarray
        The validated array, of 2 to 4 dimensions.
    """
    if sparse.issparse(X):
        raise TypeError(
            f"{type(estimator).__name__} expects dense pixel arrays, got a "
            f"sparse {type(X).__name__}. Convert it with X.toarray() first."
        )
    original = X
    dtype_kind = getattr(getattr(X, "dtype", None), "kind", None)
    if dtype_kind in ("U", "S"):
        raise TypeError(
            f"{type(estimator).__name__} expects numeric pixel values, got an "
            f"array of strings (dtype {X.dtype})."
        )
    if _is_plain_pixel_array(X, ensure_min_samples):
        # What check_array would return unchanged; checking it directly saves
        # tens of microseconds of each call (a one-image prediction takes ~1 ms).
        if dtype_kind == "f":
            assert_all_finite(
                X,
                allow_nan=allow_nan,
                estimator_name=type(estimator).__name__,
                input_name="X",
            )
    else:
        X = check_array(
            X,
            accept_sparse=False,
            allow_nd=True,
            dtype="numeric",
            ensure_all_finite="allow-nan" if allow_nan else True,
            ensure_min_samples=ensure_min_samples,
            input_name="X",
            estimator=estimator,
        )
    if dtype_kind == "O" and X.dtype == np.float64:
        X = X.astype(np.float32)
    if X.ndim > 4:
        raise ValueError(
            f"{type(estimator).__name__} expects flat pixel rows (n_samples, "
            "n_features), grayscale images (n_samples, height, width) or "
            f"images (n_samples, height, width, channels); got an array with "
            f"{X.ndim} dimensions of shape {X.shape}."
        )
    if X.dtype == bool:
        X = X.astype(np.uint8)
    if fitted_shape is not None and X.ndim >= 3 and len(fitted_shape) == 3:
        got = sample_shape(X)
        if got != tuple(fitted_shape):
            raise ValueError(
                f"{type(estimator).__name__} expected images of shape "
                f"{tuple(fitted_shape)} as in fit, got {got}."
            )
    # Feature names come from the DataFrame itself; the number of values per
    # sample from a flat view of the array (no copy for contiguous input).
    flat = original if hasattr(original, "columns") else X.reshape(len(X), -1)
    validate_data(estimator, flat, reset=reset, skip_check_array=True)
    return X


def is_stream(X):
    """Whether ``X`` is an :class:`~skcnn.preprocessing.ImageStream`."""
    from .preprocessing._stream import ImageStream

    return isinstance(X, ImageStream)


def check_stream(estimator, X, *, reset, fitted_shape=None, image_shape=None):
    """Validate an :class:`~skcnn.preprocessing.ImageStream` without reading it.

    Sets (``reset=True``) or checks ``n_features_in_`` as
    :func:`check_pixels` does for arrays, from the stream's shape; with
    ``fitted_shape``, a different image shape is reported with both shapes.
    With ``image_shape`` (checked, channels-last), the stream's images must
    have that shape.

    Returns
    -------
    image_shape : tuple of int
        Channels-last ``(height, width, channels)`` of the stream's images.
    """
    name = type(estimator).__name__
    if len(X) == 0:
        raise ValueError(f"{name} got an empty ImageStream: there are no images.")
    got = tuple(int(v) for v in X.shape[1:])
    expected = fitted_shape if fitted_shape is not None else image_shape
    if expected is not None and got != tuple(expected):
        where = "as in fit" if fitted_shape is not None else "as image_shape says"
        raise ValueError(
            f"{name} expected images of shape {tuple(expected)} {where}, got "
            f"an ImageStream of images of shape {got}."
        )
    n_features = math.prod(got)
    if reset:
        estimator.n_features_in_ = n_features
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif n_features != getattr(estimator, "n_features_in_", n_features):
        raise ValueError(
            f"X has {n_features} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return got


def _is_plain_pixel_array(X, ensure_min_samples):
    """Whether ``X`` is a non-empty NumPy array that check_array would keep as is.

    That is a plain ``ndarray`` (no subclass, no DataFrame) of booleans,
    integers or reals with 2 to 4 dimensions and enough samples; only its
    finiteness is left to check.
    """
    return (
        type(X) is np.ndarray
        and X.dtype.kind in "biuf"
        and 2 <= X.ndim <= 4
        and X.size > 0
        and X.shape[0] >= ensure_min_samples
    )


def sample_shape(X):
    """Per-sample shape of a validated array; ``(n, h, w)`` counts as one channel."""
    shape = tuple(int(v) for v in X.shape[1:])
    return shape + (1,) if len(shape) == 2 else shape


def resolve_image_shape(estimator, X, image_shape, channels_first=False):
    """Channels-last ``(h, w, c)`` shape of one sample of validated ``X``.

    ``image_shape`` (already checked with :func:`check_image_shape`) is given
    channels-last; with ``channels_first=True`` the input itself is laid out
    ``(c, h, w)`` per sample.
    """
    name = type(estimator).__name__
    if X.ndim == 2:
        n_values = X.shape[1]
        if image_shape is None:
            return infer_image_shape(n_values)
        if math.prod(image_shape) != n_values:
            raise ValueError(
                f"{name} got image_shape={image_shape}, which holds "
                f"{math.prod(image_shape)} values per image, but X has "
                f"{n_values} values per row."
            )
        return image_shape
    if X.ndim == 3:
        shape = (X.shape[1], X.shape[2], 1)
    elif channels_first:
        shape = (X.shape[2], X.shape[3], X.shape[1])
    else:
        shape = tuple(X.shape[1:])
    shape = tuple(int(v) for v in shape)
    if image_shape is not None and image_shape != shape:
        raise ValueError(
            f"{name} got image_shape={image_shape}, but X holds images of "
            f"shape {shape}."
        )
    return shape


def to_images(X, image_shape, channels_first=False):
    """Reshape validated ``X`` into channels-last ``(n, h, w, c)`` images.

    A view of ``X`` whenever the layout allows it; channels-first input is
    transposed into a contiguous copy of the same dtype.
    """
    h, w, c = image_shape
    n = X.shape[0]
    if X.ndim == 2:
        if channels_first:
            return np.ascontiguousarray(X.reshape(n, c, h, w).transpose(0, 2, 3, 1))
        return X.reshape(n, h, w, c)
    if X.ndim == 3:
        return X.reshape(n, h, w, 1)
    if channels_first:
        return np.ascontiguousarray(X.transpose(0, 2, 3, 1))
    return X


def check_labels(estimator, y, X):
    """Validate classification labels against ``X``."""
    name = type(estimator).__name__
    y = np.asarray(y) if not hasattr(y, "iloc") else y.to_numpy()
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(
            f"{name} expects y of shape (n_samples,) with one label per "
            f"sample, got y of shape {y.shape}. Multi-output and multi-label "
            "targets are not supported."
        )
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
    y = check_array(y, ensure_2d=False, dtype=None, input_name="y", estimator=name)
    check_classification_targets(y)
    return y
