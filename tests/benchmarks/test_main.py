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
