"""TensorFlow's runtime: brought up quietly and honestly, thread limits, and
the release of traced training steps (many fits in one process, such as a
grid search, must not pile up TensorFlow graphs; the RSS figures are
measured by python -m benchmarks).
"""

import gc
import os
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

from tests._helpers import small_cnn


@pytest.mark.slow
def test_import_and_quiet_fit_print_nothing():
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = _PROCESS_SCRIPT.replace(
        "print(hashlib.sha256(clf.predict_proba(X).tobytes()).hexdigest())",
        "clf.predict(X[:1]); clf.predict(X)",
    )
    result = _run_python(code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    "omp, expected", [(None, "0 0"), ("1", "1 1"), ("3", "3 3"), ("lots", "0 0")]
)
def test_tensorflow_threads_follow_omp_num_threads(omp, expected):
    """joblib's workers set OMP_NUM_THREADS to their share of the cores."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if omp is not None:
        env["OMP_NUM_THREADS"] = omp
    result = _run_python(_THREADS_SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == expected.split()


def _worker_threads():
    import tensorflow as tf

    import skcnn.classifier  # noqa: F401

    return (
        os.environ.get("OMP_NUM_THREADS"),
        tf.config.threading.get_intra_op_parallelism_threads(),
    )


@pytest.mark.slow
def test_joblib_workers_give_tensorflow_their_share_of_cores():
    from joblib import Parallel, delayed

    for omp, threads in Parallel(n_jobs=2)(delayed(_worker_threads)() for _ in "ab"):
        assert omp is not None
        assert threads == int(omp)


@pytest.mark.slow
def test_other_keras_backend_is_a_clear_error():
    env = dict(os.environ, KERAS_BACKEND="numpy")
    result = _run_python("from skcnn import CNNClassifier", env=env)
    assert result.returncode != 0
    assert "needs Keras's TensorFlow backend" in result.stderr
    assert "'numpy'" in result.stderr


def _run_python(code, env=None):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


_PROCESS_SCRIPT = textwrap.dedent(
    """
    import hashlib
    import numpy as np
    from sklearn.datasets import load_digits
    from skcnn import CNNClassifier
    X, y = load_digits(return_X_y=True)
    X = (X[:200] / 16).astype(np.float32)
    clf = CNNClassifier(filters=(8,), dense_units=16, epochs=2, batch_size=32,
                        rotation=0.05, random_state=7).fit(X, y[:200])
    print(hashlib.sha256(clf.predict_proba(X).tobytes()).hexdigest())
    """
)


_THREADS_SCRIPT = (
    "import skcnn.classifier, tensorflow as tf; t = tf.config.threading; "
    "print(t.get_intra_op_parallelism_threads(), "
    "t.get_inter_op_parallelism_threads())"
)


def _fake_module(tmp_path, name, body):
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))


_CAPTURE_SCRIPT = (
    "import importlib, sys; from skcnn._engine.runtime import _quietly; "
    "_quietly(lambda: importlib.import_module('noisy'))"
)

_NOISY = """
    import os
    os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called"
                b" are written to STDERR\\n")
    os.write(2, b"E0000 something real went wrong in the runtime\\n")
    {end}
"""


@pytest.mark.slow
def test_unknown_import_lines_reach_stderr_and_banners_do_not(tmp_path):
    env = _fake_module(tmp_path, "noisy", _NOISY.format(end="VALUE = 1"))
    result = _run_python(_CAPTURE_SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    assert "something real went wrong" in result.stderr
    assert "absl::InitializeLog" not in result.stderr


@pytest.mark.slow
def test_everything_printed_reaches_stderr_when_the_import_fails(tmp_path):
    body = _NOISY.format(end="raise ImportError('broken runtime library')")
    env = _fake_module(tmp_path, "noisy", body)
    result = _run_python(_CAPTURE_SCRIPT, env=env)
    assert result.returncode != 0
    assert "something real went wrong" in result.stderr
    assert "absl::InitializeLog" in result.stderr
    assert "broken runtime library" in result.stderr


@pytest.mark.slow
def test_stderr_works_normally_after_the_capture():
    code = (
        "import os, sys; import skcnn.classifier; "
        "os.write(2, b'after-import\\n'); print('ok', file=sys.stderr)"
    )
    result = _run_python(code)
    assert result.returncode == 0
    assert "after-import" in result.stderr and "ok" in result.stderr


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


@pytest.mark.slow
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
