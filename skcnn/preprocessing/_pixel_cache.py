"""Decoded images kept on disk, for streams read more than once.

An :class:`~skcnn.preprocessing.ImageStream` given a ``cache_dir`` decodes
each file once and keeps its pixels there, one uint8 ``.npy`` file per
image; later reads (the next epoch, the next fit) load those instead of
decoding the file. A cache file is named from the image file's absolute
path, size and modification time and the decoding settings, so a file
changed since, or read with other settings, is decoded again. A cache file
is written atomically (:mod:`skcnn._atomic`): a reader never sees half of
one, and a process killed while writing leaves a temporary file that the
next write to the cache removes. Cache files are not fsynced: a power cut
may lose some of them, which are then decoded again, and a first epoch
writing thousands of them is not held up by the disk.
"""

import hashlib
import os

import numpy as np

from .._arrays import aligned_empty
from .._atomic import atomic_write, remove_stale

__all__ = ["cached_decode"]


def cached_decode(paths, folder, image_shape, settings, decode):
    """The images of ``paths``, from ``folder`` where kept, else from ``decode``.

    Parameters
    ----------
    paths : ndarray of str
        The image files.
    folder : pathlib.Path
        The cache folder (created if needed).
    image_shape : tuple of int
        ``(height, width, channels)`` of a decoded image.
    settings : tuple
        The decoding settings, part of each cache file's name.
    decode : callable
        ``decode(paths) -> uint8 images`` for the files not in the cache.

    Returns
    -------
    images : ndarray of shape (len(paths), *image_shape), uint8
    """
    folder.mkdir(parents=True, exist_ok=True)
    names = [folder / _cache_name(path, settings) for path in paths]
    images = aligned_empty((len(paths), *image_shape), np.uint8)
    missing = []
    for i, name in enumerate(names):
        try:
            images[i] = np.load(name, allow_pickle=False)
        except (OSError, ValueError):  # absent, or not a whole array
            missing.append(i)
    if missing:
        images[missing] = decode(paths[missing])
        # Once per call, not per file: the folder may hold many.
        remove_stale(folder)
        for i in missing:
            with atomic_write(names[i], durable=False, clean=False) as out:
                np.save(out, images[i], allow_pickle=False)
    return images


def _cache_name(path, settings):
    """File name of ``path``'s decoded pixels: its identity and settings."""
    try:
        stat = os.stat(path)
    except OSError:
        return "missing.npy"  # never written: the decoder names the file
    key = "|".join(
        map(str, (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, *settings))
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32] + ".npy"
