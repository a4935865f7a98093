"""ImageNet weights fetched into Keras's cache, against a faked network.

No test needs the internet, and none measures time: each asserts the
mechanism (Keras's file name and folder, the hash checked, the timeout given
to the request, the error and its message, no partial file). The last ones
check the table of names, addresses and hashes against the installed Keras.
"""

import ast
import hashlib
import socket
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

import skcnn
from skcnn._engine import weights
from skcnn._engine.weights import (
    IMAGENET_NO_TOP,
    WEIGHTS_DOWNLOAD_TIMEOUT,
    WeightsDownloadError,
    check_weights_file,
    imagenet_weights_file,
    imagenet_weights_source,
    weights_cache_dir,
)
from tests.datasets._fakes import LoopbackServer

PAYLOAD = b"pretend HDF5 weights " * 1000
FAMILIES = list(IMAGENET_NO_TOP)


class FakeResponse:
    """What ``urlopen`` returns: a body read in chunks, a Content-Length."""

    def __init__(self, body):
        self.body, self.headers = body, {"Content-Length": str(len(body))}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self, size):
        chunk, self.body = self.body[:size], self.body[size:]
        return chunk


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def network(monkeypatch):
    """A fake ``urlopen`` serving ``PAYLOAD`` (or raising ``fail``); it logs."""

    class Network:
        requests = []
        body = PAYLOAD
        fail = None

        @classmethod
        def urlopen(cls, url, timeout):
            cls.requests.append((url, timeout))
            if cls.fail is not None:
                raise cls.fail
            return FakeResponse(cls.body)

    monkeypatch.setattr(weights, "urlopen", Network.urlopen)
    return Network


def _no_network(*args, **kwargs):
    raise AssertionError("the network was used")


def _with_hash(monkeypatch, family, data, algorithm):
    """Give ``family`` the ``algorithm`` hash of ``data`` in the table."""
    folder, filename, _ = IMAGENET_NO_TOP[family]
    digest = hashlib.new(algorithm, data).hexdigest()
    monkeypatch.setitem(IMAGENET_NO_TOP, family, (folder, filename, digest))
    return digest


def _files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_writes_keras_file_name_into_keras_home(
    keras_home, network, monkeypatch
):
    source = imagenet_weights_source("resnet50", 32)
    _with_hash(monkeypatch, "resnet50", PAYLOAD, "md5")
    path = imagenet_weights_file("resnet50", 32)
    assert path == keras_home / "models" / source.filename
    assert path.read_bytes() == PAYLOAD
    assert network.requests == [(source.url, WEIGHTS_DOWNLOAD_TIMEOUT)]
    assert _files(keras_home / "models") == [source.filename]


def test_cached_file_is_used_without_network(keras_home, monkeypatch):
    _with_hash(monkeypatch, "convnext_tiny", PAYLOAD, "sha256")
    cached = keras_home / "models" / imagenet_weights_source("convnext_tiny", 64)[0]
    cached.parent.mkdir()
    cached.write_bytes(PAYLOAD)
    monkeypatch.setattr(weights, "urlopen", _no_network)
    assert imagenet_weights_file("convnext_tiny", 64) == cached


@pytest.mark.parametrize(
    "algorithm, label", [("md5", "MD5"), ("sha256", "SHA-256")], ids=["md5", "sha256"]
)
def test_md5_and_sha256_hashes_are_both_checked(
    keras_home, network, monkeypatch, algorithm, label
):
    digest = _with_hash(monkeypatch, "efficientnet_b0", PAYLOAD, algorithm)
    assert imagenet_weights_file("efficientnet_b0", 32).read_bytes() == PAYLOAD

    network.body = PAYLOAD + b"changed"
    (keras_home / "models" / "efficientnetb0_notop.h5").unlink()
    with pytest.raises(WeightsDownloadError) as caught:
        imagenet_weights_file("efficientnet_b0", 32)
    message = str(caught.value)
    assert f"has the {label} hash" in message and f"expected {digest}" in message
    assert _files(keras_home / "models") == []


def test_mismatching_cached_file_is_downloaded_again(keras_home, network, monkeypatch):
    _with_hash(monkeypatch, "mobilenet_v3_small", PAYLOAD, "md5")
    stale = (
        keras_home / "models" / "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"
    )
    stale.parent.mkdir()
    stale.write_bytes(b"an interrupted download from elsewhere")
    assert imagenet_weights_file("mobilenet_v3_small", 224) == stale
    assert stale.read_bytes() == PAYLOAD and len(network.requests) == 1


def test_hash_mismatch_is_an_error_and_leaves_no_file(keras_home, network):
    # The real table's hash: the fake payload cannot match it.
    with pytest.raises(WeightsDownloadError, match="corrupted or has changed") as e:
        imagenet_weights_file("mobilenet_v3_large", 32)
    assert "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5" in str(e.value)
    assert _files(keras_home / "models") == []


def test_no_hash_accepts_any_file(keras_home, network, monkeypatch):
    assert IMAGENET_NO_TOP["mobilenet_v2"][2] is None  # as in Keras
    path = imagenet_weights_file("mobilenet_v2", 128)
    assert path.read_bytes() == PAYLOAD
    monkeypatch.setattr(weights, "urlopen", _no_network)
    assert imagenet_weights_file("mobilenet_v2", 128) == path


@pytest.mark.parametrize(
    "image_size, size",
    [(96, 96), (128, 128), (160, 160), (192, 192), (224, 224), (100, 224)]
    + [(32, 224), (300, 224), ((96, 96), 96), ((96, 128), 224), (np.int64(96), 96)],
)
def test_mobilenet_v2_file_follows_the_image_size_as_keras_does(image_size, size):
    source = imagenet_weights_source("mobilenet_v2", image_size)
    assert source.filename == (
        f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{size}_no_top.h5"
    )
    assert source.url.endswith("/keras-applications/mobilenet_v2/" + source.filename)


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "mobilenet_v2"])
def test_other_families_have_one_file_for_all_sizes(family):
    assert imagenet_weights_source(family, 32) == imagenet_weights_source(family, 224)


@pytest.mark.parametrize(
    "fail",
    [URLError(OSError(101, "Network is unreachable")), TimeoutError("timed out")],
    ids=["unreachable", "timeout"],
)
def test_offline_is_a_clear_error_and_leaves_no_file(keras_home, network, fail):
    network.fail = fail
    source = imagenet_weights_source("mobilenet_v2", 96)
    before = socket.getdefaulttimeout()
    with pytest.raises(WeightsDownloadError) as caught:
        imagenet_weights_file("mobilenet_v2", 96)
    message = str(caught.value)
    folder = keras_home / "models"
    assert f"Could not download {source.url}" in message
    assert f"Keras looks for {source.filename} in {folder}" in message
    assert "firewall" in message and "backbone_weights=<its path>" in message
    assert "weights=<its path>" in message
    assert isinstance(caught.value, OSError)
    # One request, with the timeout: offline fails at once, not after retries.
    assert network.requests == [(source.url, WEIGHTS_DOWNLOAD_TIMEOUT)]
    assert _files(folder) == []
    assert socket.getdefaulttimeout() == before


def test_stalled_server_times_out(keras_home, monkeypatch):
    monkeypatch.setattr(weights, "WEIGHTS_DOWNLOAD_TIMEOUT", 0.2)
    with LoopbackServer(stall=True) as server:
        _, filename, _ = IMAGENET_NO_TOP["resnet50"]
        monkeypatch.setitem(IMAGENET_NO_TOP, "resnet50", (server.url, filename, None))
        with pytest.raises(WeightsDownloadError, match=r"timed out after 0.2 s"):
            imagenet_weights_file("resnet50", 224)
    assert _files(keras_home / "models") == []


def test_truncated_download_without_a_hash_leaves_no_file(keras_home, monkeypatch):
    with LoopbackServer(PAYLOAD, truncate=100) as server:
        _, filename, _ = IMAGENET_NO_TOP["mobilenet_v2"]
        monkeypatch.setitem(
            IMAGENET_NO_TOP, "mobilenet_v2", (server.url + "/", filename, None)
        )
        with pytest.raises(WeightsDownloadError, match="closed after 100 of"):
            imagenet_weights_file("mobilenet_v2", 224)
    assert _files(keras_home / "models") == []


def test_unwritable_cache_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KERAS_HOME", str(blocker))
    with pytest.raises(WeightsDownloadError, match="Cannot write to the Keras weigh"):
        imagenet_weights_file("resnet50", 224)


def test_unknown_family_is_a_value_error():
    with pytest.raises(ValueError, match="'resnet18'.*'mobilenet_v2'"):
        imagenet_weights_source("resnet18", 224)


def test_cache_is_read_at_call_time(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert weights_cache_dir() == tmp_path / "kh" / "models"
    monkeypatch.setenv("KERAS_HOME", "~/elsewhere")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert weights_cache_dir() == tmp_path / "elsewhere" / "models"
    monkeypatch.delenv("KERAS_HOME")
    assert weights_cache_dir() == tmp_path / ".keras" / "models"


@pytest.mark.parametrize("name", ["a.h5", "a.hdf5", "a.weights.h5", "a.keras"])
def test_weights_file_keras_reads_is_accepted(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    assert check_weights_file(str(tmp_path / name)) == tmp_path / name


def test_weights_file_path_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "w.h5").write_bytes(b"")
    assert check_weights_file("~/w.h5") == tmp_path / "w.h5"


def test_missing_weights_file_or_folder_is_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist") as caught:
        check_weights_file(tmp_path / "missing.h5")
    assert str(tmp_path / "missing.h5") in str(caught.value)
    (tmp_path / "folder.keras").mkdir()
    with pytest.raises(FileNotFoundError, match="folder.keras is a folder"):
        check_weights_file(tmp_path / "folder.keras")


@pytest.mark.parametrize(
    "name, given", [("w.pt", "'.pt'"), ("w.H5", "'.H5'"), ("weights", "without")]
)
def test_weights_file_keras_cannot_read_is_a_value_error(tmp_path, name, given):
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(ValueError) as caught:
        check_weights_file(tmp_path / name)
    message = str(caught.value)
    assert ".h5, .hdf5, .weights.h5, .keras" in message and given in message
    assert str(tmp_path / name) in message


@pytest.mark.parametrize("module", ["_engine/weights.py", "_download.py"])
def test_download_modules_import_no_tensorflow(module):
    tree = ast.parse((Path(skcnn.__file__).parent / module).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and not node.level
    }
    assert not imported & {"tensorflow", "keras", "tf_keras"}


# The table against Keras. The constants are cheap to read; the constructors
# show the file name Keras forms from them, at a few seconds for all seven.

KERAS_CONSTANTS = {
    # family: Keras module, its folder-URL constant, its WEIGHTS_HASHES key
    "mobilenet_v2": ("mobilenet_v2", "BASE_WEIGHT_PATH", None),
    "mobilenet_v3_small": ("mobilenet_v3", "BASE_WEIGHT_PATH", "small_224_1.0_float"),
    "mobilenet_v3_large": ("mobilenet_v3", "BASE_WEIGHT_PATH", "large_224_1.0_float"),
    "efficientnet_b0": ("efficientnet", "BASE_WEIGHTS_PATH", "b0"),
    "efficientnet_v2_b0": ("efficientnet_v2", "BASE_WEIGHTS_PATH", "b0"),
    "resnet50": ("resnet", "BASE_WEIGHTS_PATH", "resnet50"),
    "convnext_tiny": ("convnext", "BASE_WEIGHTS_PATH", "convnext_tiny"),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_table_matches_keras_constants(family):
    import importlib

    module_name, folder_name, key = KERAS_CONSTANTS[family]
    module = importlib.import_module(f"keras.src.applications.{module_name}")
    folder, _, file_hash = IMAGENET_NO_TOP[family]
    assert folder == getattr(module, folder_name)
    if key is None:
        assert file_hash is None and not hasattr(module, "WEIGHTS_HASHES")
    else:
        assert file_hash == module.WEIGHTS_HASHES[key][1]  # [1]: without the top


class _Asked(Exception):
    """Raised by the fake ``get_file`` to stop the constructor there."""


KERAS_CONSTRUCTORS = [
    ("mobilenet_v2", "MobileNetV2", 96),
    ("mobilenet_v2", "MobileNetV2", 100),
    ("mobilenet_v3_small", "MobileNetV3Small", 32),
    ("mobilenet_v3_large", "MobileNetV3Large", 32),
    ("efficientnet_b0", "EfficientNetB0", 32),
    ("efficientnet_v2_b0", "EfficientNetV2B0", 32),
    ("resnet50", "ResNet50", 32),
    ("convnext_tiny", "ConvNeXtTiny", 32),
]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:`input_shape` is undefined or non-square")
@pytest.mark.parametrize("family, constructor, size", KERAS_CONSTRUCTORS)
def test_table_matches_what_keras_downloads(family, constructor, size, monkeypatch):
    import keras
    from keras.src.utils import file_utils

    def get_file(fname=None, origin=None, *, file_hash=None, **kwargs):
        raise _Asked(fname, origin, file_hash, kwargs)

    # Every application module calls file_utils.get_file through the module.
    monkeypatch.setattr(file_utils, "get_file", get_file)
    with pytest.raises(_Asked) as asked:
        getattr(keras.applications, constructor)(
            weights="imagenet", include_top=False, input_shape=(size, size, 3)
        )
    fname, origin, file_hash, kwargs = asked.value.args
    assert kwargs == {"cache_subdir": "models"}  # hash_algorithm "auto"
    assert imagenet_weights_source(family, size) == (fname, origin, file_hash)
