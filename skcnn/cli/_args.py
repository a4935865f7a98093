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


def add_common_options(sub, default_out):
    """The dataset, output folder, seed and verbosity options."""
    sub.add_argument(
        "--dataset",
        choices=DATASETS,
        default="auto",
        help="auto: full MNIST when cached or downloadable, else the "
        "embedded 5,000-image MNIST sample (default: %(default)s)",
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
        help="seed for the CNN (default: %(default)s)",
    )
    sub.add_argument("--quiet", action="store_true", help="print only the final table")
