"""ImageStream: image files decoded one batch at a time, never all at once.

What ``ImageLoader(stream=True)`` returns. A stream holds only the paths and
the decoding settings, so it is small and picklable; it decodes with the same
code as :class:`~skcnn.ImageLoader` (:func:`._files.decode_images`), so its
pixels are those the loader's array would hold. NumPy and Pillow only, no
TensorFlow.
"""

import numbers
import operator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._arrays import aligned_empty
from .._param_validation import invalid_parameter, is_positive_int
from ._files import check_paths, decode_images
from ._pillow import check_image_size, check_keep_aspect, check_n_jobs
from ._pixel_cache import cached_decode

__all__ = ["ImageStream", "refuse_stream"]

_FLOAT_DTYPES = ("float16", "float32", "float64")


@dataclass(frozen=True, eq=False)
class _Affine:
    """``(batch - offset) / divisor`` into ``dtype``, as PixelScaler computes it.

    ``divisor`` and ``offset`` (None: no shift) hold one float64 value per
    channel, or one value for all channels (``n_channels == 1``).
    """

    divisor: np.ndarray
    offset: np.ndarray | None
    dtype: np.dtype
    n_channels: int

    def apply(self, batch):
        # PixelScaler imports this module, so its arithmetic is imported here
        # when first used, not at import time.
        from ._scaler import _affine, _overflow_message

        try:
            return _affine(
                batch, self.dtype, self.divisor, self.offset, self.n_channels, False
            )
        except OverflowError as error:
            method = "minmax" if self.offset is None else "standard"
            message = _overflow_message(error.args[0], self.dtype, False, method)
            raise ValueError(f"While reading an ImageStream: {message}") from None


def _check_batch_size(batch_size, owner):
    if not is_positive_int(batch_size):
        raise invalid_parameter("batch_size", owner, "a positive int", batch_size)
    return int(batch_size)


def _frozen(paths):
    """``paths`` as a read-only 1-D object array of ``str``.

    An object array holds each path once, at its own length (a fixed-width
    ``str`` array would take 4 bytes per character of the longest path for
    every file); read-only, because slices of a stream share it.
    """
    array = np.empty(len(paths), dtype=object)
    array[:] = paths
    array.flags.writeable = False
    return array


class ImageStream:
    """Image files decoded one batch at a time, for folders larger than memory.

    What ``ImageLoader(stream=True)`` returns in place of an array: the
    paths and the decoding settings of the fitted loader, nothing decoded.
    It has the ``shape``, ``dtype`` and ``len`` of the array it stands for,
    and its images are decoded when they are read: by :meth:`batches`,
    :meth:`read`, :meth:`decode`, by indexing with an int, or by iterating.
    They are those :class:`ImageLoader` would return, pixel for pixel, and a
    file that cannot be read raises an ``OSError`` that names it (a row is
    never dropped).

    Indexing with a slice, an integer array or a boolean mask gives a new
    stream of those files (no file is read), so that scikit-learn's
    cross-validation can split it. A stream is small and picklable (it
    pickles as its paths and settings).

    A stream never turns into an array implicitly: ``np.asarray(stream)``,
    and with it any estimator that validates its input as an array, raises
    a ``TypeError`` instead of quietly decoding every image into memory.
    :meth:`read` does that on purpose.

    :class:`PixelScaler` scales a stream lazily: its ``transform`` returns a
    stream whose images come out scaled (see :meth:`scaled`).

    Parameters
    ----------
    paths : sequence of str or os.PathLike of shape (n_samples,)
        Paths of image files: a list, a 1-D array or a pandas Series.
    image_size : int or tuple of (int, int)
        Size ``(height, width)`` of the decoded images; an int is a square.
    color_mode : {"rgb", "grayscale"}, default="rgb"
        ``"rgb"`` gives 3 channels, ``"grayscale"`` 1.
    keep_aspect : {"pad", "crop", False}, default="pad"
        How an image whose aspect ratio differs from ``image_size``'s is
        fitted, as in :class:`ImageLoader`.
    n_jobs : int, default=None
        Number of threads decoding the files of a batch. None means 1; -1
        means one per CPU core of the machine that reads the stream.
    batch_size : int, default=256
        Number of images :meth:`batches` decodes at a time when it is not
        given one; also the batches in which :class:`PixelScaler` learns
        its statistics and :meth:`read` scales.
    cache_dir : str or path, default=None
        A folder where each decoded image is kept (uint8, one ``.npy`` file
        named from the file's path, size, modification time and the
        decoding settings), so that reading it again (in the next epoch,
        the next fit) loads the pixels instead of decoding the file. Files
        are written whole or not at all; a file changed since is decoded
        again. None decodes every time.

    Attributes
    ----------
    shape : tuple of int
        ``(n_samples, height, width, channels)``.
    dtype : numpy.dtype
        uint8, or the float dtype of a scaled stream.
    ndim : int
        4.
    nbytes : int
        Bytes all the images take once decoded (what :meth:`read` allocates).

    See Also
    --------
    ImageLoader : Makes a stream with ``stream=True``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from skcnn import ImageLoader
    >>> folder = Path(tempfile.mkdtemp())
    >>> paths = []
    >>> for i in range(5):
    ...     paths.append(folder / f"{i}.png")
    ...     Image.new("RGB", (20, 10 + i), (50 * i, 0, 0)).save(paths[-1])
    >>> stream = ImageLoader(image_size=8, stream=True).fit_transform(paths)
    >>> stream
    ImageStream(5 files, image_size=(8, 8), color_mode='rgb')
    >>> stream.shape, stream.dtype
    ((5, 8, 8, 3), dtype('uint8'))
    >>> [batch.shape for batch in stream.batches(2)]
    [(2, 8, 8, 3), (2, 8, 8, 3), (1, 8, 8, 3)]
    >>> stream[1:3]
    ImageStream(2 files, image_size=(8, 8), color_mode='rgb')
    >>> int(stream.decode(4)[4, 4, 0])
    200
    """

    def __init__(
        self,
        paths,
        image_size,
        color_mode="rgb",
        keep_aspect="pad",
        n_jobs=None,
        batch_size=256,
        cache_dir=None,
    ):
        name = type(self).__name__
        self._paths = _frozen(check_paths(paths, name))
        self._image_size = check_image_size(image_size, name, allow_none=False)
        if not (isinstance(color_mode, str) and color_mode in ("rgb", "grayscale")):
            raise invalid_parameter(
                "color_mode", name, "'rgb' or 'grayscale'", color_mode
            )
        self._color_mode = color_mode
        self._keep_aspect = check_keep_aspect(keep_aspect, name)
        check_n_jobs(n_jobs, name)
        # Kept as given: -1 means the cores of whichever machine reads it.
        self._n_jobs = n_jobs
        self._batch_size = _check_batch_size(batch_size, name)
        self._cache_dir = None if cache_dir is None else str(cache_dir)
        self._steps = ()

    # -- what it stands for ------------------------------------------------

    @property
    def paths(self):
        """Read-only 1-D object array of the files' paths (``str``)."""
        return self._paths

    @property
    def image_size(self):
        """Size ``(height, width)`` of the decoded images."""
        return self._image_size

    @property
    def color_mode(self):
        """``"rgb"`` or ``"grayscale"``."""
        return self._color_mode

    @property
    def keep_aspect(self):
        """``"pad"``, ``"crop"`` or False."""
        return self._keep_aspect

    @property
    def n_jobs(self):
        """Number of decoding threads, as given (None: 1; -1: all cores)."""
        return self._n_jobs

    @property
    def batch_size(self):
        """Default number of images per batch."""
        return self._batch_size

    @property
    def cache_dir(self):
        """Folder of the decoded images kept on disk, or None."""
        return self._cache_dir

    @property
    def n_channels(self):
        """Channels of the images: 3 or 1."""
        return 1 if self._color_mode == "grayscale" else 3

    @property
    def shape(self):
        """``(n_samples, height, width, channels)``."""
        return (len(self._paths), *self._image_size, self.n_channels)

    @property
    def dtype(self):
        """uint8, or the float dtype of a scaled stream."""
        return self._steps[-1].dtype if self._steps else np.dtype(np.uint8)

    @property
    def ndim(self):
        """4, as the array of images it stands for."""
        return 4

    @property
    def nbytes(self):
        """Bytes all the images take once decoded."""
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def __len__(self):
        return len(self._paths)

    def __repr__(self):
        scaled = f", scaled to {self.dtype.name}" if self._steps else ""
        return (
            f"{type(self).__name__}({len(self)} files, image_size="
            f"{self._image_size}, color_mode={self._color_mode!r}{scaled})"
        )

    def __array__(self, dtype=None, copy=None):
        # Without this method NumPy would take the stream for a sequence and
        # decode it image by image into one array: an estimator validating
        # its input would quietly hold the whole folder in memory.
        raise TypeError(
            f"An ImageStream does not turn into an array implicitly: that would "
            f"decode all {len(self)} images ({_size(self.nbytes)}) at once, "
            "which streaming is there to avoid. Read it batch by batch with "
            "stream.batches(), all at once on purpose with stream.read(), or "
            "load an array with ImageLoader(stream=False)."
        )

    # -- new streams -----------------------------------------------------

    def _replace(self, **attributes):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(attributes)
        return new

    def _selection(self, key):
        """``key`` as an int, a slice or an integer array of positions.

        scikit-learn's ``_safe_indexing`` passes ``(key, Ellipsis)``.
        """
        if isinstance(key, tuple):
            rest = key[1:]
            if not all(k is Ellipsis or _is_whole(k) for k in rest):
                raise IndexError(
                    "An ImageStream selects whole images (its first axis) only, "
                    f"got the index {key!r}. Read the images first to index "
                    "their pixels."
                )
            key = key[0] if key else slice(None)
        if isinstance(key, (bool, np.bool_)):
            raise TypeError(
                "An ImageStream is indexed with an int, a slice, an integer "
                f"array or a boolean mask of length {len(self)}, got {key!r}."
            )
        if isinstance(key, numbers.Integral) or isinstance(key, slice):
            return key
        if key is Ellipsis:
            return slice(None)
        selection = np.asarray(key)
        if selection.ndim == 1 and selection.dtype == bool:
            if len(selection) != len(self):
                raise IndexError(
                    f"A boolean mask over an ImageStream of {len(self)} images "
                    f"must have {len(self)} values, got {len(selection)}."
                )
            return np.flatnonzero(selection)
        if selection.ndim == 1 and (selection.dtype.kind in "iu" or not selection.size):
            return selection.astype(np.intp)
        raise TypeError(
            "An ImageStream is indexed with an int, a slice, a 1-D integer "
            f"array or a boolean mask of length {len(self)}, got "
            f"{type(key).__name__} {_short(selection)}."
        )

    def __getitem__(self, key):
        """A new stream of the selected files, or one decoded image for an int."""
        selection = self._selection(key)
        if isinstance(selection, numbers.Integral):
            return self.decode(selection)
        paths = self._paths[selection]
        paths.flags.writeable = False
        return self._replace(_paths=paths)

    def scaled(self, divisor, offset=None, dtype="float32"):
        """A stream whose images come out as ``(image - offset) / divisor``.

        Computed as :class:`PixelScaler` computes it, batch by batch: the
        pixels are exactly those ``PixelScaler.transform`` gives for the
        decoded array. :class:`PixelScaler` calls this for a stream.

        Parameters
        ----------
        divisor : float or array-like of shape (n_channels,)
            Positive, finite divisor: one for all channels or one per channel.
        offset : float or array-like of shape (n_channels,), default=None
            Value subtracted first (one per channel, or one for all); None
            subtracts nothing.
        dtype : {"float32", "float64", "float16"}, default="float32"
            dtype of the scaled images.

        Returns
        -------
        stream : ImageStream
            A new stream of the same files; this one is left as it is.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> from PIL import Image
        >>> from skcnn.preprocessing import ImageStream
        >>> path = Path(tempfile.mkdtemp()) / "gray.png"
        >>> Image.new("L", (4, 4), 51).save(path)
        >>> stream = ImageStream([path], image_size=4, color_mode="grayscale")
        >>> stream.scaled(255.0).read()[0, 0, 0]
        array([0.2], dtype=float32)
        """
        name = f"{type(self).__name__}.scaled"
        try:
            out_dtype = np.dtype(dtype)
        except TypeError:
            out_dtype = None
        if out_dtype is None or out_dtype.name not in _FLOAT_DTYPES:
            raise invalid_parameter("dtype", name, "float16, float32 or float64", dtype)
        divisor = _per_channel(divisor, "divisor", self.n_channels, name)
        if not np.all((divisor > 0) & np.isfinite(divisor)):
            raise ValueError(
                f"{name} expects positive, finite divisors, got {divisor.tolist()}."
            )
        if offset is not None:
            offset = _per_channel(offset, "offset", self.n_channels, name)
            if not np.all(np.isfinite(offset)):
                raise ValueError(
                    f"{name} expects finite offsets, got {offset.tolist()}."
                )
            if len(offset) != len(divisor):
                size = max(len(offset), len(divisor))
                offset = np.broadcast_to(offset, size).copy()
                divisor = np.broadcast_to(divisor, size).copy()
        step = _Affine(divisor, offset, out_dtype, len(divisor))
        return self._replace(_steps=(*self._steps, step))

    # -- reading -----------------------------------------------------------

    def _decode(self, paths):
        """Decode ``paths`` (a slice of :attr:`paths`) and apply the scaling."""
        if self._cache_dir is None:
            images = self._decode_files(paths)
        else:
            images = cached_decode(
                paths,
                Path(self._cache_dir),
                (*self._image_size, self.n_channels),
                (self._image_size, self._color_mode, self._keep_aspect),
                self._decode_files,
            )
        for step in self._steps:
            images = step.apply(images)
        return images

    def _decode_files(self, paths):
        n_jobs = check_n_jobs(self._n_jobs, type(self).__name__)
        images, _ = decode_images(
            paths, self._image_size, self.n_channels, self._keep_aspect, n_jobs
        )
        return images

    def batches(self, batch_size=None):
        """Decode the images in order, ``batch_size`` at a time.

        Only one batch is held at a time (decoded by ``n_jobs`` threads);
        the last one is shorter when ``batch_size`` does not divide the
        number of images.

        Parameters
        ----------
        batch_size : int, default=None
            Images per batch; None uses the stream's :attr:`batch_size`.

        Yields
        ------
        batch : ndarray of shape (batch_size, height, width, channels)
            Decoded (and, for a scaled stream, scaled) images of ``dtype``.

        Raises
        ------
        OSError
            If a file cannot be read; the message names it.
        """
        if batch_size is None:
            size = self._batch_size
        else:
            size = _check_batch_size(batch_size, f"{type(self).__name__}.batches")
        return self._batches(size)

    def _batches(self, size):
        for start in range(0, len(self), size):
            yield self._decode(self._paths[start : start + size])

    def __iter__(self):
        # One image at a time, decoded a batch at a time.
        for batch in self.batches():
            yield from batch

    def read(self, indices=None):
        """Decode the selected images, or all of them, into one array.

        This holds them all in memory: :attr:`nbytes` for the whole stream.

        Parameters
        ----------
        indices : int, slice, array-like of int or boolean mask, default=None
            Which images, in which order; None reads them all.

        Returns
        -------
        images : ndarray of shape (n_selected, height, width, channels)
            The images, of ``dtype``; 4-D even for a single int.

        Raises
        ------
        OSError
            If a file cannot be read; the message names it.
        """
        stream = self
        if indices is not None:
            selection = self._selection(indices)
            if isinstance(selection, numbers.Integral):
                selection = [self._position(selection)]
            stream = self[selection]
        if not stream._steps:
            return stream._decode(stream._paths)
        # Scaled into the output batch by batch, so that no uint8 copy of all
        # the images is held next to it.
        out = aligned_empty(stream.shape, stream.dtype)
        start = 0
        for batch in stream.batches():
            out[start : start + len(batch)] = batch
            start += len(batch)
        return out

    def _position(self, index):
        n = len(self)
        i = operator.index(index)
        if not -n <= i < n:
            raise IndexError(
                f"Index {index} is out of range for an ImageStream of {n} images."
            )
        return i % n

    def decode(self, index):
        """Decode one image.

        Parameters
        ----------
        index : int
            Position of the image; negative counts from the end.

        Returns
        -------
        image : ndarray of shape (height, width, channels)
            The image, of ``dtype``.

        Raises
        ------
        OSError
            If the file cannot be read; the message names it.
        """
        i = self._position(index)
        return self._decode(self._paths[i : i + 1])[0]


def _is_whole(key):
    return isinstance(key, slice) and key == slice(None)


def _per_channel(values, name, n_channels, owner):
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(array) not in (1, n_channels):
        raise ValueError(
            f"{owner} expects one {name} or one per channel ({n_channels}), got "
            f"{len(array)}."
        )
    return array


def _short(array):
    text = np.array2string(np.asarray(array), threshold=6, edgeitems=2)
    return text if len(text) < 80 else text[:77] + "..."


def _size(n_bytes):
    for unit in ("bytes", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            break
        n_bytes /= 1000
    return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"


def refuse_stream(X, owner, advice):
    """Raise a TypeError if ``X`` is an :class:`ImageStream` (``advice``: what to do).

    For the transformers that need their input in memory.
    """
    if isinstance(X, ImageStream):
        raise TypeError(
            f"{owner} takes arrays in memory, got an ImageStream of {len(X)} "
            f"images, which are decoded batch by batch. {advice}"
        )
