"""TensorFlow's runtime as skcnn sets it up: brought up quietly, once, and tidied.

Every skcnn module that needs Keras imports it from here, so that the backend
check, the logging defaults and the GPU memory settings happen in one place and
before anything else touches TensorFlow.

:func:`released_step_gradients` releases what TensorFlow keeps of a Keras
training step after tracing it. When Keras traces a training step, the
optimizer sums the gradients across replicas (one replica, on a single
device). TensorFlow implements that sum with a custom gradient, and in graph
mode every custom gradient is registered under a fresh name in TensorFlow's
process-wide gradient registry, which is never emptied. The registered
function holds tensors of the traced step, so the whole step graph (its
operations, constants and nested functions) stays alive after the model is
gone: several MB per fit, for as long as the process runs. A grid search
fitting dozens of models grows by hundreds of MB. A gradient registration is
only looked up while the step that created it is being traced, so the
registrations made during a fit that belong to a Keras step whose tracing
has finished are dropped after it. Registrations of anything else (the
user's own ``tf.function`` graphs, a step still being traced in another
thread) are left alone.
"""

import importlib
import logging
import os
import sys
import tempfile
from contextlib import contextmanager

from .._compat import gradient_registry

# Lines TensorFlow's C++ runtime writes to the process's stderr while it loads,
# before its own log level applies. They say nothing the user can act on.
_IMPORT_NOISE = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "Could not find cuda drivers on your machine",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions",
    "failed call to cuInit",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)


def _quietly(action):
    """Run ``action()`` with TensorFlow's C++ start-up banners filtered out.

    File descriptor 2 is pointed at a temporary file while ``action`` runs
    (importing TensorFlow, listing its devices). Afterwards every captured
    line that is not one of the known banners is written back to stderr, and
    if ``action`` fails, all of it is, before the error propagates: nothing
    TensorFlow prints about a real problem is hidden.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (rare embedded interpreters)
        return action()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        failed = True
        try:
            result = action()
            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").splitlines()
            kept = [line for line in lines if failed or not _is_banner(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()
    return result


def _is_banner(line):
    return any(banner in line for banner in _IMPORT_NOISE)


# Functions TensorFlow traces once per model: Keras's training, evaluation
# and prediction steps, skcnn's compiled inference and its saliency
# functions (once per model, method and layer). TensorFlow counts the
# traces of all functions sharing one piece of code, so fitting many models
# (a grid search, scikit-learn's checks) reads to it as "retracing", and it
# warns, though no single function was traced more than once per input shape.
_PER_MODEL_FUNCTIONS = (
    "one_step_on_data",
    "one_step_on_iterator",
    "multi_step_on_iterator",
    "InferenceFunction",
    "SaliencyNetwork",
)


class _PerModelRetracingFilter(logging.Filter):
    """Drop TensorFlow's retracing warning for functions traced per model."""

    def filter(self, record):
        message = record.getMessage()
        return not (
            "triggered tf.function retracing" in message
            and any(name in message for name in _PER_MODEL_FUNCTIONS)
        )


def _backend_error(backend):
    return ImportError(
        "skcnn needs Keras's TensorFlow backend, but Keras is set to the "
        f"{backend!r} backend (KERAS_BACKEND={os.environ.get('KERAS_BACKEND')!r}"
        "). Set KERAS_BACKEND=tensorflow before Keras is first imported."
    )


def _follow_thread_limit(tf):
    """Size TensorFlow's thread pools by ``OMP_NUM_THREADS`` when it is set.

    joblib sets ``OMP_NUM_THREADS`` in its worker processes to the machine's
    cores divided by ``n_jobs``, and NumPy's and SciPy's libraries follow it,
    but TensorFlow does not: each worker would start a thread per core, and
    ``GridSearchCV(n_jobs=2)`` on 2 cores would run 4 busy threads. Thread
    counts the user gave TensorFlow, or a runtime already started, are left
    alone.
    """
    try:
        limit = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return
    if limit < 1:
        return
    threading = tf.config.threading
    try:
        if threading.get_intra_op_parallelism_threads() == 0:
            threading.set_intra_op_parallelism_threads(limit)
        if threading.get_inter_op_parallelism_threads() == 0:
            threading.set_inter_op_parallelism_threads(limit)
    except RuntimeError:  # TensorFlow already running: too late to change
        pass


def _bring_up():
    if "keras" not in sys.modules:
        backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        if backend != "tensorflow":
            raise _backend_error(backend)
    # Quiet unless the user chose a log level. A level skcnn set itself is
    # marked, so that worker processes (joblib, dask) inheriting it stay quiet.
    quiet = (
        "TF_CPP_MIN_LOG_LEVEL" not in os.environ
        or os.environ.get("SKCNN_QUIET_TENSORFLOW") == "1"
    )
    if quiet:
        os.environ["SKCNN_QUIET_TENSORFLOW"] = "1"
        # Level 3 also hides the C++ ERROR lines TensorFlow prints on routine
        # work (e.g. "NodeDef mentions attribute use_unbounded_threadpool" on
        # Model.predict); real failures still reach Python as exceptions.
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if quiet and "tensorflow" not in sys.modules:
        tf = _quietly(lambda: importlib.import_module("tensorflow"))
        gpus = _quietly(lambda: tf.config.list_physical_devices("GPU"))
    else:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    if quiet:
        # TensorFlow's Python logger warns about retracing when many small
        # models are fitted in one process, as a grid search does.
        tf.get_logger().setLevel("ERROR")
    if not any(
        isinstance(f, _PerModelRetracingFilter) for f in tf.get_logger().filters
    ):
        tf.get_logger().addFilter(_PerModelRetracingFilter())
    _follow_thread_limit(tf)
    for gpu in gpus:
        try:
            # Grow GPU memory as needed instead of reserving all of it, so that
            # several fits (and other programs) can share one device.
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # the device was already initialised by the user
            pass

    import keras

    if keras.backend.backend() != "tensorflow":
        raise _backend_error(keras.backend.backend())
    return tf, keras


tf, keras = _bring_up()

__all__ = ["keras", "released_step_gradients", "tf"]

_CUSTOM_GRADIENT_PREFIX = "CustomGradient-"
# Names Keras gives the functions it traces for fit, evaluate and predict.
_KERAS_STEP_PREFIXES = ("one_step_on_", "multi_step_on_")


def _held_graphs(function, depth=0):
    """Graphs of the symbolic tensors a registered gradient function holds."""
    graphs = []
    for cell in getattr(function, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if tf.is_symbolic_tensor(item):
                graphs.append(item.graph)
            elif depth < 2 and callable(item) and hasattr(item, "__closure__"):
                graphs.extend(_held_graphs(item, depth + 1))
    return graphs


def _outermost_function_graph(graph):
    while isinstance(getattr(graph, "outer_graph", None), tf.__internal__.FuncGraph):
        graph = graph.outer_graph
    return graph


def _is_finished_keras_step(graph):
    graph = _outermost_function_graph(graph)
    return (
        isinstance(graph, tf.__internal__.FuncGraph)
        and graph.name.startswith(_KERAS_STEP_PREFIXES)
        and graph.structured_outputs is not None
    )


def _releasable(entry):
    graphs = _held_graphs(entry.get("type")) if isinstance(entry, dict) else []
    return bool(graphs) and all(_is_finished_keras_step(g) for g in graphs)


@contextmanager
def released_step_gradients():
    """Drop the gradient registrations of Keras steps traced in the block.

    Only registrations made while the block runs are considered, and of
    those only the ones whose tensors all belong to a Keras step function
    that has finished tracing. Without TensorFlow's registry (a future
    TensorFlow may move it) this does nothing.
    """
    registry = gradient_registry()
    before = set(registry) if registry is not None else set()
    try:
        yield
    finally:
        if registry is not None:
            for key in list(registry):
                if (
                    key.startswith(_CUSTOM_GRADIENT_PREFIX)
                    and key not in before
                    and _releasable(registry.get(key))
                ):
                    registry.pop(key, None)
