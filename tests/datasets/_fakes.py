"""Fake dataset files and a loopback HTTP server for the dataset tests."""

import hashlib
import http.server
import io
import pickle
import tarfile
import threading

import numpy as np


def fake_mnist_npz(path, n_train=6, n_test=4):
    """An ``mnist.npz`` in Keras's layout with random pixels."""
    rng = np.random.default_rng(0)
    with open(path, "wb") as f:  # a file object: savez would add ".npz" to a name
        np.savez(
            f,
            x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
            y_train=np.arange(n_train) % 10,
            x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
            y_test=np.arange(n_test) % 10,
        )
    return path


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cifar_batch(batch_index, per_batch=2):
    """A pickled CIFAR batch whose red channel encodes ``batch_index``."""
    data = np.zeros((per_batch, 3, 32, 32), dtype=np.uint8)
    data[:, 0] = 10 * batch_index  # red channel encodes the batch
    data[:, 2] = 200  # blue channel constant
    batch = {b"data": data.reshape(per_batch, -1), b"labels": [batch_index] * per_batch}
    return pickle.dumps(batch, protocol=2)  # as the real files


CIFAR_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def fake_cifar_archive(path, per_batch=2, names=CIFAR_NAMES, payloads=None):
    """A CIFAR-10 archive in the real layout, with known pixels."""
    with tarfile.open(path, mode="w:gz") as tar:
        for b, name in enumerate(names):
            payload = cifar_batch(b, per_batch) if payloads is None else payloads[b]
            add_file(tar, f"cifar-10-batches-py/{name}", payload)
    return path


def add_file(tar, name, payload=b"data"):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))


class LoopbackServer:
    """An HTTP server on 127.0.0.1 serving one payload, or stalling, in a thread.

    ``stall=True``: the server accepts the request and sends nothing until
    the test ends. ``status``: an HTTP error code to answer with.
    ``truncate``: announce the full length but send only this many bytes.
    """

    def __init__(self, payload=b"", *, stall=False, status=200, truncate=None):
        release = self.release = threading.Event()
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if stall:
                    release.wait(30)
                    return
                if status != 200:
                    self.send_error(status)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload if truncate is None else payload[:truncate])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/file"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
