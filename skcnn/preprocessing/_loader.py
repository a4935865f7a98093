"""ImageLoader: image files in, one uint8 array of images (or an ImageStream) out."""

import numbers
import os

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions
from .._param_validation import invalid_parameter
from ._files import (
    check_paths,
    common_size,
    decode_images,
    read_headers,
    resolve_color_mode,
)
from ._pillow import (
    COLOR_MODES,
    check_color_mode,
    check_image_size,
    check_keep_aspect,
    check_n_jobs,
)
from ._stream import ImageStream

__all__ = ["ImageLoader"]


class ImageLoader(TransformerMixin, BaseEstimator):
    """Load image files into one array of uint8 images.

    The first step of a pipeline that works on image files, as
    :class:`~sklearn.feature_extraction.text.CountVectorizer` is for text:
    ``X`` is a sequence of file paths and :meth:`transform` returns the
    decoded images as one ``(n_samples, height, width, channels)`` uint8
    array, ready for :class:`PixelScaler` and :class:`CNNClassifier`. Any
    format Pillow reads works (PNG, JPEG, BMP, GIF, TIFF, WebP, ...), in any
    size and colour mode:

    * the EXIF orientation is applied (as ``PIL.ImageOps.exif_transpose``
      does), so photos stand as a viewer shows them; animated or
      multi-page files give their first frame;
    * transparency is composited on black (a fully transparent pixel
      becomes 0, like the padding), not dropped;
    * palette, CMYK and YCbCr images are converted to RGB, 16- and 32-bit
      integer images (spanning 0-65535) are scaled to 0-255, floating-point
      images are clipped to 0-255; grayscale is ITU-R 601-2 luma;
    * images are resized with an antialiasing bilinear filter.

    :meth:`fit` reads only the files' headers (Pillow opens files lazily),
    to learn the colour mode and, without ``image_size``, the images' one
    common size. Nothing else is learned, so a fitted loader takes any files.

    A file that cannot be read (missing, empty, damaged or truncated, not an
    image, larger than Pillow's decompression-bomb limit
    ``PIL.Image.MAX_IMAGE_PIXELS``) raises an ``OSError`` that names it: a
    transformer cannot drop samples. :func:`~skcnn.datasets.load_image_folder`
    can skip such files instead.

    With ``stream=True``, :meth:`transform` decodes nothing and returns an
    :class:`ImageStream`: the paths and the settings above, which decode the
    images one batch at a time when they are read, into exactly the pixels
    the array would hold. A folder larger than memory can so go through a
    pipeline; an unreadable file is then reported when it is read.

    Parameters
    ----------
    image_size : int or tuple of (int, int), default=None
        Size ``(height, width)`` of the output images; an int is a square.
        None uses the size of the images seen in :meth:`fit`, which must
        then all have the same size (an error lists the sizes found).
    color_mode : {"auto", "rgb", "grayscale"}, default="auto"
        ``"rgb"`` gives 3 channels, ``"grayscale"`` 1. ``"auto"`` chooses
        grayscale when every image seen in :meth:`fit` is grayscale
        (including palette images with gray colours), RGB otherwise.
    keep_aspect : {"pad", "crop", False}, default="pad"
        How an image whose aspect ratio differs from ``image_size``'s is
        fitted. ``"pad"`` (the default) scales it to fit inside and fills
        the borders with 0: no content is lost and nothing is distorted.
        ``"crop"`` scales it to cover and cuts the overflow at both ends
        (loses the borders); ``False`` stretches it (distorts shapes).
    n_jobs : int, default=None
        Number of threads decoding files (Pillow decodes and resizes outside
        Python's global lock). None means 1; -1 means one per CPU core.
        Threads pay off for large images such as photos; tiny files cost
        mostly Python's per-file work, which threads do not share out.
    verbose : int, default=0
        With 1 or more, print a progress line to stderr
        (``loading images: 1200/5000``). An :class:`ImageStream` prints
        nothing.
    stream : bool, default=False
        Whether :meth:`transform` returns an :class:`ImageStream` instead of
        an array: nothing is decoded until the stream is read, one batch at a
        time. The images' size must be known: ``image_size``, or the one
        common size of the images seen in :meth:`fit`.
    cache_dir : str or path, default=None
        With ``stream=True``: a folder where the stream keeps each decoded
        image (uint8, one ``.npy`` file per image and setting), so that
        later epochs and fits read the pixels back instead of decoding the
        file again. It takes the decoded size of the images on disk; a
        file changed since (its size or modification time) is decoded
        again. None decodes every time.

    Attributes
    ----------
    image_size_ : tuple of (int, int)
        Size ``(height, width)`` of the output images.
    color_mode_ : str
        ``"rgb"`` or ``"grayscale"``.
    n_channels_ : int
        Channels of the output images: 3 or 1.

    See Also
    --------
    ImageResizer : Resize image arrays already in memory.
    ImageStream : What ``stream=True`` returns.
    skcnn.datasets.load_image_folder : Load a folder with one subfolder per class.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skcnn import ImageLoader
    >>> folder = Path(tempfile.mkdtemp())
    >>> Image.new("RGB", (40, 30), "red").save(folder / "wide.png")
    >>> Image.new("L", (20, 20), 255).save(folder / "square.jpg")
    >>> loader = ImageLoader(image_size=(16, 16))
    >>> images = loader.fit_transform([folder / "wide.png", folder / "square.jpg"])
    >>> images.shape, images.dtype, loader.color_mode_
    ((2, 16, 16, 3), dtype('uint8'), 'rgb')
    >>> images[0, :4, 8]  # the wide image, padded above and below
    array([[  0,   0,   0],
           [  0,   0,   0],
           [255,   0,   0],
           [255,   0,   0]], dtype=uint8)
    """

    # For scikit-learn's checks; check_image_size, check_color_mode,
    # check_keep_aspect and check_n_jobs state the whole rules, in words.
    _parameter_constraints = {
        "image_size": [
            Interval(numbers.Integral, 1, None, closed="left"),
            tuple,
            list,
            None,
        ],
        "color_mode": [StrOptions(set(COLOR_MODES))],
        "keep_aspect": [StrOptions({"pad", "crop"}), "boolean"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
        "stream": ["boolean"],
        "cache_dir": [str, os.PathLike, None],
    }

    def __init__(
        self,
        image_size=None,
        color_mode="auto",
        keep_aspect="pad",
        n_jobs=None,
        verbose=0,
        stream=False,
        cache_dir=None,
    ):
        self.image_size = image_size
        self.color_mode = color_mode
        self.keep_aspect = keep_aspect
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.stream = stream
        self.cache_dir = cache_dir

    def _check_params(self):
        name = type(self).__name__
        checked = (
            check_image_size(self.image_size, name),
            check_color_mode(self.color_mode, name),
            check_keep_aspect(self.keep_aspect, name),
            check_n_jobs(self.n_jobs, name),
        )
        self._validate_params()  # verbose, and anything the checks let through
        if self.cache_dir is not None and not self.stream:
            raise invalid_parameter(
                "cache_dir",
                name,
                "None without stream=True",
                self.cache_dir,
                hint="The cache keeps decoded images of a stream; without "
                "streaming they are decoded into memory once anyway.",
            )
        return checked

    def _fit(self, paths, read_files):
        image_size, color_mode, _, n_jobs = self._check_params()
        headers = []
        if read_files:
            headers, _ = read_headers(paths, n_jobs, self.verbose)
        self.color_mode_ = resolve_color_mode(color_mode, headers)
        self.image_size_ = image_size or common_size(
            headers, paths, type(self).__name__
        )
        self.n_channels_ = 1 if self.color_mode_ == "grayscale" else 3
        return self

    def fit(self, X, y=None):
        """Read the images' headers to learn their colour mode and size.

        Parameters
        ----------
        X : sequence of str or os.PathLike of shape (n_samples,)
            Paths of image files: a list, a 1-D array or a pandas Series.
        y : None
            Ignored.

        Returns
        -------
        self : ImageLoader
            The fitted loader.
        """
        self._check_params()  # parameters first, as scikit-learn estimators do
        return self._fit(self._check_paths(X), read_files=True)

    def fit_transform(self, X, y=None):
        """Learn what :meth:`fit` learns, then load the images in ``X``.

        Parameters
        ----------
        X : sequence of str or os.PathLike of shape (n_samples,)
            Paths of image files.
        y : None
            Ignored.

        Returns
        -------
        images : ndarray of shape (n_samples, height, width, channels) or \
ImageStream
            The decoded images, uint8; with ``stream=True``, an
            :class:`ImageStream` of them.

        Notes
        -----
        With ``image_size`` and ``color_mode`` both given, nothing is left to
        learn from the files, and each file is read once instead of twice
        (with ``stream=True``, once the stream is read; not at all before).
        """
        self._check_params()
        paths = self._check_paths(X)
        learn = self.image_size is None or self.color_mode == "auto"
        return self._fit(paths, read_files=learn)._load(paths)

    def transform(self, X):
        """Decode and resize the images in ``X``.

        Parameters
        ----------
        X : sequence of str or os.PathLike of shape (n_samples,)
            Paths of image files: a list, a 1-D array or a pandas Series.

        Returns
        -------
        images : ndarray of shape (n_samples, height, width, channels) or \
ImageStream
            The decoded images, uint8, in the order of ``X``; with
            ``stream=True``, an :class:`ImageStream` of them, in that order.
        """
        check_is_fitted(self)
        return self._load(self._check_paths(X))

    def _check_paths(self, X):
        name = type(self).__name__
        if isinstance(X, ImageStream):
            # Its __iter__ would yield decoded images, which check_paths would
            # refuse one by one after decoding a batch; say what to do instead.
            raise TypeError(
                f"{name} expects a sequence of image file paths, got an "
                "ImageStream, whose images are already loaded (lazily). Pass "
                "stream.paths to load its files again with other settings."
            )
        return check_paths(X, name)

    def _load(self, paths):
        _, _, keep_aspect, n_jobs = self._check_params()
        if self.stream:
            # n_jobs as given: -1 means the cores of the machine that reads it.
            return ImageStream(
                paths,
                self.image_size_,
                self.color_mode_,
                keep_aspect,
                self.n_jobs,
                cache_dir=self.cache_dir,
            )
        images, _ = decode_images(
            paths, self.image_size_, self.n_channels_, keep_aspect, n_jobs, self.verbose
        )
        return images

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags
