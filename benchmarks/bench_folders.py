"""Image folders at scale: the command's peak memory, and streamed training.

Writes its own folders first: RGB JPEG files (quality 90) in 4 class
subfolders, each a seeded pattern of its class with noise; the smaller
folder holds the first files of the larger one (hard links). Then:

* ``compare``: the peak resident set size of ``skcnn compare --dataset
  FOLDER --image-size HxW --epochs 1 --save MODEL`` on each folder, and how
  much it grows from the smaller folder to the larger (that growth is what
  a folder's size costs: a command that streams should add little). What
  the command said about streaming is recorded with it: the lines of its
  output about streaming or memory, and what its ``results.json`` holds
  under such keys.
* ``predict``: the peak RSS of ``skcnn predict MODEL FOLDER`` on the smaller
  folder, with the model the first ``compare`` saved.
* ``throughput``, in this process, on the smaller folder's files: pure
  decoding (``ImageStream.batches``, one thread and one per core); one
  epoch of ``ImageLoader(stream=True) → PixelScaler → CNNClassifier``,
  which decodes as it trains, against the same pipeline without the loader
  on the images decoded beforehand (the epochs after the first, which
  includes tracing); and ``predict`` of both, in alternating rounds.
  Decoding faster than the in-memory epoch trains means that it keeps the
  network fed.

A peak RSS is the kernel's high-water mark of the command's process
(``ru_maxrss`` of ``os.wait4``): exact, not sampled, and including the
memory TensorFlow takes at start-up. The command is started from a small
interpreter of its own, since Linux carries a peak over fork and exec.

Run alone with ``python -m benchmarks.bench_folders [--quick]``.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import ROOT, epoch_timer, standalone, traced_epochs

FULL = {
    "files": [3000, 12000],
    "image_size": 128,
    "classes": 4,
    "epochs": 3,
    "repeats": 3,
    "batch_size": 256,
    # The command as the issue runs it: its own memory budget.
    "memory_budget": None,
}
QUICK = {
    "files": [200, 400],
    "image_size": 64,
    "classes": 4,
    "epochs": 2,
    "repeats": 1,
    "batch_size": 64,
    # Folders this small fit any budget: a tiny one makes the smoke test go
    # through the streamed path that the full folders may take.
    "memory_budget": "1MB",
}

MB = 2**20

# Output lines of the command that say whether it streams, or how it uses
# memory ("streaming the images ...", "--memory-budget ...").
_ABOUT_MEMORY = re.compile(r"stream|memory", re.IGNORECASE)
_NOT_STREAMED = re.compile(r"\b(?:not|without|no|not be) stream", re.IGNORECASE)


# -- the folders ----------------------------------------------------------


def image(index, size, classes, seed=0):
    """The ``index``-th image: uint8 ``(size, size, 3)``, its class ``index % classes``.

    A smooth pattern whose orientation, frequency and tint depend on the
    class, at a phase of its own, plus noise, so that the classes can be
    told apart and JPEG has real content to code. Seeded by ``(seed,
    index)``: an image is the same whatever the folder's size.
    """
    label = index % classes
    rng = np.random.default_rng([seed, index])
    rows, cols = np.mgrid[0:size, 0:size] / size
    angle = np.pi * label / classes
    wave = np.sin(
        2 * np.pi * (2 + label) * (rows * np.cos(angle) + cols * np.sin(angle))
        + rng.uniform(0, 2 * np.pi)
    )
    tint = np.array([np.cos(angle), np.sin(angle), 0.5]) * 60
    pixels = 127.5 + 70 * wave[..., None] + tint + rng.normal(0, 20, (size, size, 3))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def write_folder(root, n_files, size, classes, seed=0):
    """Write ``n_files`` JPEG files in ``classes`` subfolders of ``root``.

    File ``i`` is ``root/class_{i % classes}/{i:05d}.jpg``. Returns the
    paths, in order of ``i``.
    """
    from PIL import Image

    root = Path(root)
    for label in range(classes):
        (root / f"class_{label}").mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_files):
        path = root / f"class_{i % classes}" / f"{i:05d}.jpg"
        Image.fromarray(image(i, size, classes, seed)).save(path, quality=90)
        paths.append(path)
    return paths


def link_folder(root, paths):
    """``root`` holding ``paths`` (files of another folder) at the same places.

    Hard links where the file system allows them, else copies.
    """
    root = Path(root)
    linked = []
    for path in paths:
        target = root / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        linked.append(target)
    return linked


def folder_mb(paths):
    """Megabytes the files take on disk."""
    return sum(Path(p).stat().st_size for p in paths) / MB


# -- commands in a subprocess ---------------------------------------------


# Runs the command as a child of its own and writes the child's exit status
# and ru_maxrss to the file named first. Linux carries a process's peak
# over fork and exec: a command started straight from this process, which
# holds TensorFlow, would report this process's size as its own peak if
# larger. Forked from this small interpreter, it starts from a few MB.
_LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    except OSError as error:
        print(f"cannot run {sys.argv[2]}: {error}", file=sys.stderr)
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump([os.waitstatus_to_exitcode(status), usage.ru_maxrss], f)
"""


def measure_command(argv, log):
    """Run ``argv``; its exit status, wall seconds and peak RSS.

    Its standard output and error go to the file ``log``. The peak is the
    process's ``ru_maxrss`` (from ``os.wait4``, the kernel's high-water
    mark: exact, not sampled), in MB; ``argv[0]`` is a path to execute.
    """
    env = {**os.environ, "PYTHONPATH": _python_path()}
    report = Path(f"{log}.peak.json")
    launcher = [sys.executable, "-c", _LAUNCHER, str(report), *map(str, argv)]
    with open(log, "w") as out:
        start = time.perf_counter()
        subprocess.run(
            launcher, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env
        )
        wall = time.perf_counter() - start
    returncode, max_rss_kb = json.loads(report.read_text())
    return {
        "returncode": returncode,
        "wall_s": wall,
        # Linux reports ru_maxrss in kilobytes.
        "peak_rss_mb": max_rss_kb * 1024 / MB,
    }


def _python_path():
    existing = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join([str(ROOT), *(p for p in existing.split(os.pathsep) if p)])


def what_it_said(output, limit=5):
    """The lines of ``output`` about streaming or memory, at most ``limit``.

    Progress lines rewritten in place (``\\r``) count as their last state.
    """
    lines = []
    for line in output.splitlines():
        line = line.rsplit("\r", 1)[-1].strip()
        if line and _ABOUT_MEMORY.search(line) and line not in lines:
            lines.append(line[:200])
    return lines[:limit]


def reported(results):
    """What ``results.json`` holds under keys about streaming or memory."""
    return {
        key: value
        for key, value in results.items()
        if _ABOUT_MEMORY.search(key) and isinstance(value, (bool, int, float, str))
    }


def streamed(reported_keys, said):
    """Whether the command streamed: True, False, or None when it did not say.

    A ``streamed`` (or ``stream``) key of its results wins; otherwise its
    lines about streaming decide.
    """
    for key in ("streamed", "stream", "streaming"):
        if key in reported_keys:
            return bool(reported_keys[key])
    about = [line for line in said if "stream" in line.lower()]
    if not about:
        return None
    return not any(_NOT_STREAMED.search(line) for line in about)


def compare_options(memory_budget):
    """``--memory-budget`` for ``memory_budget``, if given and the command has it.

    Also a folder too small for the command's own budget can then take its
    streamed path; a command without the option runs as it is.
    """
    if memory_budget is None:
        return []
    argv = [sys.executable, "-m", "skcnn", "compare", "--help"]
    env = {**os.environ, "PYTHONPATH": _python_path()}
    usage = subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    ).stdout
    return ["--memory-budget", memory_budget] if "--memory-budget" in usage else []


def _compare(folder, n_files, size, work, options):
    out = work / f"compare-{n_files}"
    model = work / f"model-{n_files}.skcnn"
    argv = [
        sys.executable,
        "-m",
        "skcnn",
        "compare",
        "--dataset",
        str(folder),
        "--image-size",
        f"{size}x{size}",
        "--epochs",
        "1",
        "--out",
        str(out),
        "--save",
        str(model),
        *options,
    ]
    log = work / f"compare-{n_files}.log"
    row = {"files": n_files, **measure_command(argv, log)}
    output = log.read_text(errors="replace")
    results_file = out / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    row["said"] = what_it_said(output)
    row["reported"] = reported(results)
    row["streamed"] = streamed(row["reported"], row["said"])
    if row["returncode"] != 0:
        row["error"] = _tail(output)
    else:
        row["accuracy"] = {m["model"]: m["accuracy"] for m in results.get("models", [])}
    return row, model


def _predict(model, folder, n_files, work):
    argv = [
        sys.executable,
        "-m",
        "skcnn",
        "predict",
        str(model),
        str(folder),
        "--format",
        "csv",
        "--quiet",
    ]
    log = work / "predict.csv"
    row = {"files": n_files, **measure_command(argv, log)}
    output = log.read_text(errors="replace")
    if row["returncode"] != 0:
        row["error"] = _tail(output)
    else:
        # The header, then one row per file.
        row["rows"] = sum(1 for line in output.splitlines() if line) - 1
    return row


def _tail(output, n=1500):
    return output[-n:].strip()


# -- throughput in this process ---------------------------------------------


def _best_seconds(functions, repeats):
    """Best wall seconds of each function, run in alternating rounds."""
    best = {name: float("inf") for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _epoch_seconds(pipe, X, y):
    """Median wall seconds of the epochs after the first, fitting ``pipe``."""
    timer = epoch_timer()
    pipe[-1].set_params(fit__callbacks=[timer])
    pipe.fit(X, y)
    return statistics.median(traced_epochs(timer.seconds))


def throughput(paths, y, size, config):
    """Decoding, training and prediction rates on ``paths``, streamed or not."""
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageLoader, PixelScaler
    from skcnn.preprocessing import ImageStream

    n = len(paths)
    batch = config["batch_size"]
    image_size = (size, size)

    def decode(n_jobs):
        stream = ImageStream(paths, image_size, "rgb", n_jobs=n_jobs)
        return lambda: sum(len(b) for b in stream.batches(batch))

    decoding = _best_seconds(
        {"one_thread": decode(None), "all_cores": decode(-1)}, config["repeats"]
    )

    start = time.perf_counter()
    X = ImageLoader(image_size=image_size, color_mode="rgb").fit_transform(paths)
    decode_beforehand_s = time.perf_counter() - start

    def network():
        # max_value as skcnn compare sets it: no pass over the images to learn it.
        return [
            PixelScaler(max_value=255),
            CNNClassifier(epochs=config["epochs"], random_state=0),
        ]

    streamed_pipe = make_pipeline(
        ImageLoader(image_size=image_size, color_mode="rgb", stream=True), *network()
    )
    in_memory_pipe = make_pipeline(*network())
    in_memory_epoch = _epoch_seconds(in_memory_pipe, X, y)
    streamed_epoch = _epoch_seconds(streamed_pipe, paths, y)

    predicting = _best_seconds(
        {
            "streamed": lambda: streamed_pipe.predict(paths),
            "in_memory": lambda: in_memory_pipe.predict(X),
        },
        config["repeats"],
    )
    return {
        "images": n,
        "image_size": list(image_size),
        "decode": {
            "batch_size": batch,
            "one_thread_images_per_s": n / decoding["one_thread"],
            "all_cores_images_per_s": n / decoding["all_cores"],
            "cores": os.cpu_count(),
        },
        "train": {
            "epochs": config["epochs"],
            "in_memory_decode_beforehand_s": decode_beforehand_s,
            "streamed_epoch_s": streamed_epoch,
            "in_memory_epoch_s": in_memory_epoch,
            "streamed_images_per_s": n / streamed_epoch,
            "in_memory_images_per_s": n / in_memory_epoch,
            "ratio_streamed_to_in_memory": streamed_epoch / in_memory_epoch,
        },
        "predict": {
            "streamed_images_per_s": n / predicting["streamed"],
            "in_memory_images_per_s": n / predicting["in_memory"],
            "ratio_streamed_to_in_memory": predicting["streamed"]
            / predicting["in_memory"],
        },
    }


# -- the benchmark --------------------------------------------------------


def added(compare):
    """MB of peak RSS the larger folder adds over the smaller, or None."""
    small, large = compare["small"], compare["large"]
    if "peak_rss_mb" not in small or "peak_rss_mb" not in large:
        return None
    return large["peak_rss_mb"] - small["peak_rss_mb"]


def run(quick=False):
    """Measure the command's memory on two folders, and streamed throughput.

    Parameters
    ----------
    quick : bool, default=False
        Folders of 200 and 400 images of 64x64, one repeat, and a memory
        budget of 1 MB for the command (a smoke test).

    Returns
    -------
    results : dict
        ``data`` (the folders: image size, classes, MB on disk),
        ``compare`` (``options``, those added to the command; ``small`` and
        ``large``: files, peak RSS in MB, wall seconds, exit status, what
        the command said about streaming and whether it streamed),
        ``compare_added_mb`` (the peak's growth from the small folder to the
        large), ``predict`` (peak RSS on the small folder) and
        ``throughput`` (decode, train and predict images/s,
        streamed and in memory, and their ratios).
    """
    config = QUICK if quick else FULL
    size, classes = config["image_size"], config["classes"]
    small_n, large_n = config["files"]
    with tempfile.TemporaryDirectory(prefix="skcnn-bench-folders-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        large_paths = write_folder(work / "large", large_n, size, classes)
        small_paths = link_folder(work / "small", large_paths[:small_n])
        data = {
            "image_size": [size, size],
            "classes": classes,
            "format": "JPEG, quality 90",
            "write_s": time.perf_counter() - start,
            "small_mb_on_disk": folder_mb(small_paths),
            "large_mb_on_disk": folder_mb(large_paths),
            "large_mb_decoded_uint8": large_n * size * size * 3 / MB,
        }
        print(f"  folders of {small_n} and {large_n} files written", file=sys.stderr)
        options = compare_options(config["memory_budget"])
        compare = {"options": options}
        compare["small"], model = _compare(work / "small", small_n, size, work, options)
        print(f"  compare on {small_n} files done", file=sys.stderr)
        compare["large"], _ = _compare(work / "large", large_n, size, work, options)
        print(f"  compare on {large_n} files done", file=sys.stderr)
        if model.exists():
            predict = _predict(model, work / "small", small_n, work)
        else:
            predict = {"files": small_n, "skipped": "compare saved no model"}
        print(f"  predict on {small_n} files done", file=sys.stderr)
        labels = np.array([int(p.parent.name.split("_")[1]) for p in small_paths])
        rates = throughput([str(p) for p in small_paths], labels, size, config)
    return {
        "data": data,
        "compare": compare,
        "compare_added_mb": added(compare),
        "predict": predict,
        "throughput": rates,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
