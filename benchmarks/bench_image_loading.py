"""Image loading throughput: files on disk to one uint8 array, images/s.

Two workloads, written to a temporary folder first:

* ``png_28``: small grayscale PNG files of 28x28 (the MNIST sample, tiled),
  loaded at their own size;
* ``jpeg_256_to_64``: RGB JPEG files of 256x256 (a smooth synthetic photo
  with noise, quality 90), loaded and resized to 64x64.

Each is timed with ``ImageLoader`` with one thread and with ``n_jobs=2``,
next to a plain Pillow loop (open, convert, resize, stack) as reference, and
``fit``'s header reading, all in one run: the variants take turns, round
after round, and each keeps its best round (wall clock and CPU time). Read
the ratios to the loop as much as the images per second: shared machines
are noisy.

Run alone with ``python -m benchmarks.bench_image_loading [--quick]``.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FULL = {"png_files": 5000, "jpeg_files": 1000, "repeats": 5}
QUICK = {"png_files": 500, "jpeg_files": 100, "repeats": 1}


def _write_png(folder, n):
    from PIL import Image

    from skcnn.datasets import load_mnist

    images = load_mnist(source="sample").images
    paths = []
    for i in range(n):
        path = folder / f"{i:05d}.png"
        Image.fromarray(images[i % len(images)]).save(path)
        paths.append(str(path))
    return paths


def _write_jpeg(folder, n):
    from PIL import Image

    rng = np.random.default_rng(0)
    rows, cols = np.mgrid[0:256, 0:256] / 256
    paths = []
    for i in range(n):
        phase = i / max(n, 1) * 6.28
        base = np.stack(
            [
                np.sin(6 * rows + phase),
                np.cos(5 * cols - phase),
                np.sin(4 * (rows + cols) + 2 * phase),
            ],
            axis=-1,
        )
        pixels = 127.5 + 100 * base + rng.normal(0, 12, base.shape)
        path = folder / f"{i:05d}.jpg"
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)
        paths.append(str(path))
    return paths


def _pillow_loop(paths, size, mode):
    """The hand-written loop ImageLoader replaces (no EXIF, no padding)."""
    from PIL import Image

    out = []
    for path in paths:
        with Image.open(path) as img:
            img = img.convert(mode)
            if img.size != size:
                img = img.resize(size, Image.Resampling.BILINEAR)
            out.append(np.asarray(img))
    return np.stack(out)


def _rounds(functions, repeats):
    """Best wall and CPU seconds of each function, run in alternating rounds.

    Alternating (rather than timing each function's repeats in a row) gives
    every variant the same share of a noisy machine's good and bad moments.
    """
    wall = {name: float("inf") for name in functions}
    cpu = dict(wall)
    for _ in range(repeats):
        for name, function in functions.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            function()
            wall[name] = min(wall[name], time.perf_counter() - start_wall)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    return wall, cpu


def _measure(paths, image_size, color_mode, repeats):
    from skcnn import ImageLoader

    mode = "L" if color_mode == "grayscale" else "RGB"
    loaders = {
        n_jobs: ImageLoader(image_size=image_size, color_mode=color_mode, n_jobs=n_jobs)
        for n_jobs in (1, 2)
    }
    functions = {
        "pillow_loop": lambda: _pillow_loop(paths, image_size[::-1], mode),
        "n_jobs_1": lambda: loaders[1].fit(paths[:1]).transform(paths),
        "n_jobs_2": lambda: loaders[2].fit(paths[:1]).transform(paths),
        "fit_headers": lambda: ImageLoader().fit(paths),
    }
    wall, cpu = _rounds(functions, repeats)
    row = {"files": len(paths), "image_size": list(image_size)}
    for name in functions:
        row[f"{name}_images_per_s"] = len(paths) / wall[name]
        row[f"{name}_cpu_us_per_image"] = cpu[name] / len(paths) * 1e6
    for name in ("n_jobs_1", "n_jobs_2"):
        row[f"{name}_vs_pillow_loop"] = wall["pillow_loop"] / wall[name]
    return row


def run(quick=False):
    """Measure loading throughput; return the figures as a dict.

    Parameters
    ----------
    quick : bool, default=False
        Ten times fewer files and one repeat (a smoke test).

    Returns
    -------
    results : dict
        ``{"png_28": {...}, "jpeg_256_to_64": {...}, "config": {...}}``;
        each workload gives images/s and CPU microseconds per image for a
        plain Pillow loop, ``ImageLoader`` with one and two threads and
        ``fit``'s header reading, and the loaders' speed-ups over the loop.
    """
    config = QUICK if quick else FULL
    with tempfile.TemporaryDirectory(prefix="skcnn-bench-images-") as tmp:
        png_folder, jpeg_folder = Path(tmp, "png"), Path(tmp, "jpeg")
        png_folder.mkdir()
        jpeg_folder.mkdir()
        png = _write_png(png_folder, config["png_files"])
        jpeg = _write_jpeg(jpeg_folder, config["jpeg_files"])
        results = {
            "png_28": _measure(png, (28, 28), "grayscale", config["repeats"]),
            "jpeg_256_to_64": _measure(jpeg, (64, 64), "rgb", config["repeats"]),
        }
    results["config"] = dict(config, cpu_count=os.cpu_count())
    return results


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv[1:]), indent=2))
