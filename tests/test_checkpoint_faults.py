"""A checkpointed fit killed in a real process resumes to the uninterrupted result.

Each process runs ``tests/_checkpoint_worker.py``. A run waits at the start
of a chosen epoch, after the states of the epochs before it are saved, so
that the signal lands at a known point whatever the machine's speed; the
test waits for it to get there before sending the signal.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import _checkpoint_worker as worker

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _default_sigint():
    # A process started by a shell without job control ignores SIGINT, and
    # Python then raises no KeyboardInterrupt: start it as a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(folder, out, block_at=None):
    out.mkdir()
    command = [sys.executable, "-m", "tests._checkpoint_worker", str(folder), str(out)]
    if block_at is not None:
        command += ["--block-at", str(block_at)]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        preexec_fn=_default_sigint,
    )


def _stopped_at(process, out, sig):
    """Wait for ``process`` to block, send it ``sig``; return its stderr."""
    try:
        while not (out / "blocked").exists():
            if process.poll() is not None:
                pytest.fail(f"the worker ended early: {process.communicate()[1]}")
            try:
                process.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    return stderr


def _epochs(out):
    return [int(line) for line in (out / "epochs.txt").read_text().split()]


def _saved(folder):
    (sub,) = folder.iterdir()
    return sub, sorted(p.name for p in sub.iterdir())


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted fit, in this process, without a checkpoint."""
    X, y = worker.data()
    model = worker.estimator().fit(X, y)
    return model.predict_proba(X), model.history_


def test_sigint_then_sigkill_then_a_rerun_that_completes(tmp_path, reference):
    folder = tmp_path / "checkpoints"
    # Ctrl-C at the start of epoch 2 (0-based): epochs 0 and 1 are saved.
    first = _start(folder, tmp_path / "first", block_at=2)
    stderr = _stopped_at(first, tmp_path / "first", signal.SIGINT)
    assert first.returncode == 130, stderr
    assert "Training was interrupted after 2 of 5 epochs" in stderr
    assert "checkpoint stays in" in stderr
    sub, files = _saved(folder)
    assert files == ["meta.json", "state.npz"]
    assert json.loads((sub / "meta.json").read_text())["epoch"] == 2

    # The same fit again resumes at epoch 2; killed at the start of epoch 3.
    second = _start(folder, tmp_path / "second", block_at=3)
    _stopped_at(second, tmp_path / "second", signal.SIGKILL)
    assert second.returncode == -signal.SIGKILL
    assert _epochs(tmp_path / "second") == [2]
    assert _saved(folder)[0] == sub
    assert json.loads((sub / "meta.json").read_text())["epoch"] == 3
    # What a kill in the middle of writing the state leaves behind.
    torn = sub / f".state.npz.tmp-{second.pid}-0"
    torn.write_bytes((sub / "state.npz").read_bytes()[:1000])

    third = _start(folder, tmp_path / "third")
    _, stderr = third.communicate(timeout=300)
    assert third.returncode == 0, stderr
    assert _epochs(tmp_path / "third") == [3, 4]
    proba, history = reference
    resumed = json.loads((tmp_path / "third" / "history.json").read_text())
    assert resumed == json.loads(json.dumps(history))
    np.testing.assert_allclose(
        np.load(tmp_path / "third" / "proba.npy"), proba, rtol=0, atol=1e-6
    )
    # No litter: the state and the torn temporary file are gone.
    assert list(folder.iterdir()) == []
