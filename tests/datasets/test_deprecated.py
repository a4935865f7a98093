"""The former names load_mnist and load_cifar10: a FutureWarning, same behaviour."""

import inspect
import warnings

import numpy as np
import pytest

from skcnn import datasets
from skcnn.datasets import (
    _download,
    fetch_cifar10,
    fetch_mnist,
    load_cifar10,
    load_mnist,
)
from tests.datasets._fakes import fake_cifar_archive

RENAMED = [(load_mnist, fetch_mnist), (load_cifar10, fetch_cifar10)]


@pytest.mark.parametrize("old, new", RENAMED, ids=["mnist", "cifar10"])
def test_old_names_keep_signature_and_document_the_rename(old, new):
    assert inspect.signature(old) == inspect.signature(new)
    assert old.__name__.startswith("load_") and old.__name__ in datasets.__all__
    assert ".. deprecated:: 0.2.0" in old.__doc__
    assert f":func:`{new.__name__}`" in old.__doc__
    assert "Examples" in old.__doc__


def test_load_mnist_warns_and_behaves_as_fetch_mnist():
    with pytest.warns(FutureWarning, match=r"load_mnist was renamed fetch_mnist") as w:
        old = load_mnist(source="sample", return_X_y=True)
    assert "removed in 0.3.0" in str(w[0].message)
    assert w[0].filename == __file__  # points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name does not warn
        new = fetch_mnist(source="sample", return_X_y=True)
    np.testing.assert_array_equal(old[0], new[0])
    np.testing.assert_array_equal(old[1], new[1])
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="source"):
        load_mnist(source="big")


def test_load_cifar10_warns_and_behaves_as_fetch_cifar10(tmp_path, monkeypatch):
    def fake_download(url, filename, sha256, data_home, *, cached_names=()):
        path = tmp_path / filename
        return path if path.exists() else fake_cifar_archive(path)

    monkeypatch.setattr(_download, "download", fake_download)
    with pytest.warns(FutureWarning, match="load_cifar10 was renamed fetch_cifar10"):
        old = load_cifar10(data_home=tmp_path)
    new = fetch_cifar10(data_home=tmp_path)
    np.testing.assert_array_equal(old.images, new.images)
    np.testing.assert_array_equal(old.target_names, new.target_names)
