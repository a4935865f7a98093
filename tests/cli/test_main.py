"""The ``skcnn`` parser, exit codes and interruption."""

import os
import signal
import subprocess
import sys

import pytest

from skcnn.cli import build_parser, main


def _run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "skcnn", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_help_and_version():
    result = _run("--help")
    assert result.returncode == 0
    assert "compare" in result.stdout and "search" in result.stdout
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.startswith("skcnn ")


def test_epochs_option_takes_auto_or_a_count():
    assert build_parser().parse_args(["compare"]).epochs == "auto"
    assert build_parser().parse_args(["compare", "--epochs", "auto"]).epochs == "auto"
    assert build_parser().parse_args(["compare", "--epochs", "7"]).epochs == 7


@pytest.mark.parametrize(
    "argv, message",
    [
        (["compare", "--epochs", "0"], "expected a positive integer or 'auto'"),
        (["compare", "--epochs", "lots"], "expected a positive integer or 'auto'"),
        (["compare", "--baselines", "logreg,forest"], "unknown baseline 'forest'"),
        (["compare", "--dataset", "imagenet"], "invalid choice: 'imagenet'"),
        (["search", "--filters", "16,x"], "expected filters like 16,32"),
        (["search", "--dropout", "1.5"], "expected a dropout in [0, 1)"),
        (["search", "--cv", "-2"], "expected a positive integer"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_missing_dataset_is_a_short_error(monkeypatch, capsys):
    from skcnn.datasets import _download as datasets

    def offline(*args, **kwargs):
        raise datasets.DatasetDownloadError("cannot reach the server")

    monkeypatch.setattr(datasets, "download", offline)
    assert main(["compare", "--dataset", "mnist", "--out", "unused"]) == 1
    assert "skcnn: error: cannot reach the server" in capsys.readouterr().err


def _default_sigint():
    # A shell without job control starts background commands with SIGINT
    # ignored, and Python then installs no KeyboardInterrupt handler: a suite
    # run as ``pytest &`` would hand that on to the command under test, which
    # would rightly ignore the signal. Start the command the way a terminal
    # does, with the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skcnn",
            "compare",
            "--dataset",
            "digits",
            "--epochs",
            "200",
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        preexec_fn=_default_sigint,
    )
    try:
        for line in process.stdout:
            if "epoch 1/200" in line:
                break
        process.send_signal(signal.SIGINT)
        # The interrupt lands between training steps; allow for a slow,
        # shared machine (the test checks the clean exit, not its speed).
        _, stderr = process.communicate(timeout=300)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "skcnn: interrupted" in stderr
    assert "Traceback" not in stderr
