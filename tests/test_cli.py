"""The ``skcnn`` command, end to end on tiny settings."""

import json
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
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_compare_end_to_end(tmp_path, capsys):
    out = tmp_path / "results"
    code = main(
        [
            "compare",
            "--dataset",
            "digits",
            "--epochs",
            "2",
            "--baselines",
            "logreg,knn",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert (
        "train images (1437, 8, 8)" in printed or "train images (1437, 64)" in printed
    )
    assert "epoch 2/2" in printed  # progress per epoch
    assert "| model | accuracy | fit s | predict ms/image |" in printed
    for name in ("CNNClassifier", "LogisticRegression", "KNeighborsClassifier"):
        assert f"| {name} |" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["dataset"] == "digits"
    assert results["n_train"] == 1437 and results["n_test"] == 360
    assert [m["model"] for m in results["models"]] == [
        "CNNClassifier",
        "LogisticRegression",
        "KNeighborsClassifier",
    ]
    for model in results["models"]:
        assert 0.0 <= model["accuracy"] <= 1.0
        assert model["fit_seconds"] > 0 and model["predict_ms_per_image"] > 0
    assert len(results["cnn_history"]["loss"]) == 2
    report = (out / "report.md").read_text()
    expected = {
        "samples",
        "class_distribution",
        "training_curves",
        "confusion_matrix",
        "misclassified",
        "filters",
        "comparison",
    }
    assert set(results["pictures"]) == expected
    for picture in results["pictures"].values():
        assert (out / picture).stat().st_size > 1000
        assert f"]({picture})" in report


def test_compare_quiet_prints_only_the_table(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                "--dataset",
                "digits",
                "--epochs",
                "1",
                "--quiet",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "epoch" not in printed and "training" not in printed
    assert "| CNNClassifier |" in printed


def test_search_end_to_end(tmp_path, capsys):
    code = main(
        [
            "search",
            "--dataset",
            "digits",
            "--filters",
            "4",
            "6,8",
            "--dropout",
            "0",
            "0.25",
            "--cv",
            "2",
            "--epochs",
            "1",
            "--out",
            str(tmp_path),
            "--quiet",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "mean CV accuracy" in printed and "best parameters" in printed
    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results["candidates"]) == 4
    assert sorted(c["rank"] for c in results["candidates"])[0] == 1
    assert {str(tuple(results["best_params"]["filters"]))} <= {"(4,)", "(6, 8)"}
    assert (tmp_path / "heatmap.png").stat().st_size > 1000


def test_missing_dataset_is_a_short_error(monkeypatch, capsys):
    from skcnn.datasets import _download as datasets

    def offline(*args, **kwargs):
        raise datasets.DatasetDownloadError("cannot reach the server")

    monkeypatch.setattr(datasets, "download", offline)
    assert main(["compare", "--dataset", "mnist", "--out", "unused"]) == 1
    assert "skcnn: error: cannot reach the server" in capsys.readouterr().err


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
    )
    try:
        for line in process.stdout:
            if "epoch 1/200" in line:
                break
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "skcnn: interrupted" in stderr
    assert "Traceback" not in stderr
