"""Loading a dataset by its command-line name or from a folder, and splitting it.

A folder is first scanned (:func:`scan_folder`): its files listed and their
headers read, which gives the images' sizes and colours without decoding
any pixel. The image size is chosen from them (:func:`choose_image_size`),
and the memory the loaded images would take is estimated
(:func:`memory_estimate`). Within ``--memory-budget`` the images are decoded
into one array (:func:`decode_folder`), as for the named datasets; beyond
it, nothing is decoded (:func:`stream_folder`): the Bunch's ``data`` are
the files' paths and its ``images`` an :class:`~skcnn.preprocessing.ImageStream`
of them, which the models read through ``ImageLoader(stream=True)``.
"""

import contextlib
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from . import _args

#: Bytes the in-memory path of ``skcnn compare`` holds per decoded pixel
#: value, for :func:`memory_estimate`: 1 for the uint8 images, 4 for the
#: float32 copy PixelScaler makes for the CNN, and 8 for the float64 copy
#: scikit-learn's baselines make of theirs. Measured over whole runs on
#: folders of 128x128 RGB JPEG files: about 9 (450 KB per 49 KB image), the
#: copies being of the 80 % training split and not all alive at once; 13
#: errs on the safe side.
BYTES_PER_VALUE = 13


def load_dataset(name, say=print):
    """Load a dataset by its command-line name; report a fallback with ``say``."""
    from .. import datasets

    if name == "digits":
        return datasets.load_digits_images()
    if name == "cifar10":
        return datasets.fetch_cifar10()
    source = {"auto": "auto", "mnist": "full", "mnist-sample": "sample"}[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        bunch = datasets.fetch_mnist(source=source)
    if bunch.source == "sample" and name == "auto" and caught:
        say(
            "note: full MNIST is not cached and could not be downloaded; using "
            "the embedded 5,000-image sample (--dataset mnist to insist)"
        )
    return bunch


def prepare(args, say):
    """Load the dataset, print its shapes and create ``--out``.

    Returns the Bunch and its canonical split ``(X_train, X_test, y_train,
    y_test)``. Pictures are drawn off-screen (matplotlib's Agg backend). A
    folder's Bunch also holds ``loading``: how its image size was chosen
    and whether it is streamed (see :func:`load_folder_for`).
    """
    import matplotlib

    from ..datasets import split_train_test

    matplotlib.use("Agg")
    if isinstance(args.dataset, Path):
        say(f"loading images from {args.dataset} ...")
        bunch = load_folder_for(args, say)
    else:
        bunch = load_dataset(args.dataset, say)
    split = split_train_test(bunch)
    # Folders show their images' shape (their size and colour are chosen);
    # the named datasets, the flat rows the models get, as before.
    shown = split_train_test(bunch, images=True) if "filenames" in bunch else split
    say(f"dataset: {bunch.source} ({len(bunch.target_names)} classes)")
    streamed = " (streamed from disk)" if bunch.get("streamed") else ""
    say(
        f"  train images {shown[0].shape}, test images {shown[1].shape}, "
        f"dtype {shown[0].dtype}{streamed}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    return bunch, split


def load_folder_for(args, say):
    """The folder ``args.dataset`` as the command's options say, in memory or not.

    The image size is ``--image-size``, else chosen by
    :func:`choose_image_size` (and said when the images differ in size).
    With a ``memory_budget`` in ``args`` (``skcnn compare``), the images are
    streamed when :func:`memory_estimate` exceeds it, which is said too.
    The Bunch's ``loading`` records both.
    """
    verbose = 0 if args.quiet else 1
    scan = scan_folder(args.dataset, test_size=args.test_size, verbose=verbose)
    sizing = choose_image_size(
        scan,
        args.image_size,
        backbone=getattr(args, "backbone", None),
        backbone_size=getattr(args, "backbone_image_size", None),
    )
    if sizing["rule"] in ("median", "backbone"):
        say(f"image size: {describe_sizing(sizing)}; --image-size to choose another")
    size = tuple(sizing["image_size"])
    estimate = memory_estimate(scan, size)
    budget = getattr(args, "memory_budget", None)
    streamed = budget is not None and estimate > budget
    if streamed:
        n_values = estimate // BYTES_PER_VALUE
        say(
            "streaming the images from disk, batch by batch: in memory the "
            f"{scan.n_images:,} images would take about "
            f"{_args.format_bytes(estimate)} ({_args.format_bytes(n_values)} of "
            f"pixels, {BYTES_PER_VALUE} bytes per pixel value with the training "
            f"copies), more than --memory-budget {_args.format_bytes(budget)}"
        )
        bunch = stream_folder(scan, size, random_state=args.random_state)
    else:
        # Images of one size are decoded as they are, as load_image_folder does.
        keep = None if sizing["rule"] == "common" else size
        bunch = decode_folder(
            scan, keep, random_state=args.random_state, verbose=verbose
        )
    bunch.loading = {
        **sizing,
        "streamed": streamed,
        "memory_estimate_bytes": int(estimate),
        "memory_budget_bytes": budget,
    }
    return bunch


@contextlib.contextmanager
def _warnings_as_lines():
    """Show the UserWarnings raised inside as one ``skcnn: warning`` line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:  # also before an error: the warnings may explain it
            for warning in caught:
                if issubclass(warning.category, UserWarning):
                    print(f"skcnn: warning: {warning.message}", file=sys.stderr)


def _scan_part(path, verbose):
    """scan_image_folder(path), its warnings shown as lines."""
    from ..datasets._folder import scan_image_folder

    with _warnings_as_lines():
        return scan_image_folder(path, verbose=verbose)


def scan_folder(path, *, test_size=None, verbose=0):
    """The files, labels and headers of a folder dataset; nothing decoded.

    ``path`` holds one subfolder per class, or ``train/`` and ``test/``
    folders laid out that way (``parts`` then holds both scans, else one).
    ``color_mode`` is that of the images (of ``train/``): grayscale when
    all are.
    """
    from ..preprocessing._files import resolve_color_mode

    path = Path(path)
    split = (path / "train").is_dir() and (path / "test").is_dir()
    if split:
        parts = [
            _scan_part(path / "train", verbose),
            _scan_part(path / "test", verbose),
        ]
    else:
        parts = [_scan_part(path, verbose)]
    names = parts[0].target_names
    if split:
        _train_names(path, *parts)  # before anything is decoded
    if len(names) < 2:
        raise ValueError(
            f"a classifier needs at least two classes; {path} has one, {names[0]!r}"
        )
    return Bunch(
        path=path,
        split=split,
        parts=parts,
        test_size=0.2 if test_size is None else test_size,
        color_mode=resolve_color_mode("auto", parts[0].headers),
        n_images=sum(len(part.filenames) for part in parts),
    )


def _n_channels(color_mode):
    return 1 if color_mode == "grayscale" else 3


def _fit_within(size, side):
    """``size`` scaled down, its aspect kept, to fit in ``side`` x ``side``."""
    h, w = size
    scale = min(1.0, side / h, side / w)
    return (max(1, round(h * scale)), max(1, round(w * scale)))


def choose_image_size(scan, given=None, *, backbone=None, backbone_size=None):
    """The size the images of ``scan`` are loaded at, and why.

    ``given`` (``--image-size``) if any; else the images' size when they all
    have one (``"common"``); else, for a backbone named by ``--backbone``,
    its input size (``--backbone-image-size``, or 224 for a Keras
    application; ``"backbone"``); else their median height and width,
    scaled down, the aspect kept, to fit in ``AUTO_MAX_SIDE`` squared
    (``"median"``).

    Returns
    -------
    sizing : dict
        ``image_size`` ``[h, w]``, ``rule`` (``"given"``, ``"common"``,
        ``"backbone"`` or ``"median"``), ``sizes_found`` (how many
        different sizes the headers give), and for the last two rules
        ``smallest`` and ``largest`` (by area), ``median`` and ``backbone``.
    """
    sizes = np.array([h.size for part in scan.parts for h in part.headers])
    found = np.unique(sizes, axis=0)
    sizing = {"sizes_found": len(found)}
    if given is not None:
        return {"image_size": list(given), "rule": "given", **sizing}
    if len(found) == 1:
        return {"image_size": found[0].tolist(), "rule": "common", **sizing}
    areas = found.prod(axis=1)
    median = [
        round(float(np.median(sizes[:, 0]))),
        round(float(np.median(sizes[:, 1]))),
    ]
    sizing.update(
        smallest=found[areas.argmin()].tolist(),
        largest=found[areas.argmax()].tolist(),
        median=median,
    )
    side = backbone_size
    if side is None and backbone in _args.BACKBONES:
        side = _args.BACKBONE_SIZE
    if backbone is not None and side is not None:
        return {
            "image_size": [side, side],
            "rule": "backbone",
            "backbone": backbone,
            **sizing,
        }
    size = _fit_within(median, _args.AUTO_MAX_SIDE)
    return {"image_size": list(size), "rule": "median", **sizing}


def describe_sizing(sizing):
    """``12x14, the median ...``: the chosen size and why, in words."""
    h, w = sizing["image_size"]
    if sizing["rule"] in ("given", "common"):
        how = "--image-size" if sizing["rule"] == "given" else "the images' one size"
        return f"{h}x{w}, {how}"
    (sh, sw), (lh, lw) = sizing["smallest"], sizing["largest"]
    found = f"the images come in {sizing['sizes_found']} sizes, {sh}x{sw} to {lh}x{lw}"
    if sizing["rule"] == "backbone":
        name = _backbone_label(sizing["backbone"])
        return f"{h}x{w}, the input size of {name} ({found})"
    mh, mw = sizing["median"]
    if [mh, mw] == [h, w]:
        return f"{h}x{w}, their median height and width ({found})"
    side = _args.AUTO_MAX_SIDE
    return (
        f"{h}x{w}, their median height and width, {mh}x{mw}, scaled down to "
        f"fit {side}x{side} ({found})"
    )


def _backbone_label(backbone):
    return backbone if backbone in _args.BACKBONES else Path(backbone).name


def memory_estimate(scan, image_size):
    """Bytes the in-memory path would hold: the pixel values x BYTES_PER_VALUE."""
    h, w = image_size
    values = scan.n_images * h * w * _n_channels(scan.color_mode)
    return values * BYTES_PER_VALUE


def _decode_part(part, root, image_size, color_mode, verbose):
    """Decode the files of a scan; a file that fails is dropped with a warning.

    Without ``image_size``, the images' one size (an error lists the sizes
    found otherwise, as :func:`~skcnn.datasets.load_image_folder` does).
    """
    from ..datasets._folder import _warn_skipped
    from ..preprocessing._files import common_size, decode_images

    size = image_size or common_size(part.headers, part.filenames, "load_image_folder")
    with _warnings_as_lines():
        images, failures = decode_images(
            part.filenames,
            size,
            _n_channels(color_mode),
            "pad",
            1,
            verbose,
            "collect",
        )
        if not failures:
            return Bunch(**part, images=images)
        keep = np.ones(len(images), dtype=bool)
        keep[[i for i, _ in failures]] = False
        present = np.unique(part.target[keep])
        names = part.target_names
        lost = [names[i] for i in sorted(set(range(len(names))) - set(present))]
        _warn_skipped(str(root), failures, lost)
    return Bunch(
        filenames=[f for f, k in zip(part.filenames, keep, strict=True) if k],
        target=np.searchsorted(present, part.target[keep]).astype(np.int64),
        target_names=[names[i] for i in present],
        headers=[h for h, k in zip(part.headers, keep, strict=True) if k],
        images=images[keep],
    )


def decode_folder(scan, image_size=None, *, random_state=0, verbose=0):
    """The scanned folder's images decoded into one array, and split.

    ``image_size`` None keeps the images' one size (an error otherwise).
    """
    root = scan.path
    if scan.split:
        train = _decode_part(
            scan.parts[0], root / "train", image_size, scan.color_mode, verbose
        )
        test = _decode_part(
            scan.parts[1], root / "test", image_size, scan.color_mode, verbose
        )
        if train.images.shape[1:3] != test.images.shape[1:3]:
            (h, w), (th, tw) = train.images.shape[1:3], test.images.shape[1:3]
            raise ValueError(
                f"the images in {root / 'train'} are {h}x{w} but those in "
                f"{root / 'test'} are {th}x{tw}; pass --image-size to resize both"
            )
        parts, names = _split_folders(root, train, test, random_state)
    else:
        part = _decode_part(scan.parts[0], root, image_size, scan.color_mode, verbose)
        parts, names = _split_one_folder(root, part, scan.test_size, random_state)
    images = np.concatenate([part.images for part in parts])
    return _folder_bunch(scan, parts, names, images, images.reshape(len(images), -1))


def stream_folder(scan, image_size, *, random_state=0):
    """The scanned folder split, its images left in their files.

    ``data`` holds the paths (the models' ``X``) and ``images`` an
    :class:`~skcnn.preprocessing.ImageStream` of them at ``image_size``.
    """
    from ..preprocessing import ImageStream

    root = scan.path
    if scan.split:
        parts, names = _split_folders(root, *scan.parts, random_state)
    else:
        parts, names = _split_one_folder(
            root, scan.parts[0], scan.test_size, random_state
        )
    paths = np.concatenate([part.filenames for part in parts])
    images = ImageStream(paths, image_size, scan.color_mode)
    return _folder_bunch(scan, parts, names, images, paths, streamed=True)


def _folder_bunch(scan, parts, names, images, data, streamed=False):
    return Bunch(
        data=data,
        images=images,
        target=np.concatenate([part.target for part in parts]),
        target_names=np.asarray(names),
        filenames=np.concatenate([part.filenames for part in parts]),
        n_train=len(parts[0].target),
        source=str(scan.path),
        pixel_max=255,
        color_mode=scan.color_mode,
        streamed=streamed,
    )


def _take(part, rows, target=None):
    """The rows of a (decoded or scanned) part, with ``target`` if given."""
    return Bunch(
        filenames=np.asarray(part.filenames, dtype=str)[rows],
        target=(part.target if target is None else target)[rows],
        images=None if part.get("images") is None else part.images[rows],
    )


def _split_folders(path, train, test, random_state):
    """The ``train/`` and ``test/`` parts of ``path``, as one split."""
    names = _train_names(path, train, test)
    codes = np.array([names.index(str(name)) for name in test.target_names])
    # Shuffled (reproducibly): files come sorted by class, and the sample
    # pictures show the first test images.
    rng = np.random.default_rng(random_state)
    train_order = rng.permutation(len(train.target))
    test_order = rng.permutation(len(test.target))
    parts = [_take(train, train_order), _take(test, test_order, codes[test.target])]
    return parts, names


def _train_names(path, train, test):
    """The classes of ``train/``, or an error if ``test/`` has others."""
    names = [str(name) for name in train.target_names]
    unknown = sorted(set(map(str, test.target_names)) - set(names))
    if unknown:
        raise ValueError(
            f"{path / 'test'} has classes that {path / 'train'} lacks: "
            f"{', '.join(unknown)}"
        )
    return names


def _split_one_folder(path, part, test_size, random_state):
    """A stratified split of the class-per-subfolder ``path``."""
    from sklearn.model_selection import train_test_split

    names = [str(name) for name in part.target_names]
    if len(names) < 2:
        raise ValueError(
            f"a classifier needs at least two classes; {path} has one, {names[0]!r}"
        )
    counts = np.bincount(part.target, minlength=len(names))
    if counts.min() < 2:
        scarce = [name for name, count in zip(names, counts, strict=True) if count < 2]
        raise ValueError(
            f"a stratified split needs at least 2 images per class; in {path} "
            f"class {', '.join(repr(n) for n in scarce)} has fewer"
        )
    try:
        train, test = train_test_split(
            np.arange(len(part.target)),
            test_size=test_size,
            stratify=part.target,
            random_state=random_state,
        )
    except ValueError as exc:
        raise ValueError(
            f"cannot split {path} with --test-size {test_size}: {exc}"
        ) from None
    return [_take(part, train), _take(part, test)], names


def load_folder(path, *, image_size=None, test_size=None, random_state=0, verbose=0):
    """A folder of images as a Bunch shaped like the other datasets, in memory.

    ``path`` holds one subfolder per class, or ``train/`` and ``test/``
    folders laid out that way (then used as the split); otherwise a
    stratified ``test_size`` fraction (default 0.2) is held out. Samples are
    ordered training set first (``n_train``), as by the other loaders; the
    Bunch also holds the ``filenames`` and the ``color_mode`` they were
    loaded in. ``image_size`` None requires the images to have one size.
    """
    scan = scan_folder(path, test_size=test_size, verbose=verbose)
    return decode_folder(scan, image_size, random_state=random_state, verbose=verbose)
