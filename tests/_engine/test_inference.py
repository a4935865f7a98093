"""Predictions through one compiled function per fitted model."""

import logging
import pickle

import numpy as np
import pytest

from skcnn._engine.inference import InferenceFunction
from tests._helpers import small_cnn


@pytest.fixture(scope="module")
def fitted(digits_scaled):
    X, y = digits_scaled
    return small_cnn(epochs=1).fit(X, y)


def test_matches_the_network_called_directly(fitted, digits_scaled):
    X, _ = digits_scaled
    images = X.reshape(-1, 8, 8, 1)
    direct = np.asarray(fitted.model_(images, training=False))
    np.testing.assert_allclose(fitted.predict_proba(X), direct, rtol=1e-5, atol=1e-6)


def test_traced_once_for_every_batch_size(digits_scaled, fitted):
    X, _ = digits_scaled
    function = InferenceFunction(fitted.model_, fitted.input_shape_)
    images = X.reshape(-1, 8, 8, 1)
    outputs = [function(images[:n], batch_size=32) for n in (1, 2, 7, 32, 33, 300)]
    assert [len(out) for out in outputs] == [1, 2, 7, 32, 33, 300]
    assert function._forward.experimental_get_tracing_count() == 1
    np.testing.assert_allclose(outputs[-1][:7], outputs[2], rtol=1e-6, atol=1e-7)


def test_uint8_and_float64_inputs_predict_alike(digits):
    X, y = digits
    clf = small_cnn(epochs=1).fit(X, y)
    np.testing.assert_allclose(
        clf.predict_proba(X.astype(np.float64)), clf.predict_proba(X), atol=1e-6
    )


def _retracing_warnings(caplog):
    return [
        record.getMessage()
        for record in caplog.records
        if "triggered tf.function retracing" in record.getMessage()
    ]


@pytest.mark.slow
def test_no_retracing_warning_at_any_batch_size(digits_scaled, caplog):
    import tensorflow as tf

    from skcnn._engine.runtime import _PerModelRetracingFilter

    X, y = digits_scaled
    logger = tf.get_logger()
    assert any(isinstance(f, _PerModelRetracingFilter) for f in logger.filters)
    level = logger.level
    # skcnn sets TensorFlow's logger to ERROR, which would hide every
    # retracing warning: the level is lowered so that only skcnn's filter of
    # its own per-model functions stands between the warning and caplog.
    logger.setLevel(logging.WARNING)
    try:
        with caplog.at_level(logging.WARNING):
            for seed in range(6):
                clf = small_cnn(epochs=1, random_state=seed).fit(X[:60], y[:60])
                for n in (1, 3, 17, 60):
                    clf.predict(X[:n])
            from_skcnn = _retracing_warnings(caplog)

            # Positive control, under the same settings: a function of the
            # user's traced anew on each of 5 calls (a new Python value each
            # time) makes TensorFlow warn, once, and caplog sees it.
            def user_function(x):
                return x + 1

            traced = tf.function(user_function)
            for value in range(5):
                traced(value)
            assert traced.experimental_get_tracing_count() == 5
            from_user = _retracing_warnings(caplog)
    finally:
        logger.setLevel(level)
    assert from_skcnn == []
    assert len(from_user) == 1
    assert "user_function" in from_user[0]
    assert "5 out of the last 5 calls" in from_user[0]


def test_new_function_after_refit_and_none_in_pickles(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1).fit(X, y)
    first = clf._inference_function
    expected = clf.predict_proba(X)
    assert "_inference_function" not in clf.__getstate__()
    assert clf._inference_function is first  # getstate copies, never strips
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded._inference_function is not first
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    clf.fit(X, y)
    assert clf._inference_function is not first


def test_predict_callbacks_use_keras_predict(digits_scaled):
    import keras

    class Count(keras.callbacks.Callback):
        batches = 0

        def on_predict_batch_end(self, batch, logs=None):
            Count.batches += 1

    X, y = digits_scaled
    clf = small_cnn(epochs=1, callbacks=[Count()]).fit(X, y)
    Count.batches = 0
    clf.predict(X[:5])
    assert Count.batches == 1
