"""The benchmark runner: registry, arguments and failure handling."""

import importlib
import types

import pytest

from benchmarks import __main__ as runner


def test_every_registered_benchmark_has_run_and_matching_settings():
    for name, module_name in runner.BENCHMARKS.items():
        module = importlib.import_module(f"benchmarks.{module_name}")
        assert callable(module.run), name
        # FULL and QUICK settings are optional, and alike when given.
        quick, full = getattr(module, "QUICK", {}), getattr(module, "FULL", {})
        assert set(quick) == set(full), name


def test_only_accepts_registered_names(capsys):
    args = runner.parse_args(["--quick", "--only", "memory", "training"])
    assert args.quick and args.only == ["memory", "training"]
    with pytest.raises(SystemExit):
        runner.parse_args(["--only", "memroy"])
    assert "invalid choice: 'memroy'" in capsys.readouterr().err


def test_default_output_names_quick_and_partial_runs():
    assert runner.default_out("2026-01-01", False, None).name == "2026-01-01.json"
    out = runner.default_out("2026-01-01", True, ["memory", "training"])
    assert out.name == "2026-01-01-quick-memory-training.json"
    assert out.parent.name == "results"


def test_a_failing_benchmark_is_recorded_not_raised(monkeypatch, capsys):
    def run(quick):
        raise RuntimeError("no data")

    fake = types.SimpleNamespace(run=run, QUICK={"n": 1}, FULL={"n": 2})
    monkeypatch.setitem(runner.BENCHMARKS, "fake", "fake_module")
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    result, seconds, config = runner.run_one("fake", quick=True)
    assert result == {"error": "RuntimeError: no data"}
    assert config == {"n": 1}
    assert seconds["wall"] >= 0 and seconds["cpu"] >= 0
    assert "no data" in capsys.readouterr().err


def test_tuning_runs_only_when_named():
    assert "tuning" in runner.BENCHMARKS and "tuning" in runner.OPT_IN
    default = runner.selected(None)
    assert "tuning" not in default and "training" in default
    assert runner.selected(["tuning", "memory"]) == ["memory", "tuning"]


def test_tuning_configurations_are_chosen_with_only_tuning(capsys):
    args = runner.parse_args(["--only", "tuning", "--configurations", "dense512"])
    assert args.configurations == ["dense512"]
    with pytest.raises(SystemExit):
        runner.parse_args(["--configurations", "dense512"])
    assert "--configurations needs --only tuning" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        runner.parse_args(["--only", "tuning", "--configurations", "dense1024"])


def test_results_is_for_a_stored_run_only(capsys):
    assert runner.parse_args(["--check", "--results", "r.json"]).check
    with pytest.raises(SystemExit):
        runner.parse_args(["--results", "r.json", "--quick"])
    assert "--results reports on a stored run" in capsys.readouterr().err


def test_run_one_hands_options_over_and_records_them(monkeypatch):
    calls = []

    def run(quick, configurations=None):
        calls.append((quick, configurations))
        return {"ok": 1}

    fake = types.SimpleNamespace(run=run, QUICK={"n": 1}, FULL={"n": 2})
    monkeypatch.setitem(runner.BENCHMARKS, "fake", "fake_module")
    monkeypatch.setattr(importlib, "import_module", lambda name: fake)
    result, _, config = runner.run_one("fake", False, {"configurations": ["a"]})
    assert result == {"ok": 1} and calls == [(False, ["a"])]
    assert config == {"n": 2, "configurations": ["a"]}


def test_tuning_refuses_unknown_configurations():
    from benchmarks import bench_tuning

    with pytest.raises(ValueError, match=r"unknown tuning configurations \['x'\]"):
        bench_tuning.run(True, configurations=["x"])


def test_tuning_without_the_data_files(monkeypatch):
    from benchmarks import _mnist_train, bench_tuning

    monkeypatch.setattr(_mnist_train, "find_folder", lambda: None)
    assert "no MNIST training files" in bench_tuning.run(False)["skipped"]
    X, y, source = bench_tuning._data(quick=True)  # the sample that ships
    assert X.shape == (5000, 784) and len(y) == 5000 and "sample" in source
