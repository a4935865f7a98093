"""CIFAR-10 through faked downloads: layout, extraction once, bad files."""

import os
import pickle

import numpy as np
import pytest

from skcnn.datasets import DatasetDownloadError, _cifar10, _download, fetch_cifar10
from tests.datasets._fakes import CIFAR_NAMES, cifar_batch, fake_cifar_archive, sha256


@pytest.fixture
def faked(tmp_path, monkeypatch):
    """fetch_cifar10's download replaced by a fake archive in ``tmp_path``."""
    calls = []

    def fake_download(url, filename, sha256, data_home, *, cached_names=()):
        calls.append((url, filename, sha256, data_home, cached_names))
        path = tmp_path / filename
        return path if path.exists() else fake_cifar_archive(path)

    monkeypatch.setattr(_download, "download", fake_download)
    return calls


def test_cifar10_through_faked_download(tmp_path, faked):
    cifar = fetch_cifar10(data_home=tmp_path)
    assert faked == [
        (
            _cifar10.CIFAR10_URL,
            "cifar-10-python.tar.gz",
            _cifar10.CIFAR10_SHA256,
            tmp_path,
            _cifar10.KERAS_ARCHIVE_NAMES,
        )
    ]
    assert cifar.images.shape == (12, 32, 32, 3)
    assert cifar.data.shape == (12, 3072)
    assert cifar.n_train == 10 and cifar.source == "cifar10"
    assert list(cifar.target_names)[:3] == ["airplane", "automobile", "bird"]
    # Channels-last: red encodes the batch, blue is 200 everywhere.
    np.testing.assert_array_equal(
        cifar.images[:, 0, 0, 0], np.repeat(np.arange(6) * 10, 2)
    )
    assert (cifar.images[..., 2] == 200).all()
    np.testing.assert_array_equal(cifar.target, np.repeat(np.arange(6), 2))
    # Flat rows use the channels-last order the CNN's shape rule expects.
    np.testing.assert_array_equal(cifar.data[0, :3], [0, 0, 200])
    X, y = fetch_cifar10(data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(X, cifar.data)


def test_archive_is_extracted_once(tmp_path, faked, monkeypatch):
    fetch_cifar10(data_home=tmp_path)
    extracted = sorted(p.name for p in (tmp_path / "cifar-10-batches-py").iterdir())
    assert extracted == sorted(CIFAR_NAMES)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    def no_extraction(*args, **kwargs):
        raise AssertionError("extracted again")

    monkeypatch.setattr(_cifar10, "extract_tar", no_extraction)
    assert fetch_cifar10(data_home=tmp_path).images.shape == (12, 32, 32, 3)


def test_incomplete_folder_is_completed_from_the_archive(tmp_path, faked):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "test_batch").write_bytes(cifar_batch(5))  # an interrupted extraction
    assert fetch_cifar10(data_home=tmp_path).images.shape == (12, 32, 32, 3)


def test_keras_downloaded_archive_is_reused(tmp_path, monkeypatch):
    keras_name = _cifar10.KERAS_ARCHIVE_NAMES[0]
    archive = fake_cifar_archive(tmp_path / keras_name)
    monkeypatch.setattr(_cifar10, "CIFAR10_SHA256", sha256(archive))
    monkeypatch.setattr(_download, "urlopen", None)  # any network use fails
    assert fetch_cifar10(data_home=tmp_path).images.shape == (12, 32, 32, 3)
    assert sorted(os.listdir(tmp_path)) == ["cifar-10-batches-py", keras_name]


def test_archive_without_a_batch_is_a_clear_error(tmp_path, faked):
    fake_cifar_archive(tmp_path / "cifar-10-python.tar.gz", names=CIFAR_NAMES[:-1])
    with pytest.raises(DatasetDownloadError, match="lacks cifar-10-batches-py/test"):
        fetch_cifar10(data_home=tmp_path)
    assert not (tmp_path / "cifar-10-batches-py").exists()


def test_truncated_archive_is_a_clear_error(tmp_path, faked):
    archive = fake_cifar_archive(tmp_path / "cifar-10-python.tar.gz")
    archive.write_bytes(archive.read_bytes()[:-300])
    with pytest.raises(DatasetDownloadError, match="truncated, corrupted or not a"):
        fetch_cifar10(data_home=tmp_path)
    assert not (tmp_path / "cifar-10-batches-py").exists()


class _Exploit:
    """Unpickling this creates the file ``marker``: code run by a pickle."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


BAD_BATCHES = {  # payload, and what the error says
    "code": (lambda marker: {b"data": _Exploit(marker), b"labels": [0]}, "open"),
    "not-a-pickle": (b"<html>moved</html>", "invalid load key"),
    "missing-labels": ({b"data": np.zeros((1, 3072), np.uint8)}, "labels"),
    "wrong-size": (
        {b"data": np.zeros((1, 3000), np.uint8), b"labels": [0]},
        "cannot reshape",
    ),
    "labels-mismatch": (
        {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]},
        "2 images but 1 labels",
    ),
}


@pytest.mark.parametrize("case", list(BAD_BATCHES))
def test_bad_batch_is_a_clear_error_and_runs_nothing(tmp_path, faked, case):
    marker = tmp_path / "code-ran"
    content, says = BAD_BATCHES[case]
    content = content(marker) if callable(content) else content
    payload = content if isinstance(content, bytes) else pickle.dumps(content)
    if case == "code":  # the payload works: plain pickle would run it
        pickle.loads(payload)
        assert marker.exists()
        marker.unlink()
    payloads = [cifar_batch(b) for b in range(5)] + [payload]
    fake_cifar_archive(tmp_path / "cifar-10-python.tar.gz", payloads=payloads)
    with pytest.raises(DatasetDownloadError, match="test_batch is not a CIFAR-10") as e:
        fetch_cifar10(data_home=tmp_path)
    assert says in str(e.value)
    assert not marker.exists()


def test_batch_pickled_by_old_numpy_is_read(tmp_path):
    # The real files were pickled with NumPy 1 (numpy.core.multiarray).
    payload = cifar_batch(3).replace(
        b"numpy._core.multiarray", b"numpy.core.multiarray"
    )
    assert b"numpy.core.multiarray" in payload
    (tmp_path / "batch").write_bytes(payload)
    images, labels = _cifar10._read_batch(tmp_path / "batch")
    assert images.shape == (2, 32, 32, 3) and (images[..., 0] == 30).all()
    np.testing.assert_array_equal(labels, [3, 3])
