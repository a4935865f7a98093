"""One Keras training run, sample weights, the smoothed loss and the
learning-rate schedules.
"""

import numpy as np
import pytest

from skcnn._engine.plan import FitPlan
from skcnn._engine.training import (
    OneCycleSchedule,
    SmoothedSparseCrossentropy,
    drop_zero_weights,
    fit_sample_weight,
    schedule_callbacks,
    train,
)
from skcnn.architectures import build_cnn
from tests._helpers import small_cnn


def _model():
    model = build_cnn((8, 8, 1), 10, filters=(4,), dense_units=0, seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_validation_split_and_epochs_from_fit_args(digits_scaled):
    X, y = digits_scaled
    plan = FitPlan(
        seed=0,
        epochs=2,
        fit_args={"batch_size": 64, "validation_split": 0.2, "verbose": 0},
    )
    logs = train(_model(), X.reshape(-1, 8, 8, 1), y, plan, callbacks=[])
    assert len(logs["loss"]) == len(logs["val_loss"]) == 2


@pytest.mark.slow
def test_same_seed_same_weights(digits_scaled):
    X, y = digits_scaled

    def weights(seed):
        model = _model()
        plan = FitPlan(
            seed=seed,
            epochs=1,
            sample_weight=np.ones(len(y), np.float32),
            # The plan's epochs win over a routed fit__epochs.
            fit_args={"batch_size": 32, "verbose": 0, "epochs": 99},
        )
        history = train(model, X.reshape(-1, 8, 8, 1), y, plan, callbacks=[])
        assert len(history["loss"]) == 1
        return model.get_weights()[0]

    np.testing.assert_array_equal(weights(1), weights(1))
    assert not np.array_equal(weights(1), weights(2))


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


def test_smoothed_loss_matches_keras_on_one_hot_targets():
    import keras

    y_true = np.array([0, 2, 1])
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]], "float32")
    ours = SmoothedSparseCrossentropy(0.1)(y_true, y_pred)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(
        np.eye(3, dtype="float32")[y_true], y_pred
    )
    assert float(ours) == pytest.approx(float(reference), rel=1e-6)


def _smoothed_cross_entropy(labels, proba, smoothing):
    """Mean cross-entropy of ``proba`` against smoothed one-hot ``labels``."""
    n_classes = proba.shape[1]
    targets = np.eye(n_classes)[labels] * (1 - smoothing) + smoothing / n_classes
    return np.mean(-np.sum(targets * np.log(proba), axis=1))


def test_smoothed_loss_for_two_classes_and_after_pickling(digits_scaled):
    import pickle

    X, y = digits_scaled
    binary = small_cnn(epochs=1, label_smoothing=0.1).fit(X, y % 2)
    loaded = pickle.loads(pickle.dumps(binary))
    y_true = np.array([0, 1, 0, 1])
    y_pred = np.array([[0.99, 0.01], [0.02, 0.98], [0.9, 0.1], [0.4, 0.6]], "float32")
    # By hand: the targets are (0.95, 0.05) for class 0, (0.05, 0.95) for 1.
    expected = np.mean(
        [
            -(0.95 * np.log(0.99) + 0.05 * np.log(0.01)),
            -(0.05 * np.log(0.02) + 0.95 * np.log(0.98)),
            -(0.95 * np.log(0.9) + 0.05 * np.log(0.1)),
            -(0.05 * np.log(0.4) + 0.95 * np.log(0.6)),
        ]
    )
    assert expected == pytest.approx(0.3002, abs=1e-4)  # unsmoothed: 0.1616
    assert _smoothed_cross_entropy(y_true, y_pred, 0.1) == pytest.approx(expected)
    images = X.reshape(-1, 8, 8, 1)
    for clf in (binary, loaded):
        loss = clf.model_.loss
        assert isinstance(loss, SmoothedSparseCrossentropy)
        assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-6)
        # What Keras reports for the fitted network is the same loss of its
        # own predictions.
        reported = clf.model_.evaluate(
            images, y % 2, batch_size=len(X), verbose=0, return_dict=True
        )["loss"]
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), 2)
        assert reported == pytest.approx(
            _smoothed_cross_entropy(y % 2, proba, 0.1), rel=1e-5
        )
    np.testing.assert_array_equal(loaded.predict_proba(X), binary.predict_proba(X))


def test_one_cycle_warms_up_then_decays_to_almost_zero():
    schedule = OneCycleSchedule(0.01, steps_per_epoch=10, epochs=10)
    rates = np.array([schedule.rate(step) for step in range(100)])
    assert rates[0] == pytest.approx(0.001)
    assert rates.argmax() == 10 and rates.max() == pytest.approx(0.01)
    assert np.all(np.diff(rates[:10]) > 0) and np.all(np.diff(rates[10:]) < 0)
    assert rates[-1] < 1e-5


def test_constant_schedule_adds_no_callback():
    assert schedule_callbacks("constant", 0.01, 100, 10, 3) == []
    (callback,) = schedule_callbacks("one_cycle", 0.01, 95, 10, 3)
    assert callback.steps_per_epoch == 10 and callback.total == 30


def test_fit_follows_the_cycle_and_each_fit_gets_its_own(digits_scaled):
    import keras

    X, y = digits_scaled
    rates = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            rates.append(float(self.model.optimizer.learning_rate))

    clf = small_cnn(
        epochs=3, learning_rate=0.02, warm_start=True, fit__callbacks=[Record()]
    ).fit(X, y)
    steps = 3 * int(np.ceil(len(X) / 32))
    assert len(rates) == steps
    assert max(rates) == pytest.approx(0.02, rel=1e-5)
    assert rates[-1] < 1e-4
    clf.fit(X, y)  # warm start: a new cycle over the new epochs
    assert max(rates[steps:]) == pytest.approx(0.02, rel=1e-5)


def test_constant_schedule_keeps_the_rate(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1, learning_rate=0.02, learning_rate_schedule="constant")
    clf.fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)


@pytest.mark.slow
def test_label_smoothing_trains_on_one_hot_targets(digits_scaled):
    import keras

    X, y = digits_scaled
    smooth = small_cnn(epochs=1, label_smoothing=0.2).fit(X, y)
    loss = smooth.model_.loss
    assert isinstance(loss, SmoothedSparseCrossentropy)
    assert loss.get_config()["label_smoothing"] == pytest.approx(0.2)
    assert smooth.predict_proba(X).shape == (len(X), 10)
    plain = small_cnn(epochs=1, label_smoothing=0.0).fit(X, y)
    assert not isinstance(plain.model_.loss, SmoothedSparseCrossentropy)
    one_hot = small_cnn(
        epochs=1, label_smoothing=0.2, loss="categorical_crossentropy"
    ).fit(X, y)
    assert isinstance(one_hot.model_.loss, keras.losses.CategoricalCrossentropy)
    # Smoothed targets keep the predicted probabilities away from 0 and 1.
    smoother = small_cnn(epochs=8, label_smoothing=0.5).fit(X, y)
    sharper = small_cnn(epochs=8, label_smoothing=0.0).fit(X, y)
    assert smoother.predict_proba(X).max() < sharper.predict_proba(X).max()
