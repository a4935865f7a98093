"""Many image files at once: their paths, headers and pixels.

The file-by-file machinery :class:`~skcnn.ImageLoader` and
:func:`~skcnn.datasets.load_image_folder` share: checking a sequence of
paths, reading headers and decoding many files into one preallocated
array, in a thread pool, with a progress line and per-file error handling.
No TensorFlow.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._pillow import ImageFileError, decode_into, describe, read_header

__all__ = [
    "check_paths",
    "common_size",
    "decode_images",
    "for_each_file",
    "read_headers",
    "resolve_color_mode",
]

#: Files handed to the thread pool at a time (also the progress step).
_MIN_CHUNK = 256


def check_paths(X, owner):
    """``X`` as a list of ``str`` paths, or a clear error."""
    if isinstance(X, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{owner} expects a sequence of image file paths, got the single "
            f"path {X!r}: wrap it in a list."
        )
    if hasattr(X, "to_numpy"):  # pandas Series or DataFrame
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise ValueError(
                f"{owner} expects a 1-D sequence of image file paths, got an "
                f"array of shape {X.shape}."
            )
    try:
        items = list(X)
    except TypeError:
        raise TypeError(
            f"{owner} expects a sequence of image file paths (a list, a 1-D "
            f"array or a pandas Series), got {type(X).__name__}."
        ) from None
    if not items:
        raise ValueError(f"{owner} got an empty sequence of image file paths.")
    paths = []
    for i, item in enumerate(items):
        if isinstance(item, (str, bytes, os.PathLike)):
            path = os.fspath(item)
            paths.append(os.fsdecode(path) if isinstance(path, bytes) else str(path))
        else:
            raise TypeError(
                f"{owner} expects image file paths (str or os.PathLike), got "
                f"{item!r} of type {type(item).__name__} at position {i}."
            )
    return paths


class _Progress:
    """``label: done/total`` on stderr; rewritten in place on a terminal."""

    def __init__(self, label, total, verbose):
        self.label, self.total = label, total
        self.enabled = bool(verbose) and total > 0
        isatty = getattr(sys.stderr, "isatty", None)
        self.tty = bool(isatty and isatty())

    def update(self, done):
        if self.enabled:
            line = f"{self.label}: {done}/{self.total}"
            if self.tty:
                print("\r" + line, end="", file=sys.stderr, flush=True)
            else:
                print(line, file=sys.stderr, flush=True)

    def close(self):
        if self.enabled and self.tty:
            print(file=sys.stderr, flush=True)


def _catching(function):
    def call(i):
        try:
            function(i)
        except (FileNotFoundError, ImageFileError) as exc:
            return exc
        return None

    return call


def for_each_file(function, n, n_jobs, verbose, label, on_error):
    """Call ``function(i)`` for ``i`` in ``range(n)``, ``n_jobs`` threads.

    A file error (``FileNotFoundError`` or :class:`ImageFileError`) is raised
    at once with ``on_error="raise"``; otherwise the failures are returned as
    ``(index, exception)`` pairs. Pillow releases the GIL while it decodes
    and resizes, so threads decode in parallel. Files go to the pool in
    chunks, so that only a chunk's worth of tasks is ever pending.
    """
    chunk = max(_MIN_CHUNK, -(-n // 20))
    task = _catching(function)
    failures = []
    progress = _Progress(label, n, verbose)
    pool = ThreadPoolExecutor(n_jobs) if n_jobs > 1 and n > 1 else None
    try:
        for start in range(0, n, chunk):
            indices = range(start, min(n, start + chunk))
            results = pool.map(task, indices) if pool else map(task, indices)
            for i, exc in zip(indices, results, strict=True):
                if exc is None:
                    continue
                if on_error == "raise":
                    raise exc
                failures.append((i, exc))
            progress.update(indices.stop)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        progress.close()
    return failures


def read_headers(paths, n_jobs=1, verbose=0, on_error="raise"):
    """Headers of ``paths`` (None where unreadable) and the failures."""
    headers = [None] * len(paths)

    def read(i):
        headers[i] = read_header(paths[i])

    failures = for_each_file(
        read, len(paths), n_jobs, verbose, "reading image headers", on_error
    )
    return headers, failures


def decode_images(
    paths, image_size, n_channels, keep_aspect, n_jobs=1, verbose=0, on_error="raise"
):
    """Decode ``paths`` into one ``(n, h, w, c)`` uint8 array.

    Returns the array and the failures; a failed file leaves its row zero.
    """
    out = np.zeros((len(paths), *image_size, n_channels), dtype=np.uint8)

    def decode(i):
        decode_into(paths[i], out[i], keep_aspect)

    failures = for_each_file(
        decode, len(paths), n_jobs, verbose, "loading images", on_error
    )
    return out, failures


def resolve_color_mode(color_mode, headers):
    """``"rgb"`` or ``"grayscale"``; ``"auto"`` is grayscale if all images are."""
    if color_mode != "auto":
        return color_mode
    return "grayscale" if all(h.grayscale for h in headers) else "rgb"


def common_size(headers, paths, owner):
    """The one ``(height, width)`` of all ``headers``, or an error listing them."""
    by_size = {}
    for header, path in zip(headers, paths, strict=True):
        by_size.setdefault(header.size, []).append(path)
    if len(by_size) == 1:
        return next(iter(by_size))
    ranked = sorted(by_size.items(), key=lambda item: (-len(item[1]), item[0]))
    parts = []
    for (h, w), files in ranked[:5]:
        examples = ", ".join(describe(p) for p in files[:2])
        parts.append(f"{h}x{w} in {len(files)} file(s) such as {examples}")
    if len(ranked) > 5:
        parts.append(f"{len(ranked) - 5} more sizes")
    raise ValueError(
        f"{owner} found images of {len(by_size)} different sizes (height x "
        f"width): {'; '.join(parts)}. Pass image_size=(height, width) to "
        "resize them all to one size."
    )
