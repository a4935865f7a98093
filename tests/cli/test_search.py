"""``skcnn search`` end to end on tiny settings."""

import json

import pytest

from skcnn.cli import main

# Each test runs a cross-validated grid search of CNN fits.
pytestmark = pytest.mark.slow


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
    for candidate in results["candidates"]:
        row = (
            f"| {candidate['filters']} | {candidate['dropout']:.2f} | "
            f"{candidate['mean']:.4f} |"
        )
        assert row in printed


def test_search_on_a_folder(tmp_path, digit_tree, capsys):
    argv = ["search", "--dataset", str(digit_tree), "--filters", "4", "--dropout"]
    argv += ["0", "--cv", "2", "--epochs", "1", "--out", str(tmp_path), "--quiet"]
    assert main(argv) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["dataset"] == str(digit_tree)
    assert len(results["candidates"]) == 1
    assert 0.0 <= results["test_accuracy"] <= 1.0
    assert "| (4,) | 0.00 |" in capsys.readouterr().out
