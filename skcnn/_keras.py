"""Bring up TensorFlow and Keras quietly, once.

Every skcnn module that needs Keras imports it from here, so that the backend
check, the logging defaults and the GPU memory settings happen in one place and
before anything else touches TensorFlow.
"""

import os
import sys
import tempfile

# Lines TensorFlow's C++ runtime writes to the process's stderr while it loads,
# before its own log level applies. They say nothing the user can act on.
_IMPORT_NOISE = (
    "absl::InitializeLog",
    "oneDNN custom operations",
    "cudart_stub.cc",
    "cpu_feature_guard.cc",
    "To enable the following instructions",
    "cuda_platform.cc",
    "cuInit",
    "Unable to register cu",
    "computation placer already registered",
    "TF-TRT Warning",
)


def _import_tensorflow_quietly():
    """Import TensorFlow and list its GPUs with C++ start-up noise filtered.

    File descriptor 2 is pointed at a temporary file for the duration of the
    import; afterwards every captured line that is not known start-up noise is
    written back to stderr, and all of it is if the import fails.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (rare embedded interpreters)
        import tensorflow as tf

        return tf, tf.config.list_physical_devices("GPU")
    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        failed = True
        try:
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            failed = False
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").splitlines()
            kept = [
                line
                for line in lines
                if failed or not any(noise in line for noise in _IMPORT_NOISE)
            ]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
    return tf, gpus


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
        tf, gpus = _import_tensorflow_quietly()
    else:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    if quiet:
        # TensorFlow's Python logger warns about retracing when many small
        # models are fitted in one process, as a grid search does.
        tf.get_logger().setLevel("ERROR")
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

__all__ = ["keras", "tf"]
