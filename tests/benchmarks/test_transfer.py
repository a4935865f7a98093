"""The transfer benchmark's draws of few-shot images and its report rows.

The labels and results are made up here: the benchmark's fits never run.
"""

import numpy as np
import pytest

from benchmarks import __main__ as runner
from benchmarks import _report, bench_transfer


def _labels():
    # 40 images of each digit, in an order that is not sorted by digit.
    return np.tile(np.arange(10), 40)


def test_transfer_runs_only_when_named():
    assert "transfer" in runner.BENCHMARKS and "transfer" in runner.OPT_IN
    assert "transfer" not in runner.selected(None)
    assert runner.default_out("2026-01-01", False, ["transfer"]).name == (
        "2026-01-01-transfer.json"
    )


def test_the_held_out_images_and_the_pool_split_digits_5_to_9():
    y = _labels()
    evaluation, pool = bench_transfer.split_transfer(y, 50)
    assert len(evaluation) == 50 and len(pool) == 150
    assert not set(evaluation) & set(pool)
    assert set(y[evaluation]) == set(y[pool]) == set(bench_transfer.TRANSFER_DIGITS)
    np.testing.assert_array_equal(np.bincount(y[evaluation])[5:], np.full(5, 10))
    again, _ = bench_transfer.split_transfer(y, 50)
    np.testing.assert_array_equal(again, evaluation)


def test_draws_are_fixed_per_seed_nested_and_from_the_pool():
    y = _labels()
    _, pool = bench_transfer.split_transfer(y, 50)
    ten = bench_transfer.draw(y, pool, 10, seed=1)
    np.testing.assert_array_equal(np.bincount(y[ten])[5:], np.full(5, 10))
    assert set(ten) <= set(pool)
    np.testing.assert_array_equal(bench_transfer.draw(y, pool, 10, seed=1), ten)
    assert set(bench_transfer.draw(y, pool, 10, seed=2)) != set(ten)
    # For one seed, the smaller draw is part of the larger one.
    assert set(bench_transfer.draw(y, pool, 3, seed=1)) <= set(ten)
    with pytest.raises(ValueError, match="only 30 images of digit 5 to draw 31"):
        bench_transfer.draw(y, pool, 31, seed=0)


def _summary(accuracy, fit_s):
    return {
        "accuracy": [accuracy] * 3,
        "mean_accuracy": accuracy,
        "std_accuracy": 0.0123,
        "fit_s": [fit_s] * 3,
        "mean_fit_s": fit_s,
    }


def _result():
    cell = {"fine_tune_learning_rate": 0.001, "fine_tune_epochs": 5}
    return {
        "device": "CPU",
        "load_average": [1.0, 2.5, 3.0],
        "few_shot": {
            "data": "folder",
            "pretraining": {
                "digits": [0, 1, 2, 3, 4],
                "images": 29596,
                "epochs": 5,
                "fit_s": 81.4,
                "holdout": 1000,
                "holdout_accuracy": 0.9961,
                "features": 576,
            },
            "transfer_digits": [5, 6, 7, 8, 9],
            "evaluation": 5000,
            "draws": [0, 1, 2],
            "fine_tune_defaults": {
                "fine_tune_epochs": 10,
                "fine_tune_learning_rate": 0.0003,
            },
            "methods": {
                method: {"10": _summary(0.9, 4.25), "50": _summary(0.95, 8.0)}
                for method in bench_transfer.METHODS
            },
            "grid": {
                "10": {
                    "cells": [{**cell, **_summary(0.91, 3.0)}],
                    "best": {**cell, "mean_accuracy": 0.91},
                }
            },
        },
        "backbones": {
            "image_size": 224,
            "weights": None,
            "embed_images": 64,
            "embed_batch_size": 32,
            "train_batch_size": 16,
            "train_steps": 2,
            "predict_repeats": 10,
            "families": {
                "mobilenet_v2": {
                    "parameters": 2257984,
                    "fine_tune_trainable_parameters": 2223872,
                    "features": 1280,
                    "embed_images_per_s": 28.94,
                    "fine_tune_images_per_s": 22.1,
                    "predict_one_ms": 31.2,
                    "seconds": 40.0,
                },
                "resnet50": {"error": "RuntimeError: out of memory"},
            },
        },
    }


def test_transfer_rows():
    rows = _report.rows("transfer", _result())
    assert len(rows) == 1 + 2 * 4 + 2 + 2 + 1 + 1
    label, value = rows[0]
    assert "`CNNClassifier(epochs=5)` on 29,596 images of digits 0–4" in label
    assert value == "0.9961 (81 s)"
    label, value = rows[1]
    assert label.startswith("digits 5–9, 10 per class (3 draws, scored on 5,000")
    assert "`CNNClassifier()` from scratch" in label
    assert value == "0.9000 ± 0.0123 (4.2 s)"
    assert rows[5][0].startswith("digits 5–9, 50 per class")
    label, value = rows[9]
    assert "`fine_tune_learning_rate=0.001, fine_tune_epochs=5`" in label
    assert value == "0.9100 ± 0.0123 (3.0 s)"
    assert rows[10][1] == (
        "**`fine_tune_learning_rate=0.001, fine_tune_epochs=5` (0.9100)**"
    )
    assert rows[11] == (
        "`mobilenet_v2` at 224×224, random weights: parameters (trained when "
        "fine-tuning) / features",
        "2,257,984 (2,223,872) / 1,280",
    )
    assert rows[12][1] == "28.9 / 22.1; 31"
    assert "(batch 32) / fine-tuning (batch 16)" in rows[12][0]
    assert rows[13] == ("`resnet50`", "failed: RuntimeError: out of memory")
    assert rows[14][1] == "1.0 / 2.5 / 3.0"


def test_transfer_rows_without_the_mnist_files():
    result = _result()
    result["few_shot"] = {"skipped": "no MNIST training files found"}
    rows = _report.rows("transfer", result)
    assert rows[0] == (
        "transfer: few-shot MNIST",
        "skipped: no MNIST training files found",
    )
    assert rows[1][0].startswith("`mobilenet_v2` at 224×224")


def test_few_shot_is_skipped_without_the_data_files(monkeypatch):
    from benchmarks import _mnist_train

    monkeypatch.setattr(_mnist_train, "find_folder", lambda: None)
    skipped = bench_transfer.few_shot(bench_transfer.FULL, quick=False)
    assert "no MNIST training files" in skipped["skipped"]
