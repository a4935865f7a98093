"""PixelScaler: pixel values to a small float range.

NumPy only; TensorFlow is never imported here. The statistics and the scaling
are computed one chunk at a time, so no float64 copy of all the pixels is ever
made. An ImageStream is learned from in one pass over its batches and scaled
lazily, batch by batch.
"""

import math
import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._arrays import aligned_empty
from .._compat import Interval, StrOptions
from .._param_validation import invalid_parameter
from .._validation import check_pixels, infer_image_shape
from ._docs import fill_doc
from ._stream import ImageStream

__all__ = ["PixelScaler"]

_FLOAT_DTYPES = {np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)}

#: Values scaled per step: a float64 chunk of them stays within the CPU caches.
_CHUNK_VALUES = 1 << 16


@fill_doc
class PixelScaler(TransformerMixin, BaseEstimator):
    """Scale pixel values to floats, as a CNN expects them.

    Works on flat pixel rows and on image arrays alike and keeps their shape.
    The output is a single array of ``dtype``; no float64 copy of the pixels
    is made on the way unless ``dtype="float64"`` is asked for.

    An :class:`ImageStream` (from ``ImageLoader(stream=True)``) is scaled
    lazily: :meth:`transform` returns a stream whose batches come out scaled,
    exactly as the decoded array would be. What :meth:`fit` learns from a
    stream it learns in one pass over its batches, holding one at a time
    (uint8 pixels need none for ``"minmax"``: their divisor is 255).

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
        Per-channel standard deviation, for ``"standard"``; 1 for a constant
        channel (whose pixels all scale to 0) and where it underflows to 0.
    {input_attributes}

    See Also
    --------
    ImageReshaper : Reshape flat pixel rows into images.

    Notes
    -----
    The statistics are learned in float64, and the scaling is computed in
    float64 one chunk at a time, each result rounded once to ``dtype``.
    float32 is used instead where it gives the same result: dividing pixels
    that float32 holds exactly (uint8, for instance) by a divisor it holds.
    Pixels and divisors too small or too large for ``dtype`` (float64 pixels
    of 1e-49 scaled into float32, say) are thus scaled correctly, never into
    NaN; a result closer to 0 than ``dtype`` can hold becomes 0.

    A result too large for ``dtype`` raises a ``ValueError`` instead of
    becoming inf, and nothing is clipped: float16 holds at most 65504 (pixels
    far above the fitted ``max_value_``, for instance) and float32 about
    3.4e38 (float64 pixels of 1e300, returned by :meth:`inverse_transform`).

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
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in _FLOAT_DTYPES:
            raise invalid_parameter(
                "dtype",
                type(self).__name__,
                "float16, float32 or float64 (a name, a NumPy type or dtype)",
                self.dtype,
            )
        return dtype

    def fit(self, X, y=None):
        """Learn the scaling from ``X``.

        {fit_sections}

        Notes
        -----
        ``X`` may also be an :class:`ImageStream`, read once, batch by batch.
        The statistics of uint8 pixels are then summed exactly, in integers;
        those of a scaled stream's floats are merged batch by batch.
        """
        self._validate_params()
        self._out_dtype()
        if isinstance(X, ImageStream):
            return self._fit_stream(X)
        X = check_pixels(self, X, reset=True)
        if self.method == "minmax":
            self.max_value_ = self._learn_max_value(X)
            learned = [self.max_value_]
        else:
            channels = X.reshape(-1, _n_channels(X))
            self.mean_, self.std_ = _channel_mean_std(channels)
            learned = [self.mean_, self.std_]
        if not all(np.all(np.isfinite(value)) for value in learned):
            raise ValueError(
                f"PixelScaler(method={self.method!r}) learned a non-finite "
                f"scaling from pixels in [{X.min()}, {X.max()}], which go "
                "beyond what float64 holds."
            )
        return self

    def _fit_stream(self, stream):
        self._check_stream(stream, reset=True)
        if self.method == "minmax":
            if self.max_value is not None:
                self.max_value_ = float(self.max_value)
            elif stream.dtype.kind in "iu":
                # A stream's integer pixels are uint8: in [0, 255] by
                # construction, so no file needs reading.
                self.max_value_ = 255.0
            else:
                high = max(float(batch.max()) for batch in stream.batches())
                self.max_value_ = high if high > 0 else 1.0
            learned = [self.max_value_]
        else:
            self.mean_, self.std_ = _stream_mean_std(stream)
            learned = [self.mean_, self.std_]
        if not all(np.all(np.isfinite(value)) for value in learned):
            raise ValueError(
                f"PixelScaler(method={self.method!r}) learned a non-finite "
                f"scaling from an ImageStream of {stream.dtype} pixels, which go "
                "beyond what float64 holds."
            )
        return self

    def _check_stream(self, stream, reset):
        """Record (``reset``) or check the values per image of ``stream``."""
        name = type(self).__name__
        n_features = int(np.prod(stream.shape[1:]))
        if reset:
            if len(stream) == 0:
                raise ValueError(
                    f"Found an ImageStream with 0 sample(s) (shape={stream.shape}) "
                    f"while a minimum of 1 is required by {name}."
                )
            self.n_features_in_ = n_features
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        if n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {name} is expecting "
                f"{self.n_features_in_} features as input (X is an ImageStream "
                f"of images {'x'.join(map(str, stream.shape[1:]))})."
            )

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

        {transform_parameters}

        Returns
        -------
        X_scaled : ndarray of the same shape as ``X``, or ImageStream
            Scaled pixels in ``dtype``. For an :class:`ImageStream`, a new
            stream of the same files whose images come out scaled (nothing
            is read here).

        Raises
        ------
        ValueError
            If a scaled pixel is too large for ``dtype`` (for a stream, when
            the batch holding it is read).
        """
        return self._scale(X, inverse=False)

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

        Raises
        ------
        ValueError
            If a pixel on the original scale is too large for ``dtype``.
        TypeError
            If ``X`` is an :class:`ImageStream`: a stream is scaled forwards
            only.
        """
        return self._scale(X, inverse=True)

    def _scale(self, X, inverse):
        check_is_fitted(self)
        if isinstance(X, ImageStream):
            return self._scale_stream(X, inverse)
        X = check_pixels(self, X, reset=False)
        if self.method == "minmax":
            n_channels, offset = 1, None
            divisor = np.array([self.max_value_], dtype=np.float64)
        else:
            n_channels = _n_channels(X, fitted=len(self.mean_))
            offset, divisor = self.mean_, self.std_
        dtype = self._out_dtype()
        try:
            return _affine(X, dtype, divisor, offset, n_channels, inverse)
        except OverflowError as error:
            message = _overflow_message(error.args[0], dtype, inverse, self.method)
            raise ValueError(message) from None

    def _scale_stream(self, stream, inverse):
        if inverse:
            raise TypeError(
                "PixelScaler.inverse_transform takes arrays, got an ImageStream: "
                "a stream is scaled forwards only. Undo the scaling of its "
                "batches one at a time: scaler.inverse_transform(batch) for "
                "batch in stream.batches()."
            )
        self._check_stream(stream, reset=False)
        dtype = self._out_dtype()
        if self.method == "minmax":
            return stream.scaled(self.max_value_, None, dtype)
        fitted = len(self.mean_)
        if stream.n_channels != fitted:
            raise ValueError(
                f"PixelScaler was fitted on {fitted} channels, got images with "
                f"{stream.n_channels} channels."
            )
        return stream.scaled(self.std_, self.mean_, dtype)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            tags.transformer_tags.preserves_dtype = [self._out_dtype().name]
        except (TypeError, ValueError):
            tags.transformer_tags.preserves_dtype = []
        return tags


def _n_channels(X, fitted=None):
    """Number of channels of validated ``X`` (channels-last layout).

    Flat rows hold ``fitted`` channels, or as many as their inferred image
    shape; images whose channel count differs from ``fitted`` are refused.
    """
    if X.ndim == 4:
        got = X.shape[-1]
    elif X.ndim == 3:
        got = 1
    else:
        got = fitted or infer_image_shape(X.shape[1])[2]
    if fitted is not None and got != fitted:
        raise ValueError(
            f"PixelScaler was fitted on {fitted} channels, got images with "
            f"{got} channels."
        )
    return got


def _channel_mean_std(channels, chunk=1 << 18):
    """Per-column mean and std in float64, over chunks of rows.

    Only one chunk at a time is converted to float64, never the whole array.
    A constant column gets its value as mean and 1 as std, exactly, so that
    it scales to 0 whatever its size; so does a column whose std underflows
    to 0. float64 pixels are divided by a power of two near each column's
    largest magnitude (exactly, without rounding) before they are summed,
    so that neither the sums nor the squares overflow or underflow near
    float64's limits.
    """
    n, n_columns = channels.shape
    low = np.full(n_columns, np.inf)
    high = np.full(n_columns, -np.inf)
    for start in range(0, n, chunk):
        block = channels[start : start + chunk]
        np.minimum(low, block.min(axis=0), out=low)
        np.maximum(high, block.max(axis=0), out=high)
    unit = np.ones(n_columns)
    rescale = channels.dtype.kind == "f" and channels.dtype.itemsize >= 8
    if rescale:
        peak = np.maximum(np.abs(low), np.abs(high))
        # 2**(e - 1) <= peak < 2**e, and 2**(e - 1) is finite for any float64.
        unit = np.where(peak > 0, np.ldexp(1.0, np.frexp(peak)[1] - 1), 1.0)

    def blocks():
        for start in range(0, n, chunk):
            block = channels[start : start + chunk].astype(np.float64)
            yield block / unit if rescale else block

    mean = sum(block.sum(axis=0) for block in blocks()) / n
    squares = np.zeros(n_columns)
    for block in blocks():
        block -= mean
        squares += np.einsum("ij,ij->j", block, block)
    mean, std = mean * unit, np.sqrt(squares / n) * unit
    constant = low == high
    mean[constant] = low[constant]
    std[constant | (std == 0)] = 1.0
    return mean, std


def _stream_mean_std(stream, rows=1 << 16):
    """Per-channel mean and std of an :class:`ImageStream`, in one pass.

    One batch is held at a time. uint8 pixels are summed, with their
    squares, exactly in integers, so that the mean and the variance are the
    exact ones, each rounded once to float64. Float pixels (a scaled stream)
    are merged batch by batch (Chan, Golub and LeVeque's pairwise update of
    the mean and the sum of squared deviations), each batch centred on its
    own mean. A constant channel gets its value as mean and 1 as std, as
    :func:`_channel_mean_std` gives it.
    """
    n_channels = stream.n_channels
    low = np.full(n_channels, np.inf)
    high = np.full(n_channels, -np.inf)
    integer = stream.dtype.kind in "iu"
    sums, squares = [0] * n_channels, [0] * n_channels  # Python ints: exact
    count, mean, deviations = 0, np.zeros(n_channels), np.zeros(n_channels)
    for batch in stream.batches():
        values = batch.reshape(-1, n_channels)
        np.minimum(low, values.min(axis=0), out=low)
        np.maximum(high, values.max(axis=0), out=high)
        if integer:
            # int64 blocks of ``rows`` rows: 255**2 * 2**16 cannot overflow.
            for start in range(0, len(values), rows):
                block = values[start : start + rows].astype(np.int64)
                block_sums = block.sum(axis=0)
                block_squares = np.einsum("ij,ij->j", block, block)
                sums = [s + int(v) for s, v in zip(sums, block_sums, strict=True)]
                squares = [
                    q + int(v) for q, v in zip(squares, block_squares, strict=True)
                ]
            count += len(values)
            continue
        block = values.astype(np.float64)
        block_mean = block.mean(axis=0)
        block -= block_mean
        block_deviations = np.einsum("ij,ij->j", block, block)
        total = count + len(block)
        delta = block_mean - mean
        mean = mean + delta * (len(block) / total)
        deviations = (
            deviations + block_deviations + delta**2 * (count * len(block) / total)
        )
        count = total
    if integer:
        mean = np.array([s / count for s in sums])
        std = np.array(
            [
                math.sqrt((count * q - s * s) / (count * count))
                for s, q in zip(sums, squares, strict=True)
            ]
        )
    else:
        std = np.sqrt(deviations / count)
    constant = low == high
    mean[constant] = low[constant]
    std[constant | (std == 0)] = 1.0
    return mean, std


def _working_dtype(in_dtype, out_dtype, divisor, offset):
    """float64, or float32 where it computes what float64 would.

    That is a plain division (or multiplication) of pixels float32 holds
    exactly by a divisor float32 holds as a normal number, into float32 or
    float16.
    """
    limits = np.finfo(np.float32)
    if (
        out_dtype.itemsize <= 4
        and offset is None
        and np.can_cast(in_dtype, np.float32)
        and np.all((divisor >= limits.tiny) & (divisor <= limits.max))
    ):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _affine(X, dtype, divisor, offset, n_channels, inverse):
    """``(X - offset) / divisor`` (``X * divisor + offset`` if ``inverse``).

    ``divisor`` and ``offset`` (None for no shift) hold one float64 value per
    channel. The result is a new 64-byte aligned array of ``dtype``, computed
    chunk by chunk in the working dtype and rounded once into the output.
    Raises OverflowError, with the largest magnitude computed in float64, if
    a result is too large for ``dtype``.
    """
    out = aligned_empty(X.shape, dtype)
    work = _working_dtype(X.dtype, dtype, divisor, offset)

    def apply(block, halve=False):
        # With halve=True, every term is halved first (exactly, in float64),
        # so that a shift by the mean cannot overflow on the way to a result
        # float64 holds.
        factor = 0.5 if halve else 1.0
        values = block.reshape(-1, n_channels)
        scale = (divisor * factor).astype(block.dtype)
        shift = None if offset is None else (offset * factor).astype(block.dtype)
        if inverse:
            values *= scale
            if shift is not None:
                values += shift
            if halve:
                values *= 2.0
        else:
            if halve:
                values *= 0.5
            if shift is not None:
                values -= shift
            values /= scale
        return block

    # C-contiguous input is walked as (values, channels) rows; any other
    # layout one group of whole samples at a time.
    source, target = X, out
    if X.flags.c_contiguous:
        source, target = X.reshape(-1, n_channels), out.reshape(-1, n_channels)
    step = max(1, _CHUNK_VALUES // max(1, source[0].size))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for start in range(0, len(source), step):
            part, result = source[start : start + step], target[start : start + step]
            if work == dtype:
                np.copyto(result, part, casting="unsafe")
                apply(result)
            else:
                np.copyto(
                    result,
                    apply(np.array(part, dtype=work, order="C")),
                    casting="unsafe",
                )
            if not np.isfinite(result).all():
                exact = np.array(part, dtype=np.float64, order="C")
                apply(exact, halve=offset is not None)
                np.copyto(result, exact, casting="unsafe")
                if not np.isfinite(result).all():
                    raise OverflowError(np.abs(exact).max())
    return out


def _overflow_message(peak, dtype, inverse, method):
    kind = "unscaled" if inverse else "scaled"
    if not np.isfinite(peak):
        message = f"the {kind} pixels go beyond what float64 holds"
    else:
        largest = np.finfo(dtype).max
        message = (
            f"the {kind} pixels reach {peak:.4g}, more than {dtype.name} holds "
            f"(at most {largest:.4g})"
        )
    hints = []
    wider = [d for d in ("float32", "float64") if np.finfo(d).max >= peak]
    if wider and np.dtype(wider[0]).itemsize > dtype.itemsize:
        hints.append(f"ask for dtype={wider[0]!r}")
    if not inverse and method == "minmax":
        hints.append("pass a max_value that suits these pixels")
    elif not inverse:
        hints.append("fit the scaler on pixels like these")
    message = f"PixelScaler.{'inverse_' if inverse else ''}transform: {message}"
    message += "; nothing is clipped."
    return f"{message} Instead, {' or '.join(hints)}." if hints else message
