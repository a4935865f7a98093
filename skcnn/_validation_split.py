"""The stratified, seeded validation hold-out used by ``validation_split``.

Keras's own ``validation_split`` holds out the last samples before
shuffling, which is a single class when the data are sorted by label. Here
the hold-out is a random, class-stratified fraction drawn from the fit's
own generator.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from ._arrays import aligned_take

__all__ = ["n_training_samples", "validation_split"]


def validation_split(X, y, sample_weight, fraction, random_state):
    """Hold out a shuffled, stratified ``fraction`` of the training data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        Training images.
    y : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Encoded labels (one-hot rows are stratified by their argmax).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights, split alongside.
    fraction : float
        Fraction of the samples to hold out, in ``(0, 1)``.
    random_state : numpy.random.RandomState
        Generator of the split.

    Returns
    -------
    X_train, y_train, weight_train, validation_data
        The training part (64-byte aligned, as Keras can share it) and the
        ``(X_val, y_val[, weight_val])`` tuple for ``Model.fit``.
    """
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    indices = np.arange(len(labels))
    n_train = n_training_samples(len(labels), fraction)
    if n_train in (0, len(labels)):
        raise ValueError(
            f"validation_split={fraction} leaves no training or no validation "
            f"samples out of {len(labels)}."
        )
    state = random_state.get_state()
    try:
        train, val = train_test_split(
            indices, test_size=fraction, stratify=labels, random_state=random_state
        )
    except ValueError:  # too few samples per class to stratify
        random_state.set_state(state)
        train, val = train_test_split(
            indices, test_size=fraction, random_state=random_state
        )
    weights = None if sample_weight is None else sample_weight[train]
    validation = (aligned_take(X, val), y[val])
    if sample_weight is not None:
        validation += (sample_weight[val],)
    return aligned_take(X, train), y[train], weights, validation


def n_training_samples(n_samples, fraction):
    """Samples left for training once ``fraction`` of ``n_samples`` is held out."""
    if not fraction:
        return n_samples
    return n_samples - int(np.ceil(fraction * n_samples))
