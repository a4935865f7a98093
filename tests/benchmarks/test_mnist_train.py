"""The IDX reader and folder lookup of the full-scale benchmark.

The files are written by the tests; the real MNIST files are never needed.
"""

import gzip
import struct

import numpy as np
import pytest

from benchmarks import _mnist_train


def _write_idx(path, array, type_code=0x08, header_shape=None):
    shape = array.shape if header_shape is None else header_shape
    header = bytes([0, 0, type_code, len(shape)]) + struct.pack(
        f">{len(shape)}I", *shape
    )
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def mnist_folder(tmp_path):
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, size=(40, 28, 28)).astype(np.uint8)
    labels = np.arange(40) % 10
    _write_idx(tmp_path / _mnist_train.IMAGES, images)
    _write_idx(tmp_path / _mnist_train.LABELS, labels)
    return tmp_path, images, labels


def test_load_round_trips_the_written_files(mnist_folder):
    folder, images, labels = mnist_folder
    X, y = _mnist_train.load(folder)
    assert X.dtype == np.uint8 and X.shape == (40, 784)
    np.testing.assert_array_equal(X, images.reshape(40, -1))
    np.testing.assert_array_equal(y, labels)


def test_read_idx_rejects_a_file_that_is_not_idx(tmp_path):
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match=r"bad\.gz is not an IDX file"):
        _mnist_train.read_idx(path)


def test_read_idx_rejects_other_value_types(tmp_path):
    path = tmp_path / "floats.gz"
    _write_idx(path, np.zeros(3), type_code=0x0D)
    with pytest.raises(ValueError, match=r"expected IDX type code 0x08.*got 0x0d"):
        _mnist_train.read_idx(path)


def test_read_idx_rejects_a_truncated_file(tmp_path):
    path = tmp_path / "short.gz"
    _write_idx(path, np.zeros((2, 3)), header_shape=(5, 3))
    with pytest.raises(ValueError, match=r"shape \(5, 3\) \(15 values\).*holds 6"):
        _mnist_train.read_idx(path)


def test_load_rejects_labels_that_do_not_match_the_images(mnist_folder):
    folder, images, _ = mnist_folder
    _write_idx(folder / _mnist_train.LABELS, np.zeros(39))
    with pytest.raises(ValueError, match=r"images \(40, 28, 28\) and labels \(39,\)"):
        _mnist_train.load(folder)


def test_find_folder_follows_the_environment_variable(mnist_folder, monkeypatch):
    folder, _, _ = mnist_folder
    monkeypatch.setenv(_mnist_train.ENV_VAR, str(folder))
    assert _mnist_train.find_folder() == folder


def test_find_folder_names_the_missing_file(tmp_path, monkeypatch):
    _write_idx(tmp_path / _mnist_train.IMAGES, np.zeros((1, 2, 2)))
    monkeypatch.setenv(_mnist_train.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=_mnist_train.LABELS):
        _mnist_train.find_folder()


def test_find_folder_is_none_without_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv(_mnist_train.ENV_VAR, raising=False)
    monkeypatch.setattr(_mnist_train, "ROOT", tmp_path / "repo")
    assert _mnist_train.find_folder() is None


def test_split_is_stratified_and_fixed():
    X = np.arange(200).reshape(100, 2)
    y = np.repeat(np.arange(10), 10)
    X_train, X_val, y_train, y_val = _mnist_train.split(X, y, 80, 20)
    assert len(X_train) == 80 and len(X_val) == 20
    np.testing.assert_array_equal(np.bincount(y_val), np.full(10, 2))
    np.testing.assert_array_equal(_mnist_train.split(X, y, 80, 20)[1], X_val)
