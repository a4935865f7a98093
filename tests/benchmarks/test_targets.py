"""The targets, their verdicts and ``python -m benchmarks --check``.

The results are made up here (or a stored run with figures changed): the
check is about the thresholds, not about any real measurement.
"""

import copy
import json

import pytest

from benchmarks import __main__ as runner
from benchmarks import _report, _targets
from benchmarks._common import ROOT
from tests.benchmarks.test_folders import folders_result

STORED = ROOT / "benchmarks" / "results" / "2026-11-22.json"


def _met():
    """A full run that meets every target and goal, with only their figures."""
    defaults = _targets.DEFAULTS
    return {
        "quick": False,
        "training": {"ratio_skcnn_to_raw": 0.9},
        "prediction": {
            "ratio_skcnn_to_compiled_call": 1.1,
            "batched_ratio_skcnn_to_keras": 0.5,
            "latency_ms_one_image": {"skcnn_predict": 1.0},
        },
        "memory": {"peak_extra_over_float32": 1.2},
        "repeated_fits": {"ratio_skcnn_to_keras": 0.1, "skcnn_growth_mb": 20.0},
        "grid_search": {"ratio_n_jobs_2_to_1": 0.9},
        "full_scale": {
            "default_time_to_target_over_tutorial_fit": 0.3,
            "models": {defaults: {"fit_s": 120.0}},
        },
        "accuracy": {"models": {defaults: {"accuracy": 0.99, "fit_s": 40.0}}},
        "tuning": {"configurations": {"dense512": {"mean_accuracy": 0.996}}},
        "folders": {
            "compare": {"large": {"peak_rss_mb": 1800.0}},
            "compare_added_mb": 120.0,
            "predict": {"peak_rss_mb": 1100.0},
            "throughput": {"train": {"ratio_streamed_to_in_memory": 1.1}},
        },
    }


def _stored():
    return json.loads(STORED.read_text())


def test_every_target_is_met_by_a_run_that_meets_them():
    results = _met()
    assert all(verdict == "met" for _, _, verdict in _targets.evaluate(results)), (
        _targets.evaluate(results)
    )
    assert _targets.check(results) == []


def test_a_missed_ratio_fails_the_check():
    results = _met()
    results["training"]["ratio_skcnn_to_raw"] = 1.2
    results["memory"]["peak_extra_over_float32"] = 1.5  # on the threshold: met
    missed = _targets.check(results)
    assert [(target.name, value) for target, value in missed] == [
        ("training_ratio", 1.2)
    ]


def test_never_reaching_99_percent_misses_the_time_to_99_target():
    results = _met()
    results["full_scale"]["default_time_to_target_over_tutorial_fit"] = None
    assert _targets.verdict(_targets.BY_NAME["time_to_99_ratio"], results) == "missed"
    assert [t.name for t, _ in _targets.check(results)] == ["time_to_99_ratio"]


def test_missed_time_goals_are_reported_never_checked():
    results = _met()
    results["prediction"]["latency_ms_one_image"]["skcnn_predict"] = 40.0
    results["accuracy"]["models"][_targets.DEFAULTS]["fit_s"] = 600.0
    goal = _targets.BY_NAME["predict_one_ms"]
    assert not goal.checked and _targets.verdict(goal, results) == "missed"
    assert _targets.check(results) == []
    assert {t.kind for t in _targets.TARGETS if not t.checked} == {"time"}


def test_a_quick_run_is_never_checked():
    results = _met()
    results["quick"] = True
    results["training"]["ratio_skcnn_to_raw"] = 5.0
    assert _targets.check(results) == []


def test_benchmarks_not_run_failed_or_skipped_are_not_measured():
    results = _met()
    del results["tuning"]
    results["grid_search"] = {"error": "RuntimeError: boom"}
    results["full_scale"] = {"skipped": "no files"}
    verdicts = {t.name: v for t, _, v in _targets.evaluate(results)}
    for name in (
        "tuning_defaults_accuracy",
        "grid_search_ratio",
        "time_to_99_ratio",
        "full_fit_s",
    ):
        assert verdicts[name] == "not measured"
    assert _targets.check(results) == []


def test_every_target_is_shown_on_a_row_of_the_report():
    results = _stored()
    results["tuning"] = {
        "data": "x",
        "train": 50000,
        "validation": 10000,
        "seeds": [0, 1, 2],
        "configurations": {
            "dense512": {
                "params": {"dense_units": 512},
                "epochs": 15,
                "accuracy": [0.9958, 0.996, 0.9953],
                "mean_accuracy": 0.9957,
                "fit_s": [1.0, 1.0, 1.0],
            }
        },
    }
    results["folders"] = folders_result()
    shown = {
        target
        for name in runner.BENCHMARKS
        if name in results  # benchmarks without targets may be absent
        for *_, targets in _report._rows_with_targets(name, results[name])
        for target in targets
    }
    assert shown == set(_targets.BY_NAME)


def test_the_stored_run_holds_every_target_path_of_its_benchmarks():
    results = _stored()
    for target in _targets.TARGETS:
        if target.benchmark in results:
            value = _targets.value(target, results)
            assert value is not _targets.NOT_MEASURED, target.name


def test_report_marks_targets_met_or_missed_and_not_for_quick_runs():
    results = _stored()
    results["training"]["ratio_skcnn_to_raw"] = 1.2
    text = _report.markdown(results, ["training", "prediction"])
    assert "| **1.200** | ≤ 1.03: **missed** |" in text
    assert "| **1.05** | ≤ 1.3: met |" in text
    assert "≤ 1.5 ms: **missed** (a time: not checked)" in text
    results["quick"] = True
    text = _report.markdown(results, ["training"])
    assert "targets not checked" in text.splitlines()[0]
    assert text.endswith("| **1.200** | ≤ 1.03 |")


def _write(tmp_path, results):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results))
    return str(path)


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        (lambda r: None, 0, "check passed"),
        (lambda r: r["grid_search"].update(ratio_n_jobs_2_to_1=1.4), 1, "missed"),
        (
            lambda r: r["full_scale"].update(
                default_time_to_target_over_tutorial_fit=None
            ),
            1,
            "time_to_99_ratio",
        ),
        (
            lambda r: (
                r.update(quick=True) or r["grid_search"].update(ratio_n_jobs_2_to_1=1.4)
            ),
            0,
            "quick run: not checked",
        ),
    ],
    ids=["met", "missed", "not-reached", "quick"],
)
def test_check_of_a_stored_run(tmp_path, capsys, change, status, message):
    results = copy.deepcopy(_stored())
    change(results)
    path = _write(tmp_path, results)
    assert runner.main(["--check", "--results", path]) == status
    out, err = capsys.readouterr()
    assert message in err
    assert out.startswith("Measured 2026-11-22")


def test_results_without_check_only_reports(tmp_path, capsys):
    results = _stored()
    results["training"]["ratio_skcnn_to_raw"] = 2.0
    assert runner.main(["--results", _write(tmp_path, results)]) == 0
    assert "**missed**" in capsys.readouterr().out
