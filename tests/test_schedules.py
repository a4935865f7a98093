"""Learning-rate schedules applied during a fit."""

import numpy as np
import pytest

from skcnn._losses import SmoothedSparseCrossentropy
from skcnn._schedules import OneCycleSchedule, schedule_callbacks
from tests._helpers import small_cnn


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
