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

#: The input side of the Keras applications in :data:`BACKBONES` (their
#: native size, ``Family.native_size`` in ``skcnn._engine.backbones``).
BACKBONE_SIZE = 224

#: The largest side of the size chosen for images of mixed sizes (without
#: ``--image-size``): their median height and width, scaled down to fit in
#: a square of this side. CNNClassifier's default network (three blocks of
#: 2x2 pooling) then ends on 16x16 feature maps, and its dense layer has
#: 2 million weights; each doubling of the side quadruples both the pixels
#: held and the computation, which small photo datasets rarely repay.
AUTO_MAX_SIDE = 128

#: Default of ``--memory-budget``: 1 GB (10**9 bytes) of estimated memory
#: for the loaded images, which leaves room for TensorFlow (about 1 GB) on
#: a laptop of 8 GB; with the 13 bytes per pixel value the in-memory path
#: takes (:data:`skcnn.cli._data.BYTES_PER_VALUE`), about 77 MB of decoded
#: pixels: 1,500 RGB photos at 128x128, or 98,000 grayscale images at 28x28,
#: stay in memory.
MEMORY_BUDGET = 10**9

#: Units of memory sizes: KB, MB, ... are powers of 1000, KiB, MiB, ... of
#: 1024; a bare number, and B, is bytes.
_UNITS = {
    "": 1,
    "b": 1,
    **{f"{p}b": 1000 ** (i + 1) for i, p in enumerate("kmgt")},
    **{p: 1000 ** (i + 1) for i, p in enumerate("kmgt")},
    **{f"{p}ib": 1024 ** (i + 1) for i, p in enumerate("kmgt")},
}


def positive_int(text):
    """A positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def memory_size(text):
    """A memory size in bytes: ``2GB``, ``512MB``, ``1.5GiB``, ``1000``."""
    number = text.strip().lower()
    digits = number.rstrip("kmgtib ")
    unit = number[len(digits) :].strip()
    try:
        value = float(digits) * _UNITS[unit]
    except (ValueError, KeyError):
        value = 0.0
    if not 1 <= value < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a memory size like 2GB, 512MB or 1.5GiB (KB, MB, GB: "
            f"powers of 1000; KiB, MiB, GiB: of 1024), got {text!r}"
        )
    return int(value)


def format_bytes(n_bytes):
    """``n_bytes`` for people: ``512 bytes``, ``1.5 kB``, ``7.7 GB``, ``1 GB``."""
    value = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if value < 999.5 or unit == "TB":
            break
        value /= 1000
    text = f"{value:.1f}" if value < 99.95 and unit != "bytes" else f"{value:.0f}"
    return f"{text.removesuffix('.0')} {unit}"


def add_memory_budget_option(sub, help_text):
    """``--memory-budget SIZE`` (default None: :data:`MEMORY_BUDGET`)."""
    sub.add_argument(
        "--memory-budget",
        type=memory_size,
        metavar="SIZE",
        help=f"{help_text} SIZE is like 2GB, 512MB or 1.5GiB (KB, MB, GB are "
        "powers of 1000; KiB, MiB, GiB of 1024) "
        f"(default: {format_bytes(MEMORY_BUDGET).replace(' ', '')})",
    )


#: Suffixes of the model files ``--save`` writes: skcnn's own format
#: (:mod:`skcnn.io`, loads without running code from the file) and pickles
#: (joblib, for what the safe format cannot hold; loading one runs code).
SAFE_MODEL_SUFFIXES = (".skcnn",)
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


def model_format(path):
    """``"skcnn"`` or ``"pickle"`` by ``path``'s suffix; None for another suffix."""
    suffix = path.suffix.lower()
    if suffix in SAFE_MODEL_SUFFIXES:
        return "skcnn"
    return "pickle" if suffix in PICKLE_SUFFIXES else None


def add_model_and_inputs(sub):
    """The ``MODEL FILE_OR_FOLDER...`` arguments of predict and explain."""
    sub.add_argument(
        "model", type=Path, metavar="MODEL", help="model file (.skcnn, or a pickle)"
    )
    sub.add_argument(
        "inputs",
        type=Path,
        nargs="+",
        metavar="FILE_OR_FOLDER",
        help="image files, or folders searched recursively for image files",
    )


def add_allow_pickle_option(sub):
    """``--allow-pickle``: also load a model file that is a pickle."""
    sub.add_argument(
        "--allow-pickle",
        action="store_true",
        help="also load MODEL when it is a pickle (a .joblib or .pkl file, "
        "as `skcnn compare --save MODEL.joblib` writes): loading a pickle "
        "runs code stored in it, so pass this only for files you trust. A "
        ".skcnn file loads without it and runs no code from the file.",
    )


def add_checkpoint_option(sub):
    """``--checkpoint DIR``: keep the CNNs' training state, to resume a run."""
    sub.add_argument(
        "--checkpoint",
        type=Path,
        metavar="DIR",
        help="keep each CNN's training state in DIR (created if missing) "
        "after every epoch: run the same command again after an interruption "
        "and its fits resume where they stopped; a fit that completes removes "
        "its state",
    )


def check_checkpoint_option(parser, args):
    """Reject a ``--checkpoint`` that names a file (a usage error)."""
    folder = getattr(args, "checkpoint", None)
    if folder is not None and folder.exists() and not folder.is_dir():
        parser.error(f"argument --checkpoint: expected a folder, got the file {folder}")


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


def add_training_command(
    commands, name, run, check, default_out, *, backbone=False, **texts
):
    """A subcommand that trains on a dataset, with the options it shares.

    ``texts`` are the ``help`` and ``description`` of the subcommand; ``run``
    runs it and ``check(parser, args)`` rejects what argparse cannot.
    ``backbone``: whether it has ``--backbone`` (for the help texts).
    """
    sub = commands.add_parser(name, **texts)
    add_common_options(sub, default_out, backbone=backbone)
    sub.set_defaults(run=run, check=check, subparser=sub)
    return sub


def add_common_options(sub, default_out, *, backbone=False):
    """The dataset, output folder, seed and verbosity options."""
    with_backbone = (
        f", or with --backbone NAME its input size ({BACKBONE_SIZE} or "
        "--backbone-image-size)"
        if backbone
        else ""
    )
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
        help="folder datasets: resize every image to H W (or HxW), keeping "
        "its aspect (padded). By default the images keep their size when they "
        "all have one; when they differ, their median height and width, "
        f"scaled down to fit {AUTO_MAX_SIDE}x{AUTO_MAX_SIDE}{with_backbone}",
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
    for option in ("image_size", "test_size", "memory_budget"):
        if getattr(args, option, None) is not None:
            parser.error(
                f"--{option.replace('_', '-')} applies to folder datasets only, "
                f"not to --dataset {args.dataset}"
            )
