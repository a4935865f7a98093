"""load_image_folder: a folder with one subfolder of image files per class."""

import os
import stat
import warnings

import numpy as np
from sklearn.utils import Bunch

from ..preprocessing._files import (
    common_size,
    decode_images,
    read_headers,
    resolve_color_mode,
)
from ..preprocessing._pillow import (
    IMAGE_EXTENSIONS,
    check_color_mode,
    check_image_size,
    check_keep_aspect,
    check_n_jobs,
    stat_path,
)

__all__ = ["load_image_folder"]

_NAME = "load_image_folder"
#: Unreadable files listed one by one in the warning; the rest are counted.
_MAX_LISTED = 50


def _check_folder(root):
    if not stat.S_ISDIR(stat_path(root, "folder").st_mode):
        raise NotADirectoryError(
            f"{root!r} is a file, not a folder. {_NAME} expects a folder with "
            "one subfolder of images per class; to load single files, use "
            "skcnn.ImageLoader."
        )


def _scan(folder):
    """Visible entries of ``folder`` as (sub-folders, image files), sorted."""
    folders, files = [], []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        raise OSError(f"Cannot list the folder {folder!r}: {exc.strerror}.") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden: .git, .ipynb_checkpoints, ._photo.jpg, ...
        try:
            is_dir = entry.is_dir()  # follows links
        except OSError:  # a link loop: not a folder; a file, if named like one
            is_dir = False
        if is_dir:
            folders.append(entry.path)
        elif entry.name.lower().endswith(IMAGE_EXTENSIONS):
            files.append(entry.path)
    return sorted(folders), sorted(files)


def _image_files(class_folder):
    """Image files anywhere under ``class_folder``, in sorted order.

    Links to folders are followed, each real folder at most once, so that a
    link loop ends instead of recursing forever.
    """
    seen, found, stack = set(), [], [class_folder]
    while stack:
        folder = stack.pop()
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        folders, files = _scan(folder)
        found += files
        stack += folders
    return sorted(found)


def _list_classes(root):
    """``(class names, {name: files})``, or an error for an unusable layout."""
    class_folders, loose = _scan(root)
    if not class_folders:
        if loose:
            raise ValueError(
                f"The folder {root!r} holds {len(loose)} image file(s) but no "
                f"class subfolders. {_NAME} expects one subfolder per class, "
                "named after it, holding that class's images."
            )
        raise ValueError(
            f"The folder {root!r} is empty: {_NAME} expects one subfolder per "
            "class, named after it, holding that class's images."
        )
    files = {os.path.basename(f): _image_files(f) for f in class_folders}
    empty = [name for name, found in files.items() if not found]
    if len(empty) == len(files):
        raise ValueError(
            f"No image files ({', '.join(IMAGE_EXTENSIONS)}) in the class "
            f"folders of {root!r}."
        )
    if empty:
        warnings.warn(
            f"{len(empty)} class folder(s) of {root!r} hold no image files "
            f"and are left out of target_names: {', '.join(map(repr, empty))}.",
            UserWarning,
            stacklevel=3,
        )
    return [name for name in files if files[name]], files


def _warn_skipped(root, failures, lost_classes):
    lines = [str(exc) for _, exc in failures[:_MAX_LISTED]]
    if len(failures) > _MAX_LISTED:
        lines.append(f"... and {len(failures) - _MAX_LISTED} more.")
    lost = ""
    if lost_classes:
        lost = (
            " Classes left without a readable image, left out of "
            f"target_names: {', '.join(map(repr, lost_classes))}."
        )
    warnings.warn(
        f"Skipped {len(failures)} unreadable image file(s) in {root!r} "
        f"(on_error='warn').{lost}\n" + "\n".join(lines),
        UserWarning,
        stacklevel=4,
    )


def _listed(path, n_jobs, verbose, on_error):
    """The folder's classes, files, labels and headers, before any decoding.

    Returns ``(root, names, paths, target, headers, failures, mode)``: the
    headers hold None for a file that could not be read (listed with its
    error in ``failures``), and ``mode`` is the ``on_error`` of the
    machinery below.
    """
    if on_error not in ("warn", "raise"):
        raise ValueError(f"on_error must be 'warn' or 'raise', got {on_error!r}.")
    root = os.fspath(path)
    root = os.fsdecode(root) if isinstance(root, bytes) else root
    _check_folder(root)
    names, files = _list_classes(root)
    paths = [f for name in names for f in files[name]]
    target = np.repeat(np.arange(len(names)), [len(files[n]) for n in names])
    mode = "raise" if on_error == "raise" else "collect"
    headers, failures = read_headers(paths, n_jobs, verbose, mode)
    return root, names, paths, target, headers, failures, mode


def _kept(root, names, paths, target, keep, failures):
    """The files kept, their class names and labels; warns of what was lost.

    Raises when nothing is kept. The warnings point at the caller of the
    public function that calls this.
    """
    if not keep.any():
        raise ValueError(
            f"None of the {len(paths)} image files in {root!r} could be read; "
            f"the first: {failures[0][1]}"
        )
    present = np.unique(target[keep])
    lost = [names[i] for i in sorted(set(range(len(names))) - set(present))]
    if failures:
        failures.sort(key=lambda item: item[0])
        _warn_skipped(root, failures, lost)
    names = [names[i] for i in present]
    if len(names) == 1:
        warnings.warn(
            f"{root!r} holds a single class, {names[0]!r}: a classifier needs "
            "at least two class subfolders.",
            UserWarning,
            stacklevel=3,
        )
    paths = [p for p, k in zip(paths, keep, strict=True) if k]
    return paths, names, np.searchsorted(present, target[keep]).astype(np.int64)


def load_image_folder(
    path,
    *,
    image_size=None,
    color_mode="auto",
    keep_aspect="pad",
    load_content=True,
    return_X_y=False,
    on_error="warn",
    n_jobs=None,
    verbose=0,
):
    """Load a folder of images with one subfolder per class.

    The layout of :func:`sklearn.datasets.load_files` (and of Keras's and
    torchvision's image folders): each subfolder of ``path`` is a class,
    named after it, and holds that class's image files, directly or in
    nested folders::

        path/
            cat/  cat001.jpg  cat002.png  ...
            dog/  2023/dog001.jpg  ...

    Files are images when their names end in .bmp, .gif, .jpeg, .jpg, .png,
    .tif, .tiff or .webp, in any letter case; other files, and hidden files
    and folders (names starting with a dot), are ignored. Classes are
    sorted by name and files by path, so the order is the same on every
    run. Links to folders are followed, each folder at most once (a link
    loop does not recurse forever). Images are decoded as
    :class:`~skcnn.ImageLoader` decodes them.

    What happens with bad input:

    * a missing ``path`` raises ``FileNotFoundError``, a file
      ``NotADirectoryError``; a folder without class subfolders, or without
      any image file in them, raises ``ValueError``;
    * a class folder without image files is left out of ``target_names``
      with a warning naming it;
    * a single class is loaded, with a warning (a classifier needs two);
    * a file that cannot be read (empty, damaged or truncated, not an image
      despite its name, a broken link or link loop, beyond Pillow's
      decompression-bomb limit) is skipped with ``on_error="warn"``: one
      warning at the end lists every skipped file and why. With
      ``on_error="raise"`` the first such file raises an ``OSError`` naming
      it. With ``load_content=False`` only the headers are read, so damage
      past a file's header shows when the images are decoded;
    * images of different sizes need ``image_size`` (a ``ValueError``
      lists the sizes found otherwise); 16-bit and transparent images are
      converted (see :class:`~skcnn.ImageLoader`); file names that are not
      valid UTF-8 are kept as Python represents them (``os.fsdecode``).

    Parameters
    ----------
    path : str or os.PathLike
        The folder holding one subfolder per class.
    image_size : int or tuple of (int, int), default=None
        Size ``(height, width)`` the images are resized to; an int is a
        square. None requires all images to have one size.
    color_mode : {"auto", "rgb", "grayscale"}, default="auto"
        ``"rgb"`` gives 3 channels, ``"grayscale"`` 1; ``"auto"`` is
        grayscale when every image is.
    keep_aspect : {"pad", "crop", False}, default="pad"
        How images of another aspect ratio than ``image_size`` are fitted:
        padded with 0, cropped, or stretched (see :class:`~skcnn.ImageLoader`).
    load_content : bool, default=True
        Decode the images. False returns only the file names, targets and
        class names, to load the files later with :class:`~skcnn.ImageLoader`
        (as the first step of a pipeline).
    return_X_y : bool, default=False
        Return ``(images, target)`` (``(filenames, target)`` with
        ``load_content=False``) instead of a Bunch.
    on_error : {"warn", "raise"}, default="warn"
        What to do with a file that cannot be read: skip it and list it in
        one warning, or raise an error naming it.
    n_jobs : int, default=None
        Number of threads decoding files. None means 1; -1 means one per CPU
        core.
    verbose : int, default=0
        With 1 or more, print progress lines to stderr
        (``loading images: 1200/5000``).

    Returns
    -------
    data : Bunch
        ``images`` (n, height, width, channels) uint8 and ``data`` (the same
        pixels as flat rows, a view), both only with ``load_content=True``;
        ``target`` (int, index into ``target_names``), ``target_names``
        (class folder names, sorted), ``filenames`` (ndarray of str, the
        paths of the files kept, in the order of ``target``) and ``DESCR``.
    (images, target) or (filenames, target) : tuple
        When ``return_X_y=True``.

    See Also
    --------
    skcnn.ImageLoader : Load image files inside a pipeline.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from skcnn.datasets import load_image_folder
    >>> root = Path(tempfile.mkdtemp())
    >>> for name, color in [("dark", 20), ("light", 230)]:
    ...     (root / name).mkdir()
    ...     for i in range(3):
    ...         Image.new("L", (32, 24), color).save(root / name / f"{i}.png")
    >>> data = load_image_folder(root, image_size=(16, 16))
    >>> data.images.shape, data.target, data.target_names.tolist()
    ((6, 16, 16, 1), array([0, 0, 0, 1, 1, 1]), ['dark', 'light'])
    >>> files = load_image_folder(root, load_content=False)
    >>> [Path(f).name for f in files.filenames[:2]]
    ['0.png', '1.png']
    """
    image_size = check_image_size(image_size, _NAME)
    color_mode = check_color_mode(color_mode, _NAME)
    keep_aspect = check_keep_aspect(keep_aspect, _NAME)
    n_jobs = check_n_jobs(n_jobs, _NAME)
    root, names, paths, target, headers, failures, mode = _listed(
        path, n_jobs, verbose, on_error
    )
    keep = np.array([h is not None for h in headers], dtype=bool)
    images = None
    if load_content and keep.any():
        kept = np.flatnonzero(keep)
        good = [headers[i] for i in kept]
        kept_paths = [paths[i] for i in kept]
        images, more = decode_images(
            kept_paths,
            image_size or common_size(good, kept_paths, _NAME),
            1 if resolve_color_mode(color_mode, good) == "grayscale" else 3,
            keep_aspect,
            n_jobs,
            verbose,
            mode,
        )
        if more:
            decoded = np.ones(len(kept), dtype=bool)
            decoded[[i for i, _ in more]] = False
            images = images[decoded]
            keep[kept[~decoded]] = False
            failures += [(kept[i], exc) for i, exc in more]
    paths, names, target = _kept(root, names, paths, target, keep, failures)
    filenames = np.asarray(paths, dtype=str)
    descr = _describe(root, names, target, images, failures, keep_aspect)
    if return_X_y:
        return (images if load_content else filenames), target
    bunch = Bunch(
        target=target,
        target_names=np.asarray(names, dtype=str),
        filenames=filenames,
        DESCR=descr,
    )
    if load_content:
        bunch.images = images
        bunch.data = images.reshape(len(images), -1)
    return bunch


def _describe(root, names, target, images, failures, keep_aspect):
    counts = np.bincount(target, minlength=len(names))
    classes = ", ".join(f"{n} ({c})" for n, c in zip(names, counts, strict=True))
    text = (
        f"Image files from the folder {root!r}: {len(target)} images in "
        f"{len(names)} classes, one subfolder per class: {classes}."
    )
    if images is not None:
        _, h, w, c = images.shape
        color = "grayscale" if c == 1 else "RGB"
        text += (
            f" Loaded as {h}x{w} {color} uint8 images (keep_aspect={keep_aspect!r})."
        )
    else:
        text += " File names only (load_content=False)."
    if failures:
        text += f" {len(failures)} unreadable file(s) skipped."
    return text


def scan_image_folder(path, *, on_error="warn", n_jobs=None, verbose=0):
    """The files, classes and headers of a folder with one subfolder per class.

    What :func:`load_image_folder` reads before it decodes anything, with
    the same rules, warnings and errors (a file whose header cannot be
    read is skipped with ``on_error="warn"``), and the headers themselves:
    for a caller that chooses an image size or estimates the memory the
    pixels need before decoding them (the ``skcnn`` command). Not part of
    the public API.

    Returns
    -------
    scan : Bunch
        ``filenames`` (list of str), ``target`` (int, index into
        ``target_names``), ``target_names`` (list of str, sorted) and
        ``headers`` (the :class:`~skcnn.preprocessing._pillow.Header` of
        each file kept: its ``size`` and whether it is ``grayscale``).
    """
    n_jobs = check_n_jobs(n_jobs, _NAME)
    root, names, paths, target, headers, failures, _ = _listed(
        path, n_jobs, verbose, on_error
    )
    keep = np.array([h is not None for h in headers], dtype=bool)
    filenames, names, target = _kept(root, names, paths, target, keep, failures)
    return Bunch(
        filenames=filenames,
        target=target,
        target_names=names,
        headers=[h for h in headers if h is not None],
    )
