"""Checks and rules for CNNClassifier hyperparameters beyond scikit-learn's.

The simple range and type constraints live in the estimator's
``_parameter_constraints``; what they cannot express is here: the
``filters`` tuple, the ``distribute`` strategy and the ``epochs="auto"`` rule.
"""

import numbers

from ._keras import tf

__all__ = ["auto_epochs", "check_distribute", "check_filters"]

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
