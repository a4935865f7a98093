"""Atomic file writes: a file is either the old one or the whole new one.

Every file skcnn writes (models, results, reports, pictures, cached pixels,
downloads, benchmark results) goes through this module. The bytes go to a
temporary file in the target's folder, named ``.NAME.tmp-PID-N`` so that
skcnn knows it as its own; it is flushed and fsynced, renamed onto the
target with :func:`os.replace` (atomic on POSIX and Windows within one file
system) and the folder is fsynced, so the rename survives a power cut. Any
failure Python sees, ``KeyboardInterrupt`` included, removes the temporary
file and leaves the target as it was. A process killed outright (SIGKILL)
cannot clean up: the next write to the same folder removes the temporary
files of processes that no longer run.

The temporary file is created with mode 0o666 and the user's umask, as
:func:`open` would create the target, not with :func:`tempfile.mkstemp`'s
0o600. Writing over an existing file gives the new file that file's mode.

Nothing here imports TensorFlow.
"""

import contextlib
import itertools
import os
import re
import stat
from pathlib import Path

__all__ = ["atomic_path", "atomic_write", "write_bytes", "write_text"]

#: ``.NAME.tmp-PID-N`` plus, for :func:`atomic_path`, NAME's suffix again
#: (writers such as Keras's ``Model.save`` insist on it).
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)-\d+(\.[^.]+)?$")

# Several threads of one process may write into the same folder.
_counter = itertools.count()


def _temporary_name(path, keep_suffix):
    suffix = path.suffix if keep_suffix else ""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{next(_counter)}{suffix}")


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

    Returns the paths removed. Files of running processes, this one
    included, are left alone: they may be being written.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None or _is_running(int(match["pid"])):
            continue
        stale = Path(folder) / name
        with contextlib.suppress(OSError):  # another process removed it first
            if stale.is_dir() and not stale.is_symlink():
                _remove_tree(stale)
            else:
                stale.unlink()
            removed.append(stale)
    return removed


def _remove_tree(path):
    import shutil

    shutil.rmtree(path)


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


def _commit(temporary, path):
    mode = _target_mode(path)
    if mode is not None:
        os.chmod(temporary, mode)
    os.replace(temporary, path)
    _fsync_folder(path.parent)


def _prepare(path):
    path = Path(path)
    remove_stale(path.parent)
    return path


@contextlib.contextmanager
def atomic_write(path, mode="wb", *, encoding=None):
    """Open a temporary file that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path : str or path-like
        The file to write. Its folder must exist.
    mode : {"wb", "w"}, default="wb"
        Binary or text.
    encoding : str, default=None
        The text encoding for ``mode="w"`` (UTF-8 if None).

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
    path = _prepare(path)
    temporary = _temporary_name(path, keep_suffix=False)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode == "w":
            out = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            out = os.fdopen(fd, "wb")
        with out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        _commit(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


@contextlib.contextmanager
def atomic_path(path):
    """A temporary path that replaces ``path`` when the block succeeds.

    For writers that want a file name rather than a file object (Keras's
    ``Model.save``, which also wants the suffix: the temporary name ends in
    ``path``'s suffix). Whatever the block writes at the yielded path is
    fsynced and renamed onto ``path``; when the block raises, it is removed
    and ``path`` is left as it was.

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
    path = _prepare(path)
    temporary = _temporary_name(path, keep_suffix=True)
    # Created here, as a plain open would create it under the umask, so that
    # its mode can be restored whatever the writer does (reading the umask
    # would mean setting it, for every thread of the process).
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    created_mode = stat.S_IMODE(os.stat(temporary).st_mode)
    try:
        yield temporary
        if not temporary.exists():
            raise FileNotFoundError(
                f"the temporary file {temporary} for {path} was removed before "
                "it could replace it"
            )
        os.chmod(temporary, created_mode)
        _fsync_path(temporary)
        _commit(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def write_bytes(path, data):
    """Write ``data`` (bytes) to ``path`` atomically."""
    with atomic_write(path, "wb") as out:
        out.write(data)


def write_text(path, text, encoding="utf-8"):
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path, "w", encoding=encoding) as out:
        out.write(text)
