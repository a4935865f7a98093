"""Many fits in one process (a grid search) must not pile up TensorFlow graphs.

The RSS figures (30 fits, skcnn against plain Keras) are measured by
``python -m benchmarks``; these tests check the mechanism behind them.
"""

import gc

import pytest

from tests._helpers import small_cnn

tf = pytest.importorskip("tensorflow")


def _live_function_graphs():
    gc.collect()
    return sum(isinstance(o, tf.__internal__.FuncGraph) for o in gc.get_objects())


def _custom_gradient_keys():
    from skcnn._compat import gradient_registry

    return {k for k in gradient_registry() if "CustomGradient" in k}


def _fit_and_drop(X, y, seeds):
    for seed in seeds:
        clf = small_cnn(epochs=1, random_state=seed).fit(X, y)
        clf.predict(X)
        del clf


def test_repeated_fits_release_their_traced_step_graphs(digits_scaled):
    X, y = digits_scaled
    _fit_and_drop(X, y, [0, 1])  # warm-up: TensorFlow's own one-off graphs
    graphs, keys = _live_function_graphs(), _custom_gradient_keys()
    _fit_and_drop(X, y, range(2, 8))
    # Each fit used to leave its step's registration and about two graphs
    # alive: six fits would add 6 keys and a dozen graphs. Nothing may grow
    # with the number of fits (a stray graph of TensorFlow's own is allowed).
    assert _custom_gradient_keys() == keys
    assert _live_function_graphs() - graphs < 3


def test_other_custom_gradients_traced_during_a_fit_keep_working(digits_scaled):
    """A user's traced function with a custom gradient stays differentiable."""
    import keras

    @tf.custom_gradient
    def double_backward(x):
        return x, lambda upstream: 2.0 * upstream

    user_function = tf.function(lambda x: double_backward(x) ** 2)
    x = tf.constant(3.0)

    class TraceUserFunction(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            user_function.get_concrete_function(x)  # traced mid-fit

    X, y = digits_scaled
    before = _custom_gradient_keys()
    small_cnn(epochs=1, fit__callbacks=[TraceUserFunction()]).fit(X, y)
    assert len(_custom_gradient_keys() - before) == 1  # the user's, kept

    with tf.GradientTape() as tape:
        tape.watch(x)
        value = user_function(x)
    # d(x^2)/dx through the custom gradient: 2 * (2 * x) = 12 at x = 3.
    assert float(tape.gradient(value, x)) == pytest.approx(12.0)
