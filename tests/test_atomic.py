"""skcnn._atomic: whole files or none, modes as open's, no litter, in real processes."""

import os
import stat
import subprocess
import sys
import textwrap
import threading

import pytest

from skcnn import _atomic
from skcnn._atomic import (
    atomic_path,
    atomic_write,
    remove_stale,
    temporary_folder,
    write_bytes,
    write_text,
)
from tests._helpers import imports_tensorflow

#: Seconds a child process may take to start and reach its blocking point.
DEADLINE = 60


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _litter(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


#: Makes ``atomic`` the module skcnn._atomic in a child, loaded from its file
#: alone: the package's imports (scikit-learn) take seconds, and the module
#: imports nothing of skcnn.
_PRELUDE = f"""
import importlib.util
_spec = importlib.util.spec_from_file_location("atomic", {_atomic.__file__!r})
atomic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(atomic)
"""


def _child_code(code):
    return _PRELUDE + textwrap.dedent(code)


def _python(code):
    """Run ``code`` in a fresh interpreter; the finished process.

    Its ``pid``, ``returncode``, ``stdout`` and ``stderr`` (text) are set.
    ``atomic`` is the module under test.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", _child_code(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    child.stdout, child.stderr = child.communicate(timeout=DEADLINE)
    return child


def _wait_for(condition, what):
    """Poll ``condition`` until it holds; fail after :data:`DEADLINE` seconds."""
    import time

    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_the_helper_does_not_import_tensorflow():
    assert not imports_tensorflow(
        "import tempfile, pathlib; from skcnn._atomic import write_text; "
        "write_text(pathlib.Path(tempfile.mkdtemp()) / 'a.txt', 'x')"
    )


def test_modes_follow_the_umask_as_plain_open_does(tmp_path):
    # The umask is process-wide: it is set in a child, never here.
    result = _python(
        f"""
        import os, stat
        from pathlib import Path
        atomic_path, atomic_write = atomic.atomic_path, atomic.atomic_write
        os.umask(0o027)
        folder = Path({str(tmp_path)!r})
        with open(folder / "plain", "w"):
            pass
        atomic.write_bytes(folder / "bytes", b"x")
        with atomic_write(folder / "text", "w") as f:
            f.write("x")
        with atomic_path(folder / "path.keras") as temporary:
            temporary.write_bytes(b"x")
        for name in ("plain", "bytes", "text", "path.keras"):
            print(name, oct(stat.S_IMODE(os.stat(folder / name).st_mode)))
        """
    )
    assert result.returncode == 0, result.stderr
    modes = dict(line.split() for line in result.stdout.splitlines())
    assert modes == dict.fromkeys(["plain", "bytes", "text", "path.keras"], "0o640")


def test_writing_over_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "shared.json"
    target.write_text("old")
    target.chmod(0o604)
    write_text(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o604
    with atomic_path(target) as temporary:
        # A writer that makes its file private, as tempfile.mkstemp does.
        temporary.write_text("newer")
        temporary.chmod(0o600)
    assert target.read_text() == "newer" and _mode(target) == 0o604


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_a_failing_block_leaves_the_old_file_and_no_litter(tmp_path, error):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"good")
    with pytest.raises(error), atomic_write(target) as out:
        out.write(b"half of the new")
        out.flush()
        assert _litter(tmp_path)  # the bytes went to a file of their own
        raise error()
    assert target.read_bytes() == b"good" and _litter(tmp_path) == []
    with pytest.raises(error), atomic_path(tmp_path / "net.keras") as temporary:
        temporary.write_bytes(b"half")
        raise error()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.joblib"]


def test_a_failed_write_names_the_target_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"good")
    # A real file-size limit, in a child: the write fails with EFBIG.
    result = _python(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
        try:
            atomic.write_bytes({str(target)!r}, b"x" * 5000)
        except OSError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"[Errno 27] File too large: {str(target)!r}"
    assert target.read_bytes() == b"good" and _litter(tmp_path) == []
    with pytest.raises(FileNotFoundError) as info:
        write_text(tmp_path / "missing" / "report.md", "x")
    assert info.value.filename == str(tmp_path / "missing" / "report.md")


def test_text_is_written_as_given(tmp_path):
    write_text(tmp_path / "a.txt", "one\ntwo\r\nthree é")
    assert (tmp_path / "a.txt").read_bytes() == "one\ntwo\r\nthree é".encode()
    with atomic_write(tmp_path / "b.txt", "w", encoding="latin-1") as out:
        out.write("é\n")
    assert (tmp_path / "b.txt").read_bytes() == b"\xe9\n"
    with pytest.raises(ValueError, match="mode must be 'wb' or 'w', got 'a'"):
        with atomic_write(tmp_path / "c.txt", "a"):
            pass
    assert not (tmp_path / "c.txt").exists()


def test_atomic_path_takes_a_writer_that_makes_its_own_file(tmp_path):
    target = tmp_path / "network.keras"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary.suffix == ".keras"
        assert temporary.exists()  # made as open would make it
        temporary.unlink()  # a writer that replaces the file it is given
        temporary.write_bytes(b"whole")
    assert target.read_bytes() == b"whole" and _litter(tmp_path) == []
    with pytest.raises(FileNotFoundError, match="was removed before"):
        with atomic_path(target) as temporary:
            temporary.unlink()
    assert target.read_bytes() == b"whole" and _litter(tmp_path) == []


def test_a_symbolic_link_keeps_pointing_at_the_new_file(tmp_path):
    (tmp_path / "v2.joblib").write_bytes(b"old")
    link = tmp_path / "current.joblib"
    link.symlink_to("v2.joblib")
    write_bytes(link, b"new")
    assert link.is_symlink() and (tmp_path / "v2.joblib").read_bytes() == b"new"


def test_stale_files_of_a_killed_process_go_at_the_next_write(tmp_path):
    # A real process killed with SIGKILL in the middle of its write.
    child = _python(
        f"""
        import os, signal
        with atomic.atomic_write({str(tmp_path / "results.json")!r}) as out:
            out.write(b"half")
            out.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    assert child.returncode == -9
    stale = _litter(tmp_path)
    assert len(stale) == 1 and f"-{child.pid}-" in stale[0]
    assert stale[0].startswith(".results.json.tmp-")
    assert not (tmp_path / "results.json").exists()
    # Not skcnn's: left alone.
    for name in (".results.json.tmp-zz-1-2", "notes.tmp-1-2", ".hidden"):
        (tmp_path / name).write_text("theirs")
    write_text(tmp_path / "report.md", "x")  # any file of the folder
    assert _litter(tmp_path) == [".results.json.tmp-zz-1-2", "notes.tmp-1-2"]
    assert (tmp_path / ".hidden").exists()


def test_files_of_running_processes_and_other_machines_stay(tmp_path):
    target = tmp_path / "model.joblib"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _child_code(
                f"""
                import sys
                with atomic.atomic_write({str(target)!r}) as out:
                    out.write(b"complete")
                    out.flush()
                    print("writing", flush=True)
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "writing\n"
        (running,) = _litter(tmp_path)
        # A dead process's file, but written from another machine: its name
        # carries another host, whose processes cannot be checked here.
        host = _atomic._host()
        other = "0" * 8 if host != "0" * 8 else "1" * 8
        remote = f".model.joblib.tmp-{other}-{child.pid + 1}-0"
        (tmp_path / remote).write_text("theirs")
        assert remove_stale(tmp_path) == []
        write_text(tmp_path / "notes.txt", "x")
        assert _litter(tmp_path) == sorted([running, remote])
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.wait(DEADLINE) == 0
    finally:
        child.kill()
        child.wait(DEADLINE)
    assert target.read_bytes() == b"complete"
    assert _litter(tmp_path) == [remote]


def test_a_temporary_folder_is_removed_now_or_at_the_next_write(tmp_path):
    with temporary_folder(tmp_path / "archive.tar") as folder:
        (folder / "member").write_bytes(b"x")
        _atomic.move_into_place(folder / "member", tmp_path / "member")
        assert folder.name.startswith(".archive.tar.tmp-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["member"]
    child = _python(
        f"""
        import os, signal
        with atomic.temporary_folder({str(tmp_path / "archive.tar")!r}) as folder:
            (folder / "member").write_bytes(b"half")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    (stale,) = _litter(tmp_path)
    assert child.returncode == -9 and (tmp_path / stale / "member").exists()
    assert remove_stale(tmp_path) == [tmp_path / stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["member"]


def test_threads_writing_one_file_leave_one_whole_file(tmp_path):
    target = tmp_path / "model.bin"
    contents = [bytes([i]) * 200_000 for i in range(8)]
    start = threading.Barrier(len(contents))
    errors = []

    def write(content):
        try:
            start.wait()
            for _ in range(10):
                write_bytes(target, content)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(c,)) for c in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert target.read_bytes() in contents
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.bin"]


def test_a_cache_write_skips_fsync_and_cleaning_but_is_whole(tmp_path):
    dead = _python("pass").pid
    stale = tmp_path / f".old.npy.tmp-{_atomic._host()}-{dead}-0"
    stale.write_bytes(b"")
    with atomic_write(tmp_path / "x.npy", durable=False, clean=False) as out:
        out.write(b"pixels")
    assert (tmp_path / "x.npy").read_bytes() == b"pixels" and stale.exists()
