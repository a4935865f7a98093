"""Loading a dataset by its command-line name or from a folder, and splitting it."""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch


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
    y_test)``. Pictures are drawn off-screen (matplotlib's Agg backend).
    """
    import matplotlib

    from ..datasets import split_train_test

    matplotlib.use("Agg")
    if isinstance(args.dataset, Path):
        say(f"loading images from {args.dataset} ...")
        bunch = load_folder(
            args.dataset,
            image_size=args.image_size,
            test_size=args.test_size,
            random_state=args.random_state,
            verbose=0 if args.quiet else 1,
        )
    else:
        bunch = load_dataset(args.dataset, say)
    split = split_train_test(bunch)
    # Folders show their images' shape (their size and colour are chosen);
    # the named datasets, the flat rows the models get, as before.
    shown = split_train_test(bunch, images=True) if "filenames" in bunch else split
    say(f"dataset: {bunch.source} ({len(bunch.target_names)} classes)")
    say(
        f"  train images {shown[0].shape}, test images {shown[1].shape}, "
        f"dtype {shown[0].dtype}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    return bunch, split


def _load_folder_part(path, image_size, color_mode, verbose):
    """load_image_folder, its warnings shown as one ``skcnn: warning`` line each."""
    from ..datasets import load_image_folder

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bunch = load_image_folder(
            path, image_size=image_size, color_mode=color_mode, verbose=verbose
        )
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            print(f"skcnn: warning: {warning.message}", file=sys.stderr)
    return bunch


def _color_mode(images):
    return "grayscale" if images.shape[-1] == 1 else "rgb"


def _split_folders(path, image_size, random_state, verbose):
    """The ``train/`` and ``test/`` subfolders of ``path``, as one split."""
    train = _load_folder_part(path / "train", image_size, "auto", verbose)
    test = _load_folder_part(
        path / "test", image_size, _color_mode(train.images), verbose
    )
    if train.images.shape[1:3] != test.images.shape[1:3]:
        (h, w), (th, tw) = train.images.shape[1:3], test.images.shape[1:3]
        raise ValueError(
            f"the images in {path / 'train'} are {h}x{w} but those in "
            f"{path / 'test'} are {th}x{tw}; pass --image-size to resize both"
        )
    names = [str(name) for name in train.target_names]
    unknown = sorted(set(map(str, test.target_names)) - set(names))
    if unknown:
        raise ValueError(
            f"{path / 'test'} has classes that {path / 'train'} lacks: "
            f"{', '.join(unknown)}"
        )
    codes = np.array([names.index(str(name)) for name in test.target_names])
    # Shuffled (reproducibly): files come sorted by class, and the sample
    # pictures show the first test images.
    rng = np.random.default_rng(random_state)
    train_order = rng.permutation(len(train.target))
    test_order = rng.permutation(len(test.target))
    parts = [
        (train.images[train_order], train.target[train_order]),
        (test.images[test_order], codes[test.target[test_order]]),
    ]
    filenames = [
        np.asarray(train.filenames)[train_order],
        np.asarray(test.filenames)[test_order],
    ]
    return parts, filenames, names


def _split_one_folder(path, image_size, test_size, random_state, verbose):
    """A stratified split of the class-per-subfolder ``path``."""
    from sklearn.model_selection import train_test_split

    bunch = _load_folder_part(path, image_size, "auto", verbose)
    names = [str(name) for name in bunch.target_names]
    counts = np.bincount(bunch.target, minlength=len(names))
    if counts.min() < 2:
        scarce = [name for name, count in zip(names, counts, strict=True) if count < 2]
        raise ValueError(
            f"a stratified split needs at least 2 images per class; in {path} "
            f"class {', '.join(repr(n) for n in scarce)} has fewer"
        )
    try:
        train, test = train_test_split(
            np.arange(len(bunch.target)),
            test_size=test_size,
            stratify=bunch.target,
            random_state=random_state,
        )
    except ValueError as exc:
        raise ValueError(
            f"cannot split {path} with --test-size {test_size}: {exc}"
        ) from None
    filenames = np.asarray(bunch.filenames)
    parts = [
        (bunch.images[train], bunch.target[train]),
        (bunch.images[test], bunch.target[test]),
    ]
    return parts, [filenames[train], filenames[test]], names


def load_folder(path, *, image_size=None, test_size=None, random_state=0, verbose=0):
    """A folder of images as a Bunch shaped like the other datasets.

    ``path`` holds one subfolder per class, or ``train/`` and ``test/``
    folders laid out that way (then used as the split); otherwise a
    stratified ``test_size`` fraction (default 0.2) is held out. Samples are
    ordered training set first (``n_train``), as by the other loaders; the
    Bunch also holds the ``filenames`` and the ``color_mode`` they were
    loaded in.
    """
    path = Path(path)
    if (path / "train").is_dir() and (path / "test").is_dir():
        parts, filenames, names = _split_folders(
            path, image_size, random_state, verbose
        )
    else:
        parts, filenames, names = _split_one_folder(
            path,
            image_size,
            0.2 if test_size is None else test_size,
            random_state,
            verbose,
        )
    if len(names) < 2:
        raise ValueError(
            f"a classifier needs at least two classes; {path} has one, {names[0]!r}"
        )
    images = np.concatenate([part[0] for part in parts])
    target = np.concatenate([part[1] for part in parts])
    return Bunch(
        data=images.reshape(len(images), -1),
        images=images,
        target=target,
        target_names=np.asarray(names),
        filenames=np.concatenate(filenames),
        n_train=len(parts[0][1]),
        source=str(path),
        pixel_max=255,
        color_mode=_color_mode(images),
    )
