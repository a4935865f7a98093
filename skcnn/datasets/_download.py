"""Downloads into Keras's dataset cache: per-request timeout, checksum, no partial file.

A file is fetched with :func:`urllib.request.urlopen` and a timeout given to
that request alone (the process-wide socket default is never touched),
streamed into a temporary file next to its final place, checked against its
SHA-256 and only then renamed into place, atomically. The cache is Keras's,
``~/.keras/datasets`` (or ``$KERAS_HOME/datasets``), or ``data_home``: a file
that ``keras.datasets`` downloaded before is reused without any network
access, and the other way round.
"""

import hashlib
import http.client
import os
import tempfile
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

__all__ = ["DatasetDownloadError"]

#: Seconds a download waits for the server to connect or to send more bytes.
DOWNLOAD_TIMEOUT = 10.0
#: Bytes read from the network, or hashed from disk, at a time.
CHUNK_SIZE = 1 << 20


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
    keras_home = os.environ.get("KERAS_HOME", Path.home() / ".keras")
    return Path(keras_home).expanduser() / "datasets"


def file_sha256(path):
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def download(url, filename, sha256, data_home=None, *, cached_names=()):
    """Path of ``filename`` in the cache, downloaded from ``url`` if needed.

    A cached file (under ``filename`` or one of ``cached_names``, the names
    other tools give the same file) whose checksum matches is returned
    without network access. Otherwise the file is downloaded, each network
    operation waiting at most :data:`DOWNLOAD_TIMEOUT` seconds; any failure
    raises :class:`DatasetDownloadError` and leaves no partial file behind.
    """
    cache = cache_dir(data_home)
    for name in (filename, *cached_names):
        if (cache / name).is_file() and file_sha256(cache / name) == sha256:
            return cache / name
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(
            prefix=f".{filename}.", suffix=".part", dir=cache
        )
    except OSError as exc:
        raise DatasetDownloadError(
            f"Cannot write to the dataset cache {cache}: {exc}. Pass "
            f"data_home=<a writable folder>."
        ) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            got = _stream(url, out, cache, filename)
        if got != sha256:
            raise DatasetDownloadError(
                f"The file downloaded from {url} has the SHA-256 hash {got}, "
                f"expected {sha256}: it is corrupted or has changed. Nothing "
                f"was saved. {_offline_hint(cache, filename)}"
            )
        os.replace(partial, cache / filename)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return cache / filename


def _stream(url, out, cache, filename):
    """Copy ``url`` into the open file ``out``; return the bytes' SHA-256."""
    digest, received, expected = hashlib.sha256(), 0, None
    try:
        with urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310
            expected = response.headers.get("Content-Length")
            while chunk := response.read(CHUNK_SIZE):
                digest.update(chunk)
                out.write(chunk)
                received += len(chunk)
    except (OSError, http.client.HTTPException) as exc:
        reason = exc if isinstance(exc, HTTPError) else getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            reason = f"timed out after {DOWNLOAD_TIMEOUT:g} s without data"
        raise DatasetDownloadError(
            f"Could not download {url}: {reason}. {_offline_hint(cache, filename)}"
        ) from exc
    if expected is not None and expected.isdigit() and received != int(expected):
        raise DatasetDownloadError(
            f"Could not download {url}: the connection closed after {received} "
            f"of {expected} bytes. {_offline_hint(cache, filename)}"
        )
    return digest.hexdigest()


def _offline_hint(cache, filename):
    return (
        f"To work offline, download {filename} on a machine with internet "
        f"access and put it in {cache} (or pass data_home=<its folder>)."
    )
