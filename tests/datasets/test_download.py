"""The download machinery against loopback servers and a faked ``urlopen``.

No test needs the internet, and none measures time: each asserts the
mechanism (the timeout given to the request, the error and its message, no
partial file, the process-wide socket timeout untouched).
"""

import socket

import pytest

from skcnn.datasets import DatasetDownloadError, _download
from tests.datasets._fakes import LoopbackServer, fake_mnist_npz, sha256


@pytest.fixture
def payload(tmp_path_factory):
    source = fake_mnist_npz(tmp_path_factory.mktemp("payload") / "source.npz")
    return source.read_bytes(), sha256(source)


def _cache_files(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_download_verifies_and_caches(tmp_path, payload):
    data, digest = payload
    cache = tmp_path / "cache"
    with LoopbackServer(data) as server:
        path = _download.download(server.url, "mnist.npz", digest, cache)
        assert path == cache / "mnist.npz" and path.read_bytes() == data
        # Cached: a second call does not ask the server.
        assert _download.download(server.url, "mnist.npz", digest, cache) == path
    assert server.requests == 1
    assert _cache_files(cache) == ["mnist.npz"]


def test_each_request_gets_the_timeout_and_the_process_keeps_its_own(
    tmp_path, payload, monkeypatch
):
    data, digest = payload
    seen = []
    real_urlopen = _download.urlopen

    def recording_urlopen(url, *args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(_download, "urlopen", recording_urlopen)
    monkeypatch.setattr(_download, "DOWNLOAD_TIMEOUT", 3.5)
    before = socket.getdefaulttimeout()
    with LoopbackServer(data) as server:
        _download.download(server.url, "mnist.npz", digest, tmp_path)
    assert seen == [3.5]
    assert socket.getdefaulttimeout() == before


def test_stalled_server_times_out_without_leaving_a_file(tmp_path, monkeypatch):
    monkeypatch.setattr(_download, "DOWNLOAD_TIMEOUT", 0.2)
    before = socket.getdefaulttimeout()
    with LoopbackServer(stall=True) as server:
        with pytest.raises(DatasetDownloadError, match=r"timed out after 0.2 s"):
            _download.download(server.url, "mnist.npz", "0" * 64, tmp_path)
    assert _cache_files(tmp_path) == []
    assert socket.getdefaulttimeout() == before


def test_unreachable_server_is_a_clear_error(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist.npz"
    with pytest.raises(DatasetDownloadError) as caught:
        _download.download(url, "mnist.npz", "0" * 64, tmp_path)
    message = str(caught.value)
    assert f"Could not download {url}" in message
    assert f"put it in {tmp_path}" in message and "data_home" in message
    assert isinstance(caught.value, OSError)
    assert _cache_files(tmp_path) == []


def test_http_error_names_the_status(tmp_path):
    with LoopbackServer(status=404) as server:
        with pytest.raises(DatasetDownloadError, match="HTTP Error 404"):
            _download.download(server.url, "mnist.npz", "0" * 64, tmp_path)
    assert _cache_files(tmp_path) == []


def test_truncated_body_leaves_no_file(tmp_path, payload):
    data, digest = payload
    with LoopbackServer(data, truncate=len(data) // 2) as server:
        with pytest.raises(DatasetDownloadError, match="Could not download"):
            _download.download(server.url, "mnist.npz", digest, tmp_path)
    assert _cache_files(tmp_path) == []


def test_bad_checksum_leaves_no_file_and_next_call_works(tmp_path, payload):
    data, digest = payload
    with LoopbackServer(data) as server:
        with pytest.raises(DatasetDownloadError, match=r"SHA-256 hash .*expected 0+"):
            _download.download(server.url, "mnist.npz", "0" * 64, tmp_path)
        assert _cache_files(tmp_path) == []
        path = _download.download(server.url, "mnist.npz", digest, tmp_path)
    assert path.read_bytes() == data


def test_interrupted_download_leaves_no_partial_file(tmp_path, payload, monkeypatch):
    class Interrupted:
        headers = {"Content-Length": "100"}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            if self.sent:
                raise KeyboardInterrupt  # Ctrl-C in the middle of the download
            self.sent = True
            return b"first bytes"

        sent = False

    monkeypatch.setattr(_download, "urlopen", lambda url, timeout: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        _download.download("http://example.invalid/x", "mnist.npz", "0" * 64, tmp_path)
    assert _cache_files(tmp_path) == []


def test_cached_file_is_used_without_network(tmp_path, monkeypatch):
    cached = fake_mnist_npz(tmp_path / "mnist.npz")

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(_download, "urlopen", no_network)
    path = _download.download("http://x.invalid", "mnist.npz", sha256(cached), tmp_path)
    assert path == cached


def test_cached_file_under_another_name_is_used(tmp_path, monkeypatch):
    cached = fake_mnist_npz(tmp_path / "keras-name")
    monkeypatch.setattr(_download, "urlopen", None)  # any network use fails
    path = _download.download(
        "http://x.invalid",
        "ours",
        sha256(cached),
        tmp_path,
        cached_names=["keras-name"],
    )
    assert path == cached


def test_corrupted_cache_is_downloaded_again(tmp_path, payload):
    data, digest = payload
    (tmp_path / "mnist.npz").write_bytes(b"a partial file from elsewhere")
    with LoopbackServer(data) as server:
        path = _download.download(server.url, "mnist.npz", digest, tmp_path)
    assert path.read_bytes() == data and server.requests == 1


def test_cache_is_keras_cache_or_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert _download.cache_dir() == tmp_path / "kh" / "datasets"
    assert _download.cache_dir(tmp_path / "mine") == tmp_path / "mine"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _download.cache_dir() == tmp_path / ".keras" / "datasets"


def test_unwritable_cache_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatasetDownloadError, match="Cannot write to the dataset cache"):
        _download.download("http://x.invalid", "mnist.npz", "0" * 64, blocker / "sub")
