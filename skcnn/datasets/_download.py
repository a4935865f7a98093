"""Downloads into Keras's dataset cache: per-request timeout, checksum, no partial file.

The dataset-facing side of :mod:`skcnn._download`: files checked against
their SHA-256, the cache ``~/.keras/datasets`` (or ``$KERAS_HOME/datasets``)
or ``data_home``, and failures raised as :class:`DatasetDownloadError` with
the way to work offline. A file that ``keras.datasets`` downloaded before is
reused without any network access, and the other way round.
"""

from pathlib import Path
from urllib.request import urlopen

from .. import _download as _common

__all__ = ["DatasetDownloadError"]

#: Seconds a download waits for the server to connect or to send more bytes.
DOWNLOAD_TIMEOUT = _common.DOWNLOAD_TIMEOUT
#: Bytes read from the network, or hashed from disk, at a time.
CHUNK_SIZE = _common.CHUNK_SIZE


class DatasetDownloadError(OSError):
    """A dataset could not be downloaded or read (offline, timeout, bad file).

    Raised for a failed download (no network, a timeout, an HTTP error, a
    checksum that does not match) and for a downloaded file that cannot be
    read (a malformed or unsafe archive). Its message says what failed and
    where to put the file to work offline. A subclass of ``OSError``.

    Examples
    --------
    >>> from skcnn.datasets import DatasetDownloadError, fetch_mnist
    >>> issubclass(DatasetDownloadError, OSError)
    True
    >>> try:  # doctest: +SKIP
    ...     mnist = fetch_mnist(source="full")
    ... except DatasetDownloadError:
    ...     mnist = fetch_mnist(source="sample")  # offline: the embedded sample
    """


def cache_dir(data_home=None):
    """Folder of the downloaded files: ``data_home`` or Keras's own cache."""
    if data_home is not None:
        return Path(data_home).expanduser()
    return _common.keras_cache_dir("datasets")


def file_sha256(path):
    """Hex SHA-256 of a file, read in chunks."""
    return _common.file_hash(path, "sha256")


def download(url, filename, sha256, data_home=None, *, cached_names=()):
    """Path of ``filename`` in the cache, downloaded from ``url`` if needed.

    A cached file (under ``filename`` or one of ``cached_names``, the names
    other tools give the same file) whose checksum matches is returned
    without network access. Otherwise the file is downloaded, each network
    operation waiting at most :data:`DOWNLOAD_TIMEOUT` seconds; any failure
    raises :class:`DatasetDownloadError` and leaves no partial file behind.
    """
    cache = cache_dir(data_home)
    # This module's urlopen and DOWNLOAD_TIMEOUT are looked up now, not bound
    # at import, so that replacing them here reaches the download.
    return _common.download(
        url,
        cache / filename,
        sha256,
        error=DatasetDownloadError,
        cache_label="dataset cache",
        offline_hint=_offline_hint(cache, filename),
        unwritable_hint="Pass data_home=<a writable folder>.",
        cached_names=cached_names,
        timeout=DOWNLOAD_TIMEOUT,
        opener=urlopen,
    )


def _offline_hint(cache, filename):
    return (
        f"To work offline, download {filename} on a machine with internet "
        f"access and put it in {cache} (or pass data_home=<its folder>)."
    )
