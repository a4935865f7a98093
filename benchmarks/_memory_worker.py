"""Worker of ``bench_memory``: peak extra RSS of one pipeline fit from uint8.

Run as ``python -m benchmarks._memory_worker N_IMAGES {warm,cold}`` in a
fresh process; prints ``{"baseline": bytes, "peak": bytes}`` as JSON. A
thread samples the resident set size every 2 ms during the fit.

``warm``: a short fit on 256 images first pays TensorFlow's one-off start-up
memory (runtime, thread pools, kernels), which is not a copy of the data.
``cold``: only the network is built beforehand, so that memory is counted.
"""

import sys
import threading
import time

from benchmarks._common import mnist_images, print_json, rss


def measure(n_images, warm):
    """Resident set size before and at the peak of the fit, in bytes."""
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler

    X, y = mnist_images(n_images)
    pipe = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=1, random_state=0),
    )
    if warm:
        clone(pipe).fit(X[:256], y[:256])
    else:
        pipe[-1].initialize(X[:10].reshape(-1, 28, 28, 1) / 255.0, y[:10])
    baseline = rss()
    peak = [baseline]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        pipe.fit(X, y)
    finally:
        done.set()
        watcher.join()
    return {"baseline": baseline, "peak": max(peak[0], rss())}


if __name__ == "__main__":
    n_images, mode = int(sys.argv[1]), sys.argv[2]
    if mode not in ("warm", "cold"):
        sys.exit(f"expected 'warm' or 'cold' as the second argument, got {mode!r}")
    print_json(measure(n_images, warm=mode == "warm"))
