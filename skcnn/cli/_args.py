"""Argument types and the options that several subcommands share.

Each type function turns one command-line string into a value or raises
:class:`argparse.ArgumentTypeError` with a message saying what was expected
and what was given; argparse then prints the usage and exits with code 2.
"""

import argparse
import difflib
import os
from pathlib import Path

DATASETS = ("auto", "mnist", "mnist-sample", "digits", "cifar10")

#: The Keras applications ``--backbone`` may name: the keys of
#: ``skcnn._engine.backbones.FAMILIES`` (a test checks), listed here because
#: that module imports TensorFlow, which a usage error should not wait for.
BACKBONES = (
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "efficientnet_v2_b0",
    "resnet50",
    "convnext_tiny",
)

#: Name endings of the weights files Keras loads (``.weights.h5`` ends in
#: ``.h5``); ``skcnn._engine.weights.WEIGHTS_SUFFIXES``, for the same reason.
WEIGHTS_SUFFIXES = (".h5", ".hdf5", ".keras")

#: The smallest image side the Keras applications are built for.
MIN_BACKBONE_SIZE = 32


def positive_int(text):
    """A positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def epochs(text):
    """A positive integer or ``'auto'``."""
    if text == "auto":
        return text
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer or 'auto', got {text!r}"
        ) from None


def filters(text):
    """Filter counts per convolution block, comma-separated: ``16,32``."""
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected filters like 16,32 (positive ints per block), got {text!r}"
        )
    return values


def dropout(text):
    """A dropout rate in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a dropout in [0, 1), got {text!r}")
    return value


def unit_fraction(text):
    """A fraction in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"expected a fraction from 0 to 1, got {text!r}"
        )
    return value


def backbone(text):
    """A name from :data:`BACKBONES` or the path of a saved ``.keras`` model.

    A path comes back as a string, with ``~`` expanded.
    """
    if text in BACKBONES:
        return text
    path = Path(text).expanduser()
    if path.is_file() and path.suffix == ".keras":
        return str(path)
    names = ", ".join(BACKBONES)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"expected a Keras application ({names}) or a saved .keras model "
            f"file, got the folder {text!r}"
        )
    if path.exists():
        raise argparse.ArgumentTypeError(
            f"expected a saved model file ending in .keras, got {text!r}"
        )
    if "/" in text or os.sep in text or path.suffix:
        raise argparse.ArgumentTypeError(f"no such model file: {text!r}")
    close = difflib.get_close_matches(text, BACKBONES, n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise argparse.ArgumentTypeError(
        f"unknown backbone {text!r}{hint}; choose from {names}, or give the "
        "path of a saved .keras model"
    )


def backbone_weights(text):
    """``'imagenet'``, ``'none'`` or the path of a weights file (``~`` expanded).

    ``'none'`` stays a string here (a None would read as "not given"); the
    models get None for it.
    """
    if text in ("imagenet", "none"):
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        what = "the folder" if path.is_dir() else "no such file"
        raise argparse.ArgumentTypeError(
            f"expected imagenet, none or the path of a weights file, got "
            f"{what} {text!r}"
        )
    if not path.name.endswith(WEIGHTS_SUFFIXES):
        raise argparse.ArgumentTypeError(
            f"expected a weights file ending in {', '.join(WEIGHTS_SUFFIXES)}, "
            f"got {text!r}"
        )
    return str(path)


def dataset(text):
    """A dataset name from :data:`DATASETS` or an existing folder (a Path)."""
    if text in DATASETS:
        return text
    path = Path(text)
    if path.is_dir():
        return path
    choices = ", ".join(DATASETS)
    if path.exists():
        raise argparse.ArgumentTypeError(
            f"expected one of {choices} or a folder of images, got the file {text!r}"
        )
    raise argparse.ArgumentTypeError(
        f"invalid choice: {text!r} (choose from {choices}, or give a folder "
        "of images; no such folder exists either)"
    )


def fraction(text):
    """A fraction in (0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(
            f"expected a fraction between 0 and 1, got {text!r}"
        )
    return value


def image_size(values):
    """``["H", "W"]`` or ``["HxW"]`` as a ``(height, width)`` tuple, else None."""
    if len(values) == 1:
        values = values[0].lower().split("x")
    try:
        size = tuple(int(v) for v in values)
    except ValueError:
        return None
    if len(size) != 2 or min(size) < 1:
        return None
    return size


class ImageSizeAction(argparse.Action):
    """``--image-size H W`` or ``--image-size HxW``."""

    def __call__(self, parser, namespace, values, option_string=None):
        size = image_size(values)
        if size is None:
            parser.error(
                f"argument {option_string}: expected a height and a width like "
                f"'28 28' or 28x28 (positive ints), got {' '.join(values)!r}"
            )
        setattr(namespace, self.dest, size)


def add_training_command(commands, name, run, check, default_out, **texts):
    """A subcommand that trains on a dataset, with the options it shares.

    ``texts`` are the ``help`` and ``description`` of the subcommand; ``run``
    runs it and ``check(parser, args)`` rejects what argparse cannot.
    """
    sub = commands.add_parser(name, **texts)
    add_common_options(sub, default_out)
    sub.set_defaults(run=run, check=check, subparser=sub)
    return sub


def add_common_options(sub, default_out):
    """The dataset, output folder, seed and verbosity options."""
    sub.add_argument(
        "--dataset",
        type=dataset,
        default="auto",
        metavar="NAME_OR_FOLDER",
        help=f"one of {', '.join(DATASETS)} (auto: full MNIST when cached or "
        "downloadable, else the embedded 5,000-image MNIST sample), or a "
        "folder holding one subfolder of images per class, or train/ and "
        "test/ folders laid out that way (default: %(default)s)",
    )
    sub.add_argument(
        "--image-size",
        nargs="+",
        action=ImageSizeAction,
        metavar=("H", "W"),
        help="folder datasets: resize every image to H W (or HxW); by default "
        "all images must have the same size",
    )
    sub.add_argument(
        "--test-size",
        type=fraction,
        metavar="FRACTION",
        help="folder datasets without train/ and test/: the stratified test "
        "fraction (default: 0.2)",
    )
    sub.add_argument(
        "--out",
        type=Path,
        default=Path(default_out),
        help="folder for pictures and results (default: %(default)s)",
    )
    sub.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed for the CNN and for splitting a folder (default: %(default)s)",
    )
    sub.add_argument("--quiet", action="store_true", help="print only the final table")


def check_common_options(parser, args):
    """Reject folder options given with a named dataset (usage errors)."""
    if isinstance(args.dataset, Path):
        split = (args.dataset / "train").is_dir() and (args.dataset / "test").is_dir()
        if split and args.test_size is not None:
            parser.error(
                f"--test-size does not apply: {args.dataset} has train/ and test/ "
                "folders, which are used as the split"
            )
        return
    for option in ("image_size", "test_size"):
        if getattr(args, option) is not None:
            parser.error(
                f"--{option.replace('_', '-')} applies to folder datasets only, "
                f"not to --dataset {args.dataset}"
            )
