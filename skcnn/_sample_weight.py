"""Sample weights of a fit: the user's, times the class weights.

``class_weight`` is turned into per-sample weights here instead of being
passed to Keras, so that it combines with ``sample_weight`` and works with
any loss. Samples of weight zero are dropped, as scikit-learn estimators do.
"""

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

from ._compat import _check_sample_weight

__all__ = ["drop_zero_weights", "fit_sample_weight"]


def fit_sample_weight(X, y, sample_weight, class_weight):
    """Sample weights times class weights as float32, or None when neither is set."""
    if sample_weight is None and class_weight is None:
        return None
    weights = _check_sample_weight(sample_weight, X, dtype=np.float32)
    if class_weight is not None:
        weights = weights * compute_sample_weight(class_weight, y).astype(np.float32)
    return weights


def drop_zero_weights(X, y, sample_weight):
    """``X``, ``y`` and the weights without the samples of weight zero."""
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    keep = sample_weight != 0
    if not keep.any():
        raise ValueError("All sample weights are zero: there is nothing to train on.")
    if keep.all():
        return X, y, sample_weight
    return X[keep], y[keep], sample_weight[keep]
