"""Peak extra memory of a pipeline fit from uint8, against the data's sizes.

Each figure comes from a fresh process (``benchmarks._memory_worker``; the
two run side by side, as each measures its own memory only): a thread
samples the resident set size every 2 ms during the fit of ``ImageReshaper
→ PixelScaler → CNNClassifier(epochs=1)``, against its size just before.
The main figure is taken after a warm-up fit on 256 images, so that
TensorFlow's one-off start-up memory is not counted as a copy of the data;
the "cold" figure, with only the network built beforehand, includes it.
"""

from benchmarks._common import run_workers, standalone

FULL = {"images": 60000}
QUICK = {"images": 1000}


def run(quick):
    """Peak extra RSS in MB and as a multiple of the data's float32 size."""
    n = (QUICK if quick else FULL)["images"]
    modes = ("warm", "cold")
    workers = run_workers(*(("_memory_worker", n, mode) for mode in modes))
    extra = {
        mode: w["peak"] - w["baseline"] for mode, w in zip(modes, workers, strict=True)
    }
    float32_bytes = 4 * n * 784
    return {
        "images": n,
        "uint8_mb": n * 784 / 2**20,
        "float32_mb": float32_bytes / 2**20,
        "peak_extra_mb": extra["warm"] / 2**20,
        "peak_extra_over_float32": extra["warm"] / float32_bytes,
        "cold_peak_extra_mb": extra["cold"] / 2**20,
        "cold_peak_extra_over_float32": extra["cold"] / float32_bytes,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
