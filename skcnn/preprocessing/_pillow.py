"""Reading image files and resizing images with Pillow.

Shared by :class:`~skcnn.ImageLoader`, :class:`~skcnn.ImageResizer` and
:func:`~skcnn.datasets.load_image_folder`: the checks of their common
parameters, the reading of headers, decoding and resizing. No TensorFlow.

Decoding rules, in order (documented on :class:`~skcnn.ImageLoader`):

1. the EXIF orientation tag is applied, so images stand as a viewer shows
   them; animated or multi-page files give their first frame;
2. 16- and 32-bit integer pixels (``I;16``, ``I``) are taken to span
   0-65535 and scaled to 0-255; floating-point pixels (``F``) are clipped to
   0-255;
3. transparency (``RGBA``, ``LA``, ``PA``, a palette or colour key with
   transparency) is composited on black: a fully transparent pixel becomes
   0, like the padding;
4. the image is converted to ``L`` (ITU-R 601-2 luma) or ``RGB``; palette,
   CMYK and YCbCr images are converted by Pillow;
5. it is resized with an antialiasing bilinear filter (JPEG files are first
   decoded at a reduced scale when that still leaves at least the needed
   resolution), keeping or not the aspect ratio as ``keep_aspect`` says.
"""

import functools
import io
import numbers
import os
import stat
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .._param_validation import invalid_parameter

#: File name endings treated as images (compared case-insensitively).
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")

#: Pillow modes whose pixels are gray levels.
_GRAY_MODES = {"1", "L", "LA", "La", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"}
_WIDE_MODES = {"I", "F", "I;16", "I;16L", "I;16B", "I;16N"}
_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}
#: EXIF orientation values that swap width and height.
_TRANSPOSED = {5, 6, 7, 8}
#: The transpose that undoes each EXIF orientation (as ``ImageOps`` does).
_UNDO_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


#: Values of ``keep_aspect`` and ``color_mode``.
KEEP_ASPECT = ("pad", "crop", False)
COLOR_MODES = ("auto", "rgb", "grayscale")


def check_image_size(image_size, owner, allow_none=True):
    """``image_size`` as a ``(height, width)`` tuple (an int is a square)."""
    if image_size is None and allow_none:
        return None
    size = image_size
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if not (
        isinstance(size, (tuple, list, np.ndarray))
        and len(size) == 2
        and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0
            for v in size
        )
    ):
        expected = "None, " if allow_none else ""
        hint = ""
        if isinstance(size, (tuple, list)) and len(size) == 3:
            hint = "The number of channels follows color_mode."
        raise invalid_parameter(
            "image_size",
            owner,
            f"{expected}a positive int or a (height, width) tuple of positive ints",
            image_size,
            hint,
        )
    return int(size[0]), int(size[1])


def check_keep_aspect(keep_aspect, owner):
    """Validate ``keep_aspect``: ``"pad"``, ``"crop"`` or False."""
    if keep_aspect is False or keep_aspect is np.False_:
        return False
    if isinstance(keep_aspect, str) and keep_aspect in KEEP_ASPECT:
        return keep_aspect
    raise invalid_parameter("keep_aspect", owner, "'pad', 'crop' or False", keep_aspect)


def check_color_mode(color_mode, owner):
    """Validate ``color_mode``: ``"auto"``, ``"rgb"`` or ``"grayscale"``."""
    if isinstance(color_mode, str) and color_mode in COLOR_MODES:
        return color_mode
    raise invalid_parameter(
        "color_mode", owner, "'auto', 'rgb' or 'grayscale'", color_mode
    )


def check_n_jobs(n_jobs, owner):
    """Number of decoding threads for ``n_jobs`` (joblib's convention)."""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool):
        n_jobs = int(n_jobs)
        if n_jobs > 0:
            return n_jobs
        if n_jobs < 0:
            return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    raise invalid_parameter(
        "n_jobs",
        owner,
        "None or a non-zero int (-1: one thread per CPU core)",
        n_jobs,
    )


class ImageFileError(OSError):
    """A file could not be read as an image; the message names the file."""


@dataclass(frozen=True)
class Header:
    """What an image file's header says, in the orientation a viewer shows."""

    size: tuple  # (height, width)
    grayscale: bool


def describe(path):
    """A path as error messages show it (``repr``: safe for any file name)."""
    return repr(os.fspath(path))


def stat_path(path, noun, error=OSError):
    """``os.stat(path)``, with errors that name ``path`` as a ``noun``."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such {noun}: {describe(path)}.") from None
    except OSError as exc:  # permissions, a link loop, ...
        raise error(
            f"Cannot read {noun} {describe(path)}: {exc.strerror or exc}."
        ) from None


def _check_regular_file(path):
    """Stat ``path``: a missing file, a folder or a FIFO must not reach Pillow.

    Opening a FIFO would block forever and a symlink loop fails with ELOOP;
    both get an error naming the file instead.
    """
    info = stat_path(path, "image file", ImageFileError)
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ImageFileError(f"Cannot read image file {describe(path)}: it is {kind}.")
    if info.st_size == 0:
        raise ImageFileError(f"Cannot read image file {describe(path)}: it is empty.")


def _open(path):
    """Open ``path`` lazily (header only) with errors that name the file."""
    _check_regular_file(path)
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageFileError(
            f"Cannot read image file {describe(path)}: {exc} Raise "
            "PIL.Image.MAX_IMAGE_PIXELS only for files you trust."
        ) from None
    except Image.UnidentifiedImageError:
        raise ImageFileError(
            f"Cannot read image file {describe(path)}: Pillow does not recognise "
            "it as an image (is it a damaged file or another kind of file with "
            "an image extension?)."
        ) from None
    except Exception as exc:  # Pillow's plugins raise many types on bad data
        if isinstance(exc, MemoryError):
            raise
        raise ImageFileError(
            f"Cannot read image file {describe(path)}: {type(exc).__name__}: {exc}"
        ) from None
    limit = Image.MAX_IMAGE_PIXELS
    if limit and img.width * img.height > limit:
        img.close()
        raise ImageFileError(
            f"Cannot read image file {describe(path)}: it has {img.width} x "
            f"{img.height} pixels, more than PIL.Image.MAX_IMAGE_PIXELS "
            f"({limit}), Pillow's guard against decompression bombs. Raise "
            "that limit only for files you trust."
        )
    return img


@functools.cache
def _pillow_turns_tiff():
    """Whether Pillow itself turns TIFF images upright (release 13 and later).

    Such a Pillow reports the upright size when it opens the file and turns
    the pixels as it loads them, so skcnn must not turn them again.
    """
    buffer = io.BytesIO()
    Image.new("L", (2, 1)).save(buffer, format="TIFF", tiffinfo={0x0112: 6})
    buffer.seek(0)
    with Image.open(buffer) as img:
        return img.size == (1, 2)


def _orientation(img):
    """The EXIF orientation skcnn has to apply to ``img`` (1: none)."""
    if img.format == "TIFF" and _pillow_turns_tiff():
        return 1
    # Only TIFF keeps the tag among its header fields; other formats carry an
    # EXIF block in ``info`` once the header is read. Asking Pillow for EXIF
    # data that is not there makes it decode a whole PNG to look past the
    # pixels, so EXIF blocks stored after them are ignored (reading headers
    # must stay cheap).
    if img.format != "TIFF" and not (
        "exif" in img.info or "Raw profile type exif" in img.info
    ):
        return 1
    try:
        return int(img.getexif().get(0x0112, 1))
    except Exception:  # a damaged EXIF block: show the image as stored
        return 1


def _is_gray(img):
    if img.mode in _GRAY_MODES:
        return True
    if img.mode in ("P", "PA"):
        palette = img.getpalette() or []
        return palette[0::3] == palette[1::3] == palette[2::3]
    return False


def read_header(path):
    """Size and colour of the image in ``path``, reading only its header.

    Raises ``FileNotFoundError`` or :class:`ImageFileError`, naming the file.
    """
    with _open(path) as img:
        width, height = img.size
        if _orientation(img) in _TRANSPOSED:
            width, height = height, width
        return Header(size=(height, width), grayscale=_is_gray(img))


def _to_eight_bits(img):
    """An ``L`` image from 16/32-bit integer or float pixels."""
    values = np.asarray(img)
    if img.mode == "F":
        values = np.rint(np.clip(values, 0, 255))
    else:
        values = np.clip(values.astype(np.int64), 0, 65535)
        values = (values * 255 + 32767) // 65535
    return Image.fromarray(values.astype(np.uint8))


def _flatten(img, mode):
    """``img`` converted to ``mode`` (``"L"`` or ``"RGB"``), alpha on black."""
    if img.mode in _WIDE_MODES:
        img = _to_eight_bits(img)
    transparent = img.mode in _ALPHA_MODES or "transparency" in img.info
    if transparent:
        img = img.convert("LA" if img.mode in ("L", "LA", "La") else "RGBA")
        canvas = Image.new(mode, img.size, 0)
        canvas.paste(img.convert(mode), mask=img.getchannel("A"))
        return canvas
    return img if img.mode == mode else img.convert(mode)


def fit_geometry(size, target, keep_aspect):
    """How to map an image of ``size`` onto ``target`` (both ``(w, h)``).

    Returns ``(resized, box, offset)``: resize the ``box`` region (None: the
    whole image) to ``resized`` and place it at ``offset`` (left, top).
    """
    (w, h), (tw, th) = size, target
    if keep_aspect == "pad":
        scale = min(tw / w, th / h)
        rw = min(tw, max(1, round(w * scale)))
        rh = min(th, max(1, round(h * scale)))
        return (rw, rh), None, ((tw - rw) // 2, (th - rh) // 2)
    if keep_aspect == "crop":
        scale = max(tw / w, th / h)
        bw, bh = tw / scale, th / scale
        left, top = (w - bw) / 2, (h - bh) / 2
        box = (left, top, left + bw, top + bh)
        return (tw, th), box, (0, 0)
    return (tw, th), None, (0, 0)


def resize_into(img, out, keep_aspect):
    """Resize PIL ``img`` into ``out`` (``(h, w, c)``, zero where padded).

    The filter is bilinear with antialiasing (its support grows with the
    reduction), which never overshoots the input's range.
    """
    th, tw = out.shape[:2]
    resized, box, (left, top) = fit_geometry(img.size, (tw, th), keep_aspect)
    if resized != img.size or box is not None:
        img = img.resize(resized, Image.Resampling.BILINEAR, box=box)
    rw, rh = resized
    out[top : top + rh, left : left + rw] = np.asarray(img).reshape(rh, rw, -1)


def decode_into(path, out, keep_aspect):
    """Decode the image in ``path`` into ``out`` (``(h, w, 1 or 3)`` uint8).

    Raises ``FileNotFoundError`` or :class:`ImageFileError`, naming the file.
    """
    mode = "L" if out.shape[-1] == 1 else "RGB"
    try:
        with _open(path) as img:
            orientation = _orientation(img)
            # JPEG can decode at 1/2, 1/4 or 1/8 scale. Ask for twice the size
            # the resize needs (in the file's stored orientation), so that the
            # antialiasing filter still does the last reduction.
            target = (out.shape[1], out.shape[0])
            if orientation in _TRANSPOSED:
                target = target[::-1]
            (rw, rh), box, _ = fit_geometry(img.size, target, keep_aspect)
            if box is not None:
                scale = rw / (box[2] - box[0])
                rw, rh = round(img.width * scale), round(img.height * scale)
            if 2 * rw < img.width and 2 * rh < img.height:
                img.draft(mode, (2 * rw, 2 * rh))
            img.load()
            if orientation in _UNDO_ORIENTATION:
                img = img.transpose(_UNDO_ORIENTATION[orientation])
            img = _flatten(img, mode)
            resize_into(img, out, keep_aspect)
    except (FileNotFoundError, ImageFileError):
        raise
    except Exception as exc:  # truncated data, unsupported modes, ...
        if isinstance(exc, MemoryError):
            raise
        raise ImageFileError(
            f"Cannot read image file {describe(path)}: {type(exc).__name__}: {exc}"
        ) from None
