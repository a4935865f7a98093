"""The Markdown and JSON reports of the benchmark results."""

import json

from benchmarks import _report

MACHINE = {
    "date": "2026-01-01",
    "cpu_count": 2,
    "processor": "cpu",
    "platform": "linux",
    "gpus": [],
    "tensorflow": "2",
    "keras": "3",
}


def test_unknown_benchmark_gets_one_row_per_number():
    result = {"images": 10, "seconds": {"decode": 0.5, "resize": 1.25}, "raw": [1, 2]}
    rows = _report.rows("new_benchmark", result)
    assert rows == [
        ("new benchmark: images", "10"),
        ("new benchmark: seconds, decode", "0.5"),
        ("new benchmark: seconds, resize", "1.25"),
    ]


def test_failed_and_skipped_benchmarks_say_so():
    assert _report.rows("memory", {"error": "RuntimeError: boom"}) == [
        ("memory", "failed: RuntimeError: boom")
    ]
    (row,) = _report.rows("full_scale", {"skipped": "no files"})
    assert row[1] == "skipped: no files"


def test_full_scale_rows_show_time_to_target():
    model = {"accuracy": 0.991, "fit_s": 100.0, "time_to_target_s": 40.0}
    never = {"accuracy": 0.92, "fit_s": 30.0, "time_to_target_s": None}
    result = {
        "train": 50000,
        "validation": 10000,
        "target": 0.99,
        "models": {"cnn": model, "logreg": never},
        "default_time_to_target_over_tutorial_fit": 0.5,
    }
    rows = dict(_report.rows("full_scale", result))
    cnn, logreg = (
        value for label, value in rows.items() if "cnn" in label or "logreg" in label
    )
    assert cnn == "0.9910 (100 s; 40 s)"
    assert logreg == "0.9200 (30 s; not reached)"
    assert "**0.50**" in rows.values()


def test_other_shapes_rows():
    result = {
        "digits": {
            "folds": 5,
            "accuracy_mean": 0.9712,
            "accuracy_std": 0.004,
            "cv_s": 61.2,
        },
        "colour_32": {
            "images": 50000,
            "epoch_s": 11.26,
            "auto_epochs": 15,
            "default_fit_s_estimate": 168.9,
        },
    }
    (digits, label_d), (colour, label_c) = (
        (value, label) for label, value in _report.rows("other_shapes", result)
    )
    assert digits == "0.9712 (± 0.0040; 61 s)" and "5-fold" in label_d
    assert colour == "11.3 (15, 169 s)" and "50,000" in label_c


def test_markdown_lists_the_benchmarks_run_in_order(tmp_path):
    results = {
        "quick": True,
        "machine": MACHINE,
        "repeated_fits": {
            "fits": 2,
            "skcnn_growth_mb": 1.0,
            "keras_growth_mb": 9.0,
            "ratio_skcnn_to_keras": 0.1,
        },
        "new": {"value": 3},
    }
    text = _report.markdown(results, ["new", "repeated_fits", "absent"])
    lines = text.splitlines()
    assert "(quick mode: small data, targets not checked)" in lines[0]
    assert "no GPU" in lines[0]
    assert lines[2] == "| measurement | value | target |"
    assert lines[4] == "| new: value | 3 |  |"
    assert lines[5].endswith("| 1 / 9 | ≤ 100 MB |")
    assert lines[6].endswith("| **0.10** | ≤ 1 |")
    assert len(lines) == 7
    _report.write_json(results, tmp_path / "sub" / "r.json")
    assert json.loads((tmp_path / "sub" / "r.json").read_text()) == results


def test_tuning_rows_show_each_seed_and_the_mean():
    config = {
        "params": {"dense_units": 128, "filters": [24, 48, 64]},
        "epochs": 12,
        "accuracy": [0.9952, 0.9957, 0.9947],
        "mean_accuracy": 0.9952,
        "fit_s": [100.0, 101.0, 99.0],
    }
    result = {
        "data": "folder",
        "train": 50000,
        "validation": 10000,
        "seeds": [0, 1, 2],
        "configurations": {"filters24": config, "dense512": dict(config, params={})},
    }
    (label, value), (defaults, _) = _report.rows("tuning", result)
    assert "`dense_units=128, filters=(24, 48, 64)`, 12 epochs" in label
    assert "splits and seeds 0, 1, 2" in label
    assert value == "99.52 / 99.57 / 99.47 % (99.52 %)"
    assert "`defaults`" in defaults
    (row,) = _report.rows("tuning", {"skipped": "no files"})
    assert row == ("tuning", "skipped: no files")


def test_image_loading_rows():
    workload = {
        "files": 100,
        "n_jobs_1_vs_pillow_loop": 1.5,
        "n_jobs_2_vs_pillow_loop": 2.25,
    }
    for name in ("pillow_loop", "n_jobs_1", "n_jobs_2", "fit_headers"):
        workload[f"{name}_images_per_s"] = 1234.5
    result = {"png_28": workload, "jpeg_256_to_64": workload, "config": {}}
    rows = _report.rows("image_loading", result)
    assert len(rows) == 10
    assert rows[0] == (
        "100 28×28 grayscale PNG files: a plain Pillow loop, images/s",
        "1,234",
    )
    assert rows[4][1] == "**1.50 / 2.25**"
