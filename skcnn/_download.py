"""Downloads into Keras's cache: per-request timeout, checksum, no partial file.

The mechanics that the dataset loaders (:mod:`skcnn.datasets._download`) and
the pretrained backbones (:mod:`skcnn._engine.weights`) share. A file is
fetched with :func:`urllib.request.urlopen` and a timeout given to that
request alone (the process-wide socket default is never touched), streamed
into a temporary file next to its final place (:mod:`skcnn._atomic`),
checked against its hash and only then renamed into place, atomically. The
cache is Keras's own, ``~/.keras/<subfolder>`` (or
``$KERAS_HOME/<subfolder>``), so that a file Keras downloaded before is
reused without any network access, and the other way round.

Hashes follow :func:`keras.utils.get_file` with ``hash_algorithm="auto"``: a
hash of 64 hex digits is a SHA-256, any other an MD5; no hash, no check.
Nothing here imports TensorFlow.
"""

import hashlib
import http.client
import os
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

from . import _atomic

#: Seconds a download waits for the server to connect or to send more bytes.
DOWNLOAD_TIMEOUT = 10.0
#: Bytes read from the network, or hashed from disk, at a time.
CHUNK_SIZE = 1 << 20

_HASH_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


def keras_cache_dir(subfolder):
    """``$KERAS_HOME/<subfolder>``, else ``~/.keras/<subfolder>``, read now."""
    keras_home = os.environ.get("KERAS_HOME", Path.home() / ".keras")
    return Path(keras_home).expanduser() / subfolder


def hash_algorithm(file_hash):
    """The hashlib name Keras's ``get_file`` checks ``file_hash`` with."""
    return "sha256" if len(file_hash) == 64 else "md5"


def file_hash(path, algorithm="sha256"):
    """Hex digest of a file, read in chunks."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def download(
    url,
    path,
    expected_hash,
    *,
    error,
    cache_label,
    offline_hint,
    unwritable_hint,
    cached_names=(),
    timeout=None,
    opener=None,
):
    """``path``, downloaded from ``url`` unless a valid copy is cached.

    A file at ``path`` (or under one of ``cached_names`` in its folder, the
    names other tools give the same file) whose hash matches
    ``expected_hash`` is returned without network access; with
    ``expected_hash=None`` any such file is. Otherwise the file is
    downloaded, each network operation waiting at most ``timeout`` seconds
    (:data:`DOWNLOAD_TIMEOUT` if None); any failure raises ``error`` (an
    ``OSError`` subclass) and leaves no partial file behind.

    ``cache_label`` names the folder in the message of an unwritable cache
    (``"dataset cache"``), followed by ``unwritable_hint``; ``offline_hint``
    ends the message of a failed download. ``opener`` replaces
    :func:`urllib.request.urlopen`: the callers pass their own module's
    name, which is what their tests replace.
    """
    path = Path(path)
    cache, filename = path.parent, path.name
    algorithm = None if expected_hash is None else hash_algorithm(expected_hash)
    for name in (filename, *cached_names):
        if (cache / name).is_file() and (
            algorithm is None or file_hash(cache / name, algorithm) == expected_hash
        ):
            return cache / name

    def unwritable(exc):
        return error(
            f"Cannot write to the {cache_label} {cache}: {exc}. {unwritable_hint}"
        )

    try:
        cache.mkdir(parents=True, exist_ok=True)
        # Ctrl-C included, any failure removes the partial file: it would
        # pass for a cached one later.
        with _atomic.atomic_write(path) as out:
            got = _stream(
                url,
                out,
                algorithm or "sha256",
                timeout=DOWNLOAD_TIMEOUT if timeout is None else timeout,
                opener=urlopen if opener is None else opener,
                error=error,
                offline_hint=offline_hint,
                unwritable=unwritable,
            )
            if algorithm is not None and got != expected_hash:
                raise error(
                    f"The file downloaded from {url} has the "
                    f"{_HASH_NAMES[algorithm]} hash {got}, expected "
                    f"{expected_hash}: it is corrupted or has changed. Nothing "
                    f"was saved. {offline_hint}"
                )
    except error:
        raise
    except OSError as exc:  # the cache, not the network
        raise unwritable(exc) from exc
    return path


def _stream(url, out, algorithm, *, timeout, opener, error, offline_hint, unwritable):
    """Copy ``url`` into the open file ``out``; return the bytes' hex digest.

    A failure to write ``out`` (a full disk) raises ``unwritable(exc)``,
    not a download error.
    """
    digest, received, expected = hashlib.new(algorithm), 0, None
    try:
        with opener(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            while chunk := response.read(CHUNK_SIZE):
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise unwritable(exc) from exc
                received += len(chunk)
    except error:
        raise
    except (OSError, http.client.HTTPException) as exc:
        reason = exc if isinstance(exc, HTTPError) else getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            reason = f"timed out after {timeout:g} s without data"
        raise error(f"Could not download {url}: {reason}. {offline_hint}") from exc
    # Without a hash to check, the announced length is what tells a
    # connection closed early from a complete file.
    if expected is not None and expected.isdigit() and received != int(expected):
        raise error(
            f"Could not download {url}: the connection closed after {received} "
            f"of {expected} bytes. {offline_hint}"
        )
    return digest.hexdigest()
