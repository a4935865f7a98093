"""``skcnn compare --checkpoint DIR``: the option, and a killed run resumed."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch

from skcnn.cli import compare
from skcnn.cli._main import build_parser, main
from skcnn.cli._report import Printer

ROOT = Path(__file__).resolve().parents[2]


def _args(*argv):
    args = build_parser().parse_args(["compare", *argv])
    args.check(args.subparser, args)
    return args


def test_checkpoint_reaches_every_cnn(tmp_path):
    folder = tmp_path / "states"
    args = _args(
        "--dataset",
        "digits",
        "--checkpoint",
        str(folder),
        "--backbone",
        "mobilenet_v3_small",
        "--backbone-weights",
        "none",
    )
    bunch = Bunch(images=np.zeros((2, 8, 8), np.uint8), source="digits", pixel_max=16)
    models, cnn_rows = compare._models_to_train(args, bunch, Printer(True))
    assert [models[name][-1].checkpoint for name in cnn_rows[:2]] == [folder] * 2
    assert "checkpoint" not in models[cnn_rows[2]][-2].get_params()  # the embedder
    assert _args("--dataset", "digits").checkpoint is None
    assert not folder.exists()  # made by the first save only


def test_a_checkpoint_naming_a_file_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "taken"
    path.write_text("")
    assert main(["compare", "--dataset", "digits", "--checkpoint", str(path)]) == 2
    assert (
        f"argument --checkpoint: expected a folder, got the file {path}"
        in capsys.readouterr().err
    )


# Runs the command with Checkpoint.save made to wait, after the first state
# is written, until the process is killed: the kill lands at a known point.
_WAIT_AFTER_FIRST_SAVE = """
import sys, time
from pathlib import Path
from skcnn._engine import checkpoints
from skcnn.cli import main

save = checkpoints.Checkpoint.save

def save_then_wait(self, *args):
    save(self, *args)
    Path(sys.argv[1]).write_text("saved")
    while True:
        time.sleep(0.05)

checkpoints.Checkpoint.save = save_then_wait
sys.exit(main(sys.argv[2:]))
"""


def _command(out, folder):
    return [
        "compare",
        "--dataset",
        "digits",
        "--epochs",
        "2",
        "--baselines",
        "knn",
        "--out",
        str(out),
        "--checkpoint",
        str(folder),
    ]


@pytest.mark.slow
def test_a_killed_compare_resumes_when_run_again(tmp_path):
    folder, marker = tmp_path / "states", tmp_path / "saved"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    first = subprocess.Popen(
        [sys.executable, "-c", _WAIT_AFTER_FIRST_SAVE, str(marker)]
        + _command(tmp_path / "first", folder),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        while not marker.exists():
            if first.poll() is not None:
                pytest.fail(f"compare ended early: {first.communicate()[1]}")
            try:
                first.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        first.send_signal(signal.SIGKILL)
        printed, _ = first.communicate(timeout=300)
    finally:
        first.kill()
    assert "epoch 1/2" in printed
    (sub,) = folder.iterdir()
    assert json.loads((sub / "meta.json").read_text())["epoch"] == 1

    again = subprocess.run(
        [sys.executable, "-m", "skcnn", *_command(tmp_path / "again", folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    # Epoch 1 is not trained again; the history goes on from it.
    assert "epoch 1/2" not in again.stdout and "epoch 2/2" in again.stdout
    history = json.loads((tmp_path / "again" / "results.json").read_text())[
        "cnn_history"
    ]
    assert len(history["loss"]) == 2
    first_loss = float(re.search(r"epoch 1/2 .*?\bloss ([0-9.]+)", printed)[1])
    assert round(history["loss"][0], 4) == first_loss
    assert list(folder.iterdir()) == []
