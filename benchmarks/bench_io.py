"""Model files: the size and loading time of a .skcnn file and of a pickle.

The default pipeline ``ImageReshaper(image_shape=(28, 28)) → PixelScaler()
→ CNNClassifier(epochs=1, random_state=0)`` is fitted on MNIST images (the
first of the 60,000 training images from local IDX files, see
``benchmarks/_mnist_train.py``; else skcnn's embedded 5,000-image sample).
One epoch is enough: a file's size and loading time depend on the network,
not on how long it trained. The fitted pipeline is then written twice:
with ``skcnn.io.dump`` (``.skcnn``) and with ``joblib.dump`` (``.joblib``,
as ``skcnn compare --save MODEL.joblib`` writes it).

Reported, for each format: the file's bytes; the median seconds of writing
it; the median seconds of loading it in this process (``repeats`` loads
after a warm-up, the formats in turn); the median seconds of loading it in
a fresh process (``processes`` processes per format, each timing its one
load after TensorFlow is up, so that the import is not counted); and
whether the loaded pipeline predicts exactly what the fitted one does.
Opt-in: ``python -m benchmarks --only io``.
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import _mnist_train
from benchmarks._common import ROOT, mnist_images, standalone

FULL = {"images": 5000, "repeats": 5, "processes": 3}
QUICK = {"images": 300, "repeats": 1, "processes": 1}

# One load in a fresh process, timed after TensorFlow and the readers are up.
_LOAD_ONCE = """
import sys, time
import joblib
import skcnn.classifier, skcnn.io
path = sys.argv[1]
start = time.perf_counter()
model = skcnn.io.load(path) if path.endswith(".skcnn") else joblib.load(path)
print(time.perf_counter() - start)
"""


def _images(n):
    folder = _mnist_train.find_folder()
    if folder is None:
        X, y = mnist_images(n)
        return X, y, "skcnn's MNIST sample"
    X, y = _mnist_train.load(folder)
    return X[:n], y[:n], "MNIST training images"


def _write(fmt, model, path):
    import joblib

    from skcnn._atomic import atomic_write
    from skcnn.io import dump

    if fmt == "skcnn":
        dump(model, path)
    else:
        with atomic_write(path, "wb") as out:
            joblib.dump(model, out)


def _read(fmt, path):
    import joblib

    from skcnn.io import load

    return load(path) if fmt == "skcnn" else joblib.load(path)


def _load_in_a_new_process(path):
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_ONCE, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"loading {path} failed:\n{result.stderr[-4000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def run(quick):
    """Bytes, write seconds and load seconds of both formats."""
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    cfg = QUICK if quick else FULL
    X, y, source = _images(cfg["images"])
    model = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=1, random_state=0),
    ).fit(X, y)
    expected = model.predict_proba(X[:500])
    formats = ("skcnn", "joblib")
    result = {**cfg, "data": source, "parameters": int(model[-1].model_.count_params())}
    with tempfile.TemporaryDirectory() as folder:
        paths = {fmt: Path(folder) / f"mnist.{fmt}" for fmt in formats}
        write_s = {fmt: [] for fmt in formats}
        load_s = {fmt: [] for fmt in formats}
        for _ in range(cfg["repeats"]):
            for fmt in formats:
                start = time.perf_counter()
                _write(fmt, model, paths[fmt])
                write_s[fmt].append(time.perf_counter() - start)
        same = {}
        for fmt in formats:  # warm-up: the first load traces and imports
            loaded = _read(fmt, paths[fmt])
            same[fmt] = bool(np.array_equal(loaded.predict_proba(X[:500]), expected))
        for _ in range(cfg["repeats"]):
            for fmt in formats:
                start = time.perf_counter()
                _read(fmt, paths[fmt])
                load_s[fmt].append(time.perf_counter() - start)
        fresh = {
            fmt: [_load_in_a_new_process(paths[fmt]) for _ in range(cfg["processes"])]
            for fmt in formats
        }
        for fmt in formats:
            result[fmt] = {
                "bytes": paths[fmt].stat().st_size,
                "write_s": statistics.median(write_s[fmt]),
                "load_s": statistics.median(load_s[fmt]),
                "load_in_new_process_s": statistics.median(fresh[fmt]),
                "predicts_the_same": same[fmt],
            }
    result["size_ratio_skcnn_to_joblib"] = (
        result["skcnn"]["bytes"] / result["joblib"]["bytes"]
    )
    result["load_ratio_skcnn_to_joblib"] = (
        result["skcnn"]["load_s"] / result["joblib"]["load_s"]
    )
    return result


if __name__ == "__main__":
    standalone(run, __doc__)
