"""Checks and rules for CNNClassifier hyperparameters beyond scikit-learn's.

The simple range and type constraints, in scikit-learn's form, and what
they cannot express: the ``filters`` tuple, the ``distribute`` strategy and
the ``epochs="auto"`` rule.
"""

import numbers

from ._compat import Interval, StrOptions
from ._keras import tf

__all__ = [
    "PARAMETER_CONSTRAINTS",
    "auto_epochs",
    "check_distribute",
    "check_filters",
]

# scikit-learn-style constraints of the simple hyperparameters.
PARAMETER_CONSTRAINTS = {
    "kernel_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "pool_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "dense_units": [Interval(numbers.Integral, 0, None, closed="left")],
    "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "dense_dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    "rotation": [Interval(numbers.Real, 0, 0.5, closed="both")],
    "shift": [Interval(numbers.Real, 0, 1, closed="left")],
    "zoom": [Interval(numbers.Real, 0, 1, closed="left")],
    "horizontal_flip": ["boolean"],
    "precision": [StrOptions({"float32", "mixed_float16", "mixed_bfloat16"})],
    "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
    "learning_rate_schedule": [StrOptions({"constant", "one_cycle"})],
    "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
    "epochs": [
        Interval(numbers.Integral, 1, None, closed="left"),
        StrOptions({"auto"}),
    ],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "validation_split": [Interval(numbers.Real, 0, 1, closed="left")],
    "early_stopping": [Interval(numbers.Integral, 0, None, closed="left"), None],
    "class_weight": [dict, StrOptions({"balanced"}), None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
}

# "auto" epochs: about this many images shown in all, within these bounds.
_AUTO_EPOCH_IMAGES = 240_000
_AUTO_EPOCH_RANGE = (15, 60)


def auto_epochs(n_samples):
    """Epochs that show the network about 240,000 images, from 15 to 60."""
    low, high = _AUTO_EPOCH_RANGE
    return int(min(high, max(low, round(_AUTO_EPOCH_IMAGES / max(n_samples, 1)))))


def check_distribute(distribute):
    """Raise unless ``distribute`` is None, "mirrored" or a strategy."""
    if distribute is None or distribute == "mirrored":
        return
    if not isinstance(distribute, tf.distribute.Strategy):
        raise ValueError(
            "distribute must be None, 'mirrored' or a tf.distribute.Strategy, "
            f"got {distribute!r}."
        )


def check_filters(filters):
    """Return ``filters`` as a tuple of positive ints, or raise."""
    if isinstance(filters, numbers.Integral) and not isinstance(filters, bool):
        filters = (filters,)
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__iter__"):
        raise TypeError(
            "filters must be a non-empty tuple of positive ints (one per "
            f"convolutional block), got {filters!r}."
        )
    filters = tuple(filters)
    if not filters or not all(
        isinstance(f, numbers.Integral) and not isinstance(f, bool) and f > 0
        for f in filters
    ):
        raise ValueError(
            "filters must be a non-empty tuple of positive ints (one per "
            f"convolutional block), got {filters!r}."
        )
    return tuple(int(f) for f in filters)
