"""Argument types and the options that several subcommands share.

Each type function turns one command-line string into a value or raises
:class:`argparse.ArgumentTypeError` with a message saying what was expected
and what was given; argparse then prints the usage and exits with code 2.
"""

import argparse
from pathlib import Path

DATASETS = ("auto", "mnist", "mnist-sample", "digits", "cifar10")


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
