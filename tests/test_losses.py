"""Cross-entropy on integer labels with label smoothing."""

import numpy as np
import pytest

from skcnn._losses import SmoothedSparseCrossentropy
from tests._helpers import small_cnn


def test_smoothed_loss_matches_keras_on_one_hot_targets():
    import keras

    y_true = np.array([0, 2, 1])
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]], "float32")
    ours = SmoothedSparseCrossentropy(0.1)(y_true, y_pred)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(
        np.eye(3, dtype="float32")[y_true], y_pred
    )
    assert float(ours) == pytest.approx(float(reference), rel=1e-6)


def test_smoothed_loss_for_two_classes_and_after_pickling(digits_scaled):
    import pickle

    X, y = digits_scaled
    binary = small_cnn(epochs=1, label_smoothing=0.1).fit(X, y % 2)
    assert binary.predict_proba(X).shape == (len(X), 2)
    loaded = pickle.loads(pickle.dumps(binary))
    np.testing.assert_array_equal(loaded.predict_proba(X), binary.predict_proba(X))
