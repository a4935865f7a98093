"""The stratified, seeded validation hold-out."""

import numpy as np
import pytest

from skcnn._validation_split import validation_split
from tests._helpers import small_cnn


def test_hold_out_is_stratified_and_aligned(digits_scaled):
    X, y = digits_scaled
    X_fit, y_fit, _, (X_val, y_val) = validation_split(
        X, y, None, 0.2, np.random.RandomState(0)
    )
    assert len(X_val) == 60 and len(X_fit) == 240
    assert np.abs(np.bincount(y_val) - np.bincount(y) / 5).max() <= 1
    for part in (X_fit, X_val):
        assert part.ctypes.data % 64 == 0 and part.flags.c_contiguous


def test_same_generator_state_same_split(digits_scaled):
    X, y = digits_scaled
    first = validation_split(X, y, None, 0.2, np.random.RandomState(4))
    second = validation_split(X, y, None, 0.2, np.random.RandomState(4))
    other = validation_split(X, y, None, 0.2, np.random.RandomState(5))
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[3][0], second[3][0])
    assert not np.array_equal(first[3][0], other[3][0])


def test_weights_follow_their_samples():
    X = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1)
    y = np.arange(20) % 2
    w = np.arange(20, dtype=np.float32)
    X_fit, _, w_fit, (X_val, _, w_val) = validation_split(
        X, y, w, 0.25, np.random.RandomState(0)
    )
    np.testing.assert_array_equal(X_fit.ravel(), w_fit)
    np.testing.assert_array_equal(X_val.ravel(), w_val)


def test_falls_back_to_unstratified_when_classes_are_too_small():
    X = np.zeros((6, 1, 1, 1), np.float32)
    y = np.array([0, 0, 0, 0, 0, 1])
    X_fit, _, _, (X_val, _) = validation_split(
        X, y, None, 0.5, np.random.RandomState(0)
    )
    assert len(X_fit) == len(X_val) == 3


def test_nothing_left_is_a_clear_error():
    X = np.zeros((1, 1, 1, 1), np.float32)
    with pytest.raises(ValueError, match="leaves no training or no validation"):
        validation_split(X, np.array([0]), None, 0.5, np.random.RandomState(0))


def test_sorted_labels_still_validate_on_every_class(digits_scaled):
    # Keras's own validation_split takes the last samples: on data sorted by
    # label it would validate on one class only (val_accuracy stuck at 0).
    X, y = digits_scaled
    order = np.argsort(y, kind="stable")
    clf = small_cnn(epochs=4, validation_split=0.3).fit(X[order], y[order])
    assert clf.history_["val_accuracy"][-1] > 0.3
