"""Memory growth over many small fits in one process: skcnn and plain Keras.

Each side runs in a fresh process (``benchmarks._fits_worker``; the two run
side by side, as each measures its own memory only): a first fit, then the
resident set size, then ``fits`` more build/fit/predict cycles of a small
network on 300 digits images, then the resident set size again.
"""

from benchmarks._common import run_workers, standalone

FULL = {"fits": 30}
QUICK = {"fits": 1}


def run(quick):
    """Growth in MB for skcnn and for plain Keras, and their ratio."""
    n = (QUICK if quick else FULL)["fits"]
    sides = ("skcnn", "keras")
    workers = run_workers(*(("_fits_worker", side, n) for side in sides))
    growth = {
        side: worker["growth"] for side, worker in zip(sides, workers, strict=True)
    }
    return {
        "fits": n,
        "skcnn_growth_mb": growth["skcnn"] / 2**20,
        "keras_growth_mb": growth["keras"] / 2**20,
        "ratio_skcnn_to_keras": growth["skcnn"] / max(growth["keras"], 1),
    }


if __name__ == "__main__":
    standalone(run, __doc__)
