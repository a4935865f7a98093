"""Atomic file writes: a file is either the old one or the whole new one.

Every file skcnn writes (models, results, reports, pictures, cached pixels,
downloads, benchmark results) goes through this module. The bytes go to a
temporary file in the target's folder, named ``.NAME.tmp-HOST-PID-N`` so
that skcnn knows it as its own (HOST: 8 hex digits of the machine's name);
it is flushed and fsynced, renamed onto the target with :func:`os.replace`
(atomic on POSIX and Windows within one file system) and the folder is
fsynced, so the rename survives a power cut. Any failure Python sees,
``KeyboardInterrupt`` included, removes the temporary file and leaves the
target as it was. A process killed outright (SIGKILL) cannot clean up: the
next write to the same folder removes the temporary files of processes of
this machine that no longer run. Those of other machines (a folder shared
over the network) are left alone: their processes cannot be checked.

The temporary file is created with mode 0o666 and the user's umask, as
:func:`open` would create the target, not with :func:`tempfile.mkstemp`'s
0o600. Writing over an existing file gives the new file that file's mode;
writing to a symbolic link replaces the file it points to, as :func:`open`
would write there, and keeps the link.

An ``OSError`` of the writing itself (a full disk, a file-size limit, a
folder without write permission) names the target, not the temporary file.

Nothing here imports TensorFlow.
"""

import contextlib
import errno
import functools
import hashlib
import itertools
import os
import re
import shutil
import socket
import stat
from pathlib import Path

__all__ = [
    "atomic_path",
    "atomic_write",
    "check_writable",
    "move_into_place",
    "remove_stale",
    "temporary_folder",
    "write_bytes",
    "write_text",
]

#: ``.NAME.tmp-HOST-PID-N`` plus, for :func:`atomic_path`, NAME's suffix
#: again (writers such as Keras's ``Model.save`` insist on it).
_TEMPORARY = re.compile(
    r"^\.(?P<name>.+)\.tmp-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-\d+(\.[^.]+)?$"
)
#: Longer names are cut in the temporary name, which must stay under the
#: file systems' limit of 255 bytes.
_NAME_KEPT = 200

# Several threads of one process may write into the same folder.
_counter = itertools.count()


@functools.cache
def _host():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _temporary_name(path, keep_suffix):
    suffix = path.suffix if keep_suffix else ""
    tag = f"{_host()}-{os.getpid()}-{next(_counter)}"
    return path.with_name(f".{path.name[:_NAME_KEPT]}.tmp-{tag}{suffix}")


def _is_running(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it runs, as another user
        return True
    return True


def remove_stale(folder):
    """Remove the temporary files of dead processes in ``folder``.

    Parameters
    ----------
    folder : str or path-like
        The folder to clean; nothing happens if it cannot be listed.

    Returns
    -------
    removed : list of Path
        The temporary files (or folders) removed. Those of running
        processes, this one included, and of other machines are left
        alone: they may be being written.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None or match["host"] != _host() or _is_running(int(match["pid"])):
            continue
        stale = Path(folder) / name
        with contextlib.suppress(OSError):  # another process removed it first
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()
            removed.append(stale)
    return removed


def _fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder):
    # Makes the rename itself durable. Windows cannot open a folder.
    with contextlib.suppress(OSError):
        _fsync_path(folder)


def _target_mode(path):
    """The target's current mode bits, or None when it does not exist."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def _commit(temporary, path, durable):
    mode = _target_mode(path)
    if mode is not None:
        os.chmod(temporary, mode)
    os.replace(temporary, path)
    if durable:
        _fsync_folder(path.parent)


def _prepare(path, clean):
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if clean:
        remove_stale(path.parent)
    return path


#: The errors of writing to an open file, which do not name it.
_WRITE_ERRORS = {errno.EFBIG, errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}


def _naming_target(exc, temporary, path):
    """An ``OSError`` of the writing like ``exc`` but naming ``path``, or None.

    None when ``exc`` is not such an error (the writer's own, say), and is
    to be raised as it is.
    """
    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    named = exc.filename
    if isinstance(named, os.PathLike):
        named = os.fspath(named)
    if named == str(temporary) or (named is None and exc.errno in _WRITE_ERRORS):
        try:
            return type(exc)(exc.errno, exc.strerror, str(path))
        except TypeError:  # a subclass of another signature
            return None
    return None


def _raise_naming_target(exc, temporary, path):
    renamed = _naming_target(exc, temporary, path)
    if renamed is None:
        raise exc
    raise renamed from exc


def _discard(temporary):
    with contextlib.suppress(OSError):
        temporary.unlink()


@contextlib.contextmanager
def atomic_write(path, mode="wb", *, encoding=None, durable=True, clean=True):
    """Open a temporary file that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder must exist.
    mode : {"wb", "w"}, default="wb"
        Binary or text. Text is written as given: ``"\\n"`` stays ``"\\n"``
        on every platform.
    encoding : str, default=None
        The text encoding for ``mode="w"`` (UTF-8 if None).
    durable : bool, default=True
        Whether to fsync the file and its folder, so that the new file
        survives a power cut. Without, the file is still never seen half
        written by a reader, but a power cut may lose it: for caches, whose
        files are cheap to make again and many.
    clean : bool, default=True
        Whether to remove the temporary files of dead processes from the
        folder first (:func:`remove_stale`). A writer of many files into one
        folder calls :func:`remove_stale` once instead.

    Yields
    ------
    file : file object
        Write the whole content to it. When the block raises, the target is
        left as it was and the temporary file is removed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skcnn._atomic import atomic_write
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "notes.txt", "w") as f:
    ...     _ = f.write("complete")
    >>> (folder / "notes.txt").read_text()
    'complete'
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    path = _prepare(path, clean)
    temporary = _temporary_name(path, keep_suffix=False)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        _raise_naming_target(exc, temporary, path)
    try:
        if mode == "w":
            out = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            out = os.fdopen(fd, "wb")
        with out:
            yield out
            out.flush()
            if durable:
                os.fsync(out.fileno())
        _commit(temporary, path, durable)
    except BaseException as exc:
        _discard(temporary)
        _raise_naming_target(exc, temporary, path)


@contextlib.contextmanager
def atomic_path(path):
    """A temporary path that replaces ``path`` when the block succeeds.

    For writers that want a file name rather than a file object (Keras's
    ``Model.save``, which also wants the suffix: the temporary name ends in
    ``path``'s suffix). The temporary file exists, empty, when the block
    starts; the writer may write to it or replace it. Whatever the block
    leaves at the yielded path is fsynced and renamed onto ``path``; when
    the block raises, it is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder must exist.

    Yields
    ------
    temporary : pathlib.Path
        Where the writer writes, in ``path``'s folder.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skcnn._atomic import atomic_path
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "table.csv") as temporary:
    ...     _ = temporary.write_text("a,b")
    >>> sorted(p.name for p in folder.iterdir())
    ['table.csv']
    """
    path = _prepare(path, clean=True)
    temporary = _temporary_name(path, keep_suffix=True)
    # Created here, as a plain open would create it under the umask, so that
    # its mode can be restored whatever the writer does (reading the umask
    # would mean setting it, for every thread of the process).
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        _raise_naming_target(exc, temporary, path)
    created_mode = stat.S_IMODE(os.stat(temporary).st_mode)
    try:
        yield temporary
        if not temporary.is_file():
            raise FileNotFoundError(
                f"the temporary file {temporary} for {path} was removed before "
                "it could replace it"
            )
        os.chmod(temporary, created_mode)
        _fsync_path(temporary)
        _commit(temporary, path, durable=True)
    except BaseException as exc:
        _discard(temporary)
        _raise_naming_target(exc, temporary, path)


@contextlib.contextmanager
def temporary_folder(path):
    """A temporary folder next to ``path``, removed with its content at the end.

    For a writer that makes several files before moving them into place
    (:func:`move_into_place`): the folder is named as skcnn's temporary
    files are, so that :func:`remove_stale` removes it if the process is
    killed before it could.

    Parameters
    ----------
    path : str or path-like
        What the folder is for; the folder is made in ``path``'s folder,
        which must exist.

    Yields
    ------
    folder : pathlib.Path
        The new, empty folder.
    """
    path = _prepare(path, clean=True)
    folder = _temporary_name(path, keep_suffix=False)
    try:
        folder.mkdir()
    except OSError as exc:
        _raise_naming_target(exc, folder, path)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def move_into_place(source, target):
    """Rename the finished file ``source`` onto ``target``, durably.

    ``source`` is fsynced first, the folder after: a power cut leaves the
    old ``target`` or the whole new one. Both must be on one file system
    (``source`` from :func:`temporary_folder` next to ``target``).
    """
    source, target = Path(source), Path(target)
    _fsync_path(source)
    os.replace(source, target)
    _fsync_folder(target.parent)


def check_writable(folder):
    """Raise the ``OSError`` a write into ``folder`` would raise, if any.

    A command that writes at its end (after training) checks its folders
    first, so that a read-only folder fails in a second, not after an hour.
    The check writes an empty temporary file there and removes it.
    """
    folder = Path(folder)
    probe = _temporary_name(folder / "probe", keep_suffix=False)
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        _raise_naming_target(exc, probe, folder)
    _discard(probe)


def write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_write(path, "wb") as out:
        out.write(data)


def write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically (``"\\n"`` written as it is)."""
    with atomic_write(path, "w", encoding=encoding) as out:
        out.write(text)
