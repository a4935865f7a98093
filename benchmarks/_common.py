"""Helpers shared by the benchmarks: data, timing, worker processes, machine.

Nothing here imports TensorFlow at module level, so that the runner can parse
its arguments (and a worker can set itself up) before TensorFlow loads.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: the folder holding ``skcnn/`` and ``benchmarks/``."""


def mnist_images(n):
    """``n`` uint8 MNIST pixel rows ``(n, 784)`` and their labels.

    The 5,000-image MNIST sample that ships with skcnn, tiled as often as
    needed: enough for timing, not for accuracy beyond 5,000 images.
    """
    from skcnn.datasets import fetch_mnist

    mnist = fetch_mnist(source="sample")
    reps = -(-n // len(mnist.data))
    return np.tile(mnist.data, (reps, 1))[:n], np.tile(mnist.target, reps)[:n]


def tutorial_model(meta, compile_kwargs):
    """``CNNClassifier(model=...)`` builder of the classic MNIST tutorial CNN.

    Compiled with what the estimator hands over (its optimizer and loss).
    """
    from skcnn.architectures import build_tutorial_mnist_cnn

    model = build_tutorial_mnist_cnn(meta["input_shape_"], meta["n_classes_"])
    model.compile(**compile_kwargs)
    return model


def epoch_timer():
    """A Keras callback whose ``seconds`` lists the wall time of each epoch."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    return EpochTimer()


def traced_epochs(seconds):
    """Epoch times without the first, which includes tracing (unless alone)."""
    return list(seconds[1:] or seconds)


def median_ms(fn, repeats):
    """Median milliseconds of ``repeats`` calls of ``fn`` after one warm-up call."""
    fn()  # tracing and other first-call costs
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def interleaved_median_ms(fns, repeats):
    """Median milliseconds of each of ``fns`` (a dict), called in turn.

    One warm-up call each, then ``repeats`` rounds that call every function
    once: a slow spell of a shared machine lands on all of them alike, so
    their ratios hold better than those of medians taken one after another.
    """
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def rss():
    """Resident set size of this process, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_workers(*commands):
    """Run ``python -m benchmarks.<module> args...`` in fresh processes at once.

    Each command is a tuple ``(module, *args)``. The processes run side by
    side (for measurements of each process's own memory, not of time). Each
    worker prints one JSON object as its last line of output; the list of
    them is returned, in order. A failing worker raises with its error output.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(_python_path())}
    argvs = [
        [sys.executable, "-m", f"benchmarks.{module}", *map(str, args)]
        for module, *args in commands
    ]
    processes = [
        subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for argv in argvs
    ]
    outputs = [process.communicate() for process in processes]
    results = []
    for argv, process, (stdout, stderr) in zip(argvs, processes, outputs, strict=True):
        if process.returncode != 0:
            raise RuntimeError(
                f"worker {' '.join(argv[1:])} failed with exit status "
                f"{process.returncode}:\n{stderr[-4000:]}"
            )
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    return results


def _python_path():
    existing = os.environ.get("PYTHONPATH", "")
    return [str(ROOT), *(p for p in existing.split(os.pathsep) if p)]


def print_json(result):
    """Print ``result`` as the one JSON line a worker hands back."""
    print(json.dumps(result), flush=True)


def machine():
    """Date, platform, CPU, library versions and GPUs of this run."""
    import keras
    import tensorflow as tf

    return {
        "date": datetime.date.today().isoformat(),
        "platform": platform.platform(),
        "processor": _cpu_model() or platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gpus": [_gpu_name(d) for d in tf.config.list_physical_devices("GPU")],
    }


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _gpu_name(device):
    import tensorflow as tf

    details = tf.config.experimental.get_device_details(device)
    return details.get("device_name", device.name)


def standalone(run, doc):
    """Command line of a benchmark module run on its own: print its result."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--quick", action="store_true", help="small data")
    args = parser.parse_args()
    import skcnn.classifier  # noqa: F401 - brings TensorFlow up quietly, first

    print(json.dumps(run(args.quick), indent=2))
