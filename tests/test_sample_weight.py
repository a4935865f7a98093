"""Sample weights times class weights; samples of weight zero dropped."""

import numpy as np
import pytest

from skcnn._sample_weight import drop_zero_weights, fit_sample_weight

X = np.zeros((6, 2, 2, 1), np.float32)
Y = np.array([0, 0, 0, 0, 1, 1])


def test_none_without_weights():
    assert fit_sample_weight(X, Y, None, None) is None


def test_balanced_class_weight_times_sample_weight():
    weights = fit_sample_weight(X, Y, np.full(6, 2.0), "balanced")
    assert weights.dtype == np.float32
    np.testing.assert_allclose(weights, 2 * np.array([0.75] * 4 + [1.5] * 2))
    as_dict = fit_sample_weight(X, Y, None, {0: 1.0, 1: 3.0})
    np.testing.assert_allclose(as_dict, [1, 1, 1, 1, 3, 3])


def test_wrong_length_is_a_clear_error():
    with pytest.raises(ValueError, match="sample_weight"):
        fit_sample_weight(X, Y, np.ones(5), None)


def test_zero_weights_are_dropped_and_negative_refused():
    w = np.array([1, 0, 1, 0, 2, 2], np.float32)
    X_kept, y_kept, w_kept = drop_zero_weights(X, Y, w)
    assert len(X_kept) == 4
    np.testing.assert_array_equal(y_kept, [0, 0, 1, 1])
    np.testing.assert_array_equal(w_kept, [1, 1, 2, 2])
    with pytest.raises(ValueError, match="non-negative"):
        drop_zero_weights(X, Y, -np.ones(6, np.float32))
    with pytest.raises(ValueError, match="nothing to train on"):
        drop_zero_weights(X, Y, np.zeros(6, np.float32))
