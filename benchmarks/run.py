"""skcnn's benchmark suite: speed, latency, memory and time-to-accuracy.

Every figure that is compared with another is measured in the same run, on
the same machine, and reported as a ratio, because shared machines are noisy.
Run ``python -m benchmarks`` (full, several minutes) or ``python -m benchmarks
--quick`` (a smoke test of every measurement on small data, about a minute).
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

FULL = {
    "epoch_images": 60000,
    "epochs": 4,
    "training_rounds": 2,
    "latency_repeats": 200,
    "throughput_images": 10000,
    "memory_images": 60000,
    "accuracy_train": 4000,
    "accuracy_epochs": None,  # the estimators' own defaults
    "tutorial_epochs": 10,
    "repeated_fits": 30,
    "search_images": 3000,
    "search_epochs": 3,
}
QUICK = {
    "epoch_images": 2000,
    "epochs": 2,
    "training_rounds": 1,
    "latency_repeats": 20,
    "throughput_images": 1000,
    "memory_images": 4000,
    "accuracy_train": 1000,
    "accuracy_epochs": 1,
    "tutorial_epochs": 1,
    "repeated_fits": 4,
    "search_images": 400,
    "search_epochs": 1,
}


def mnist_images(n):
    """``n`` uint8 28x28 MNIST images (the 5,000-image sample, tiled) and labels."""
    from skcnn.datasets import fetch_mnist

    mnist = fetch_mnist(source="sample")
    reps = -(-n // len(mnist.data))
    return np.tile(mnist.data, (reps, 1))[:n], np.tile(mnist.target, reps)[:n]


class EpochTimer:
    """A Keras callback recording the wall-clock seconds of each epoch."""

    def __new__(cls):
        import keras

        class _Timer(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.seconds = []

            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds.append(time.perf_counter() - self.start)

        return _Timer()


def bench_training(cfg):
    """Seconds per epoch: raw Keras versus skcnn's pipeline from uint8."""
    import keras
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler
    from skcnn.architectures import build_cnn

    X, y = mnist_images(cfg["epoch_images"])
    clf_defaults = CNNClassifier()
    arch = {
        k: getattr(clf_defaults, k)
        for k in (
            "filters",
            "kernel_size",
            "pool_size",
            "dense_units",
            "dropout",
            "dense_dropout",
            "batch_norm",
            "rotation",
            "shift",
            "zoom",
            "horizontal_flip",
        )
    }
    batch_size = clf_defaults.batch_size

    def raw_keras_epochs():
        """The same network and batch size, on pixels scaled beforehand."""
        keras.utils.set_random_seed(0)
        images = (X.reshape(-1, 28, 28, 1) / 255).astype(np.float32)
        model = build_cnn((28, 28, 1), 10, **arch)
        model.compile(
            keras.optimizers.Adam(clf_defaults.learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        timer = EpochTimer()
        model.fit(
            images,
            y,
            epochs=cfg["epochs"],
            batch_size=batch_size,
            verbose=0,
            callbacks=[timer],
        )
        return timer.seconds[1:] or timer.seconds

    def skcnn_epochs():
        """uint8 rows through ImageReshaper -> PixelScaler -> CNNClassifier."""
        timer = EpochTimer()
        pipe = make_pipeline(
            ImageReshaper(image_shape=(28, 28)),
            PixelScaler(),
            CNNClassifier(epochs=cfg["epochs"], random_state=0, fit__callbacks=[timer]),
        )
        start = time.perf_counter()
        pipe.fit(X, y)
        return timer.seconds[1:] or timer.seconds, time.perf_counter() - start

    # Alternate the two, so that a slow spell of a shared machine does not
    # land on one side only; compare the medians of the traced epochs.
    raw_seconds, our_seconds = [], []
    for _ in range(cfg["training_rounds"]):
        raw_seconds += raw_keras_epochs()
        seconds, total = skcnn_epochs()
        our_seconds += seconds
    raw, ours = statistics.median(raw_seconds), statistics.median(our_seconds)
    return {
        "images": len(X),
        "batch_size": batch_size,
        "raw_keras_s_per_epoch": raw,
        "skcnn_s_per_epoch": ours,
        "ratio_skcnn_to_raw": ours / raw,
        "raw_keras_epoch_seconds": raw_seconds,
        "skcnn_epoch_seconds": our_seconds,
        "skcnn_fit_total_s": total,
    }


def _median_ms(fn, repeats):
    fn()  # warm up (tracing, first-call costs)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bench_prediction(cfg):
    """Predict latency (one image) and throughput (many) of four routes."""
    from scikeras.wrappers import KerasClassifier

    from skcnn import CNNClassifier
    from skcnn.architectures import build_cnn

    X, y = mnist_images(max(cfg["throughput_images"], 2000))
    images = (X.reshape(-1, 28, 28, 1) / 255).astype(np.float32)
    train = images[:2000], y[:2000]
    ours = CNNClassifier(epochs=1, random_state=0).fit(*train)

    def build(meta):
        model = build_cnn(meta["X_shape_"][1:], meta["n_classes_"])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    scikeras = KerasClassifier(
        model=build, epochs=1, batch_size=128, verbose=0, random_state=0
    ).fit(*train)
    model = ours.model_
    one = images[:1]
    many = images[: cfg["throughput_images"]]
    reps = cfg["latency_repeats"]
    latency = {
        "model_call": _median_ms(lambda: model(one, training=False), reps),
        "keras_predict": _median_ms(lambda: model.predict(one, verbose=0), reps),
        "scikeras_predict": _median_ms(lambda: scikeras.predict(one), reps),
        "skcnn_predict": _median_ms(lambda: ours.predict(one), reps),
        "skcnn_predict_proba": _median_ms(lambda: ours.predict_proba(one), reps),
    }
    batch = {
        "keras_predict": _median_ms(lambda: model.predict(many, verbose=0), 3),
        "scikeras_predict": _median_ms(lambda: scikeras.predict(many), 3),
        "skcnn_predict": _median_ms(lambda: ours.predict(many), 3),
    }
    images_per_s = {k: len(many) / (v / 1000) for k, v in batch.items()}
    return {
        "latency_ms_one_image": latency,
        "speedup_vs_scikeras": latency["scikeras_predict"] / latency["skcnn_predict"],
        "throughput_images": len(many),
        "images_per_second": images_per_s,
        "batched_ratio_skcnn_to_keras": batch["skcnn_predict"] / batch["keras_predict"],
    }


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, threading, time
    sys.path.insert(0, {root!r})
    from benchmarks.run import mnist_images
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    X, y = mnist_images({n})
    pipe = make_pipeline(ImageReshaper(image_shape=(28, 28)), PixelScaler(),
                         CNNClassifier(epochs=1, random_state=0))
    if {warm!r}:
        # A short fit on 256 images pays TensorFlow's one-off start-up memory
        # (runtime, thread pools, kernels), which is not a copy of the data.
        clone(pipe).fit(X[:256], y[:256])
    else:
        pipe[-1].initialize(X[:10].reshape(-1, 28, 28, 1) / 255.0, y[:10])
    baseline = peak = rss()
    done = threading.Event()

    def watch():
        global peak
        while not done.is_set():
            peak = max(peak, rss())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    pipe.fit(X, y)
    done.set()
    watcher.join()
    print(json.dumps({{"baseline": baseline, "peak": max(peak, rss())}}))
    """
)


def bench_memory(cfg):
    """Peak extra RSS of a pipeline fit from uint8, against the data's sizes.

    Runs in fresh processes; a thread samples the resident set size every
    2 ms during the fit, against its size just before. The main figure is
    taken after a warm-up fit on 256 images, so that TensorFlow's one-off
    start-up memory is not counted as a copy of the data; the "cold" figure,
    with only the network built beforehand, includes it.
    """
    n = cfg["memory_images"]
    root = str(Path(__file__).resolve().parent.parent)
    extra = {}
    for warm in (True, False):
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_SCRIPT.format(root=root, n=n, warm=warm)],
            capture_output=True,
            text=True,
            check=True,
        )
        peaks = json.loads(result.stdout.strip().splitlines()[-1])
        extra[warm] = peaks["peak"] - peaks["baseline"]
    float32_bytes = 4 * n * 784
    return {
        "images": n,
        "uint8_mb": n * 784 / 2**20,
        "float32_mb": float32_bytes / 2**20,
        "peak_extra_mb": extra[True] / 2**20,
        "peak_extra_over_float32": extra[True] / float32_bytes,
        "cold_peak_extra_mb": extra[False] / 2**20,
        "cold_peak_extra_over_float32": extra[False] / float32_bytes,
    }


_REPEATED_FITS_SCRIPT = textwrap.dedent(
    """
    import gc, json, os, sys
    import numpy as np
    sys.path.insert(0, {root!r})
    from sklearn.datasets import load_digits
    from skcnn import CNNClassifier
    import keras

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16).astype(np.float32).reshape(-1, 8, 8, 1)
    y = y[:300]

    def skcnn_fit(i):
        clf = CNNClassifier(filters=(8,), dense_units=32, epochs=2, batch_size=32,
                            random_state=i).fit(X, y)
        clf.predict(X)
        clf.predict(X[:1])

    def keras_fit(i):
        keras.utils.set_random_seed(i)
        inputs = keras.Input((8, 8, 1))
        h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
        h = keras.layers.Dropout(0.25)(keras.layers.MaxPooling2D(2)(h))
        h = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(h))
        h = keras.layers.Dropout(0.5)(h)
        model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(h))
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(X, y, epochs=2, batch_size=32, verbose=0)
        model.predict(X, verbose=0)
        model(X[:1], training=False)

    fit = {{"skcnn": skcnn_fit, "keras": keras_fit}}[{which!r}]
    fit(0)  # first fit: TensorFlow's one-off start-up costs
    gc.collect()
    start = rss()
    for i in range({n}):
        fit(i + 1)
        gc.collect()
    print(json.dumps({{"growth": rss() - start}}))
    """
)


def bench_repeated_fits(cfg):
    """RSS growth over consecutive small fits in one process: skcnn and Keras."""
    root = str(Path(__file__).resolve().parent.parent)
    growth = {}
    for which in ("skcnn", "keras"):
        script = _REPEATED_FITS_SCRIPT.format(
            root=root, which=which, n=cfg["repeated_fits"]
        )
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        )
        growth[which] = json.loads(result.stdout.strip().splitlines()[-1])["growth"]
    return {
        "fits": cfg["repeated_fits"],
        "skcnn_growth_mb": growth["skcnn"] / 2**20,
        "keras_growth_mb": growth["keras"] / 2**20,
        "ratio_skcnn_to_keras": growth["skcnn"] / max(growth["keras"], 1),
    }


def bench_grid_search(cfg):
    """Wall time of one GridSearchCV over CNN pipelines: n_jobs=2 vs n_jobs=1.

    Four candidates, 2-fold CV: eight fits. With n_jobs=2 the fits run in two
    joblib worker processes, whose start-up (importing TensorFlow) counts.
    """
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    X, y = mnist_images(cfg["search_images"])
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=cfg["search_epochs"], random_state=0),
    )
    grid = {
        "cnnclassifier__filters": [(16, 32), (32, 64)],
        "cnnclassifier__dropout": [0.25, 0.5],
    }
    seconds = {}
    for n_jobs in (1, 2):
        search = GridSearchCV(pipe, grid, cv=2, n_jobs=n_jobs)
        start = time.perf_counter()
        search.fit(X, y)
        seconds[n_jobs] = time.perf_counter() - start
    return {
        "images": len(X),
        "fits": 8,
        "n_jobs_1_s": seconds[1],
        "n_jobs_2_s": seconds[2],
        "ratio_n_jobs_2_to_1": seconds[2] / seconds[1],
    }


def bench_accuracy(cfg):
    """Time-to-accuracy on the MNIST sample: defaults, tutorial CNN, logreg."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler
    from skcnn.architectures import build_tutorial_mnist_cnn
    from skcnn.datasets import fetch_mnist, split_train_test

    X_train, X_test, y_train, y_test = split_train_test(fetch_mnist(source="sample"))
    X_train, y_train = (
        X_train[: cfg["accuracy_train"]],
        y_train[: cfg["accuracy_train"]],
    )

    def tutorial(meta, compile_kwargs):
        model = build_tutorial_mnist_cnn(meta["input_shape_"], meta["n_classes_"])
        model.compile(**compile_kwargs)
        return model

    epochs = (
        {} if cfg["accuracy_epochs"] is None else {"epochs": cfg["accuracy_epochs"]}
    )
    candidates = {
        "CNNClassifier() defaults": CNNClassifier(random_state=0, **epochs),
        "tutorial CNN": CNNClassifier(
            model=tutorial, epochs=cfg["tutorial_epochs"], random_state=0
        ),
        "LogisticRegression": LogisticRegression(max_iter=1000),
    }
    rows = {}
    for name, estimator in candidates.items():
        steps = [PixelScaler(), estimator]
        if isinstance(estimator, CNNClassifier):
            steps.insert(0, ImageReshaper(image_shape=(28, 28)))
        pipe = make_pipeline(*steps)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows[name] = {"accuracy": pipe.score(X_test, y_test), "fit_s": seconds}
    return {"train": len(X_train), "test": len(X_test), "models": rows}


def machine():
    import keras
    import tensorflow as tf

    return {
        "date": datetime.date.today().isoformat(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
    }


def markdown(results):
    """The results as Markdown tables."""
    t, p, m, a, r, g = (
        results[k]
        for k in (
            "training",
            "prediction",
            "memory",
            "accuracy",
            "repeated_fits",
            "grid_search",
        )
    )
    lines = [
        f"Measured {results['machine']['date']} on {results['machine']['cpu_count']} "
        f"CPU cores ({results['machine']['platform']}), TensorFlow "
        f"{results['machine']['tensorflow']}, Keras {results['machine']['keras']}"
        f"{' (quick mode)' if results['quick'] else ''}.",
        "",
        "| measurement | value |",
        "|---|---|",
        f"| raw Keras, s/epoch ({t['images']} images, batch {t['batch_size']}) "
        f"| {t['raw_keras_s_per_epoch']:.2f} |",
        f"| skcnn pipeline from uint8, s/epoch | {t['skcnn_s_per_epoch']:.2f} |",
        f"| **skcnn / raw Keras** | **{t['ratio_skcnn_to_raw']:.3f}** |",
    ]
    for key, value in p["latency_ms_one_image"].items():
        lines.append(f"| 1 image, {key.replace('_', ' ')}, ms | {value:.2f} |")
    lines.append(
        f"| **1-image speed-up over scikeras** | **{p['speedup_vs_scikeras']:.1f}x** |"
    )
    for key, value in p["images_per_second"].items():
        lines.append(
            f"| {p['throughput_images']} images, {key.replace('_', ' ')}, "
            f"images/s | {value:,.0f} |"
        )
    lines += [
        f"| **batched predict, skcnn / Keras time** | "
        f"**{p['batched_ratio_skcnn_to_keras']:.2f}** |",
        f"| fit on {m['images']} uint8 images: data as uint8 / float32, MB "
        f"| {m['uint8_mb']:.0f} / {m['float32_mb']:.0f} |",
        f"| peak extra RSS during the pipeline fit, MB | {m['peak_extra_mb']:.0f} |",
        f"| **peak extra RSS / float32 size** | "
        f"**{m['peak_extra_over_float32']:.2f}** |",
        f"| the same without a warm-up fit (TensorFlow's start-up included), MB "
        f"(/ float32 size) | {m['cold_peak_extra_mb']:.0f} "
        f"({m['cold_peak_extra_over_float32']:.2f}) |",
    ]
    lines += [
        f"| RSS growth over {r['fits']} small fits in one process, skcnn / "
        f"plain Keras, MB | {r['skcnn_growth_mb']:.0f} / {r['keras_growth_mb']:.0f} |",
    ]
    lines += [
        f"| GridSearchCV, {g['fits']} fits on {g['images']} images, n_jobs=1 / "
        f"n_jobs=2, s | {g['n_jobs_1_s']:.1f} / {g['n_jobs_2_s']:.1f} |",
        f"| **GridSearchCV time, n_jobs=2 / n_jobs=1** | "
        f"**{g['ratio_n_jobs_2_to_1']:.2f}** |",
    ]
    for name, row in a["models"].items():
        lines.append(
            f"| MNIST sample {a['train']}/{a['test']}: {name}, accuracy "
            f"(fit s) | {row['accuracy']:.4f} ({row['fit_s']:.0f} s) |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small data: a smoke test of every measurement",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file for the results (default: "
        "benchmarks/results/<date>[-quick].json)",
    )
    args = parser.parse_args(argv)
    import skcnn.classifier  # noqa: F401 - brings TensorFlow up quietly, first

    cfg = QUICK if args.quick else FULL
    results = {"quick": args.quick, "config": cfg, "machine": machine()}
    for name, bench in (
        ("training", bench_training),
        ("prediction", bench_prediction),
        ("memory", bench_memory),
        ("repeated_fits", bench_repeated_fits),
        ("grid_search", bench_grid_search),
        ("accuracy", bench_accuracy),
    ):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = bench(cfg)
    out = args.out or (
        Path(__file__).parent
        / "results"
        / f"{results['machine']['date']}{'-quick' if args.quick else ''}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(markdown(results))
    print(f"\nresults written to {out}", file=sys.stderr)
    return results
