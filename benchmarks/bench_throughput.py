"""Training throughput: images/s and GFLOP/s against the machine's peak.

Two networks, each trained through skcnn's pipeline from uint8 (batch 128
for the tutorial network, the estimator's default for the default one): the
default ``CNNClassifier()`` network and the classic MNIST tutorial CNN
(``build_tutorial_mnist_cnn``, Adam). Images per second are the images of an
epoch over the median epoch time, epochs after the first (which includes
tracing). The achieved rate is that times the training FLOPs per image,
counted from the Keras model's layers (about three forward passes; see
``benchmarks/_flops.py``), and is compared with the best rate of a large
float32 matrix product on the same machine, measured in the same run.
"""

import statistics

from benchmarks._common import mnist_images, standalone, tutorial_model
from benchmarks._flops import TRAINING_PASSES, forward_flops, peak_gflops
from benchmarks.bench_training import skcnn_epochs

FULL = {"images": 60000, "epochs": 3}
QUICK = {"images": 1000, "epochs": 2}


NETWORKS = {
    "default": {},
    "tutorial": {"model": tutorial_model, "batch_size": 128},
}


def run(quick):
    """Images/s, FLOPs per image and achieved GFLOP/s of each network."""
    cfg = QUICK if quick else FULL
    peak = peak_gflops(quick)
    X, y = mnist_images(cfg["images"])
    networks = {}
    for name, params in NETWORKS.items():
        seconds, _, pipe = skcnn_epochs(X, y, cfg["epochs"], **params)
        forward, _ = forward_flops(pipe[-1].model_)
        images_per_s = len(X) / statistics.median(seconds)
        achieved = TRAINING_PASSES * forward * images_per_s / 1e9
        networks[name] = {
            "parameters": int(pipe[-1].model_.count_params()),
            "batch_size": pipe[-1].batch_size,
            "epoch_seconds": seconds,
            "images_per_s": images_per_s,
            "forward_mflops_per_image": forward / 1e6,
            "training_mflops_per_image": TRAINING_PASSES * forward / 1e6,
            "achieved_gflops": achieved,
            "fraction_of_peak": achieved / peak["gflops"],
        }
    return {
        "images": len(X),
        "training_passes_per_forward": TRAINING_PASSES,
        "peak": peak,
        "networks": networks,
    }


if __name__ == "__main__":
    standalone(run, __doc__)
