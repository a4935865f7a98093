"""The folders benchmark's files, its measurement of a command and its report.

The results are made up here: the benchmark's commands and fits never run.
"""

import sys

import numpy as np
import pytest
from PIL import Image

from benchmarks import __main__ as runner
from benchmarks import _report, _targets, bench_folders


def folders_result(quick=False):
    """A result shaped like ``bench_folders.run``'s, with made-up figures."""

    def command(files, peak, streamed):
        return {
            "files": files,
            "returncode": 0,
            "wall_s": 81.4,
            "peak_rss_mb": peak,
            "said": (
                ["streaming the images from disk, batch by batch | 1 GB"]
                if streamed
                else []
            ),
            "reported": {"streamed": streamed},
            "streamed": streamed,
            "accuracy": {"CNNClassifier": 0.9, "LogisticRegression": 0.8},
        }

    return {
        "data": {
            "image_size": [128, 128],
            "classes": 4,
            "format": "JPEG, quality 90",
            "write_s": 20.0,
            "small_mb_on_disk": 30.2,
            "large_mb_on_disk": 120.8,
            "large_mb_decoded_uint8": 562.5,
        },
        "compare": {
            "options": ["--memory-budget", "1MB"] if quick else [],
            "small": command(3000, 1500.0, False),
            "large": command(12000, 1700.4, True),
        },
        "compare_added_mb": 200.4,
        "predict": {
            "files": 3000,
            "returncode": 0,
            "wall_s": 30.0,
            "peak_rss_mb": 900.0,
            "rows": 3000,
        },
        "throughput": {
            "images": 3000,
            "image_size": [128, 128],
            "decode": {
                "batch_size": 256,
                "one_thread_images_per_s": 1500.0,
                "all_cores_images_per_s": 2900.0,
                "cores": 2,
            },
            "train": {
                "epochs": 3,
                "in_memory_decode_beforehand_s": 2.0,
                "streamed_epoch_s": 22.0,
                "in_memory_epoch_s": 20.0,
                "streamed_images_per_s": 136.4,
                "in_memory_images_per_s": 150.0,
                "ratio_streamed_to_in_memory": 1.1,
            },
            "predict": {
                "streamed_images_per_s": 400.0,
                "in_memory_images_per_s": 500.0,
                "ratio_streamed_to_in_memory": 1.25,
            },
        },
    }


def test_folders_runs_only_when_named():
    assert runner.BENCHMARKS["folders"] == "bench_folders"
    assert "folders" in runner.OPT_IN
    assert "folders" not in runner.selected(None)
    assert runner.selected(["folders"]) == ["folders"]


def test_quick_mode_is_small():
    assert bench_folders.QUICK["files"] == [200, 400]
    assert bench_folders.QUICK["image_size"] == 64
    assert bench_folders.FULL["files"] == [3000, 12000]
    assert bench_folders.FULL["image_size"] == 128
    assert bench_folders.FULL["memory_budget"] is None  # the command's own


def test_images_are_seeded_per_index_and_differ_by_class():
    first = bench_folders.image(5, 16, 4)
    assert first.shape == (16, 16, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(bench_folders.image(5, 16, 4), first)
    assert not np.array_equal(bench_folders.image(6, 16, 4), first)
    assert not np.array_equal(bench_folders.image(5, 16, 4, seed=1), first)


def test_the_folders_are_class_subfolders_and_the_small_one_is_a_part(tmp_path):
    paths = bench_folders.write_folder(tmp_path / "large", 10, 16, 4)
    assert [p.parent.name for p in paths[:5]] == [
        "class_0",
        "class_1",
        "class_2",
        "class_3",
        "class_0",
    ]
    with Image.open(paths[3]) as img:
        assert (img.format, img.mode, img.size) == ("JPEG", "RGB", (16, 16))
    small = bench_folders.link_folder(tmp_path / "small", paths[:6])
    assert [p.relative_to(tmp_path / "small") for p in small] == [
        p.relative_to(tmp_path / "large") for p in paths[:6]
    ]
    assert all(
        a.read_bytes() == b.read_bytes() for a, b in zip(small, paths[:6], strict=True)
    )
    assert sorted(p.name for p in (tmp_path / "small").iterdir()) == [
        "class_0",
        "class_1",
        "class_2",
        "class_3",
    ]
    assert bench_folders.folder_mb(small) < bench_folders.folder_mb(paths)


def test_measure_command_reads_the_peak_of_the_process(tmp_path):
    # 200 MB touched page by page: the peak holds them, whatever else runs.
    code = "b = bytearray(200 * 2**20); print('done')"
    log = tmp_path / "log.txt"
    row = bench_folders.measure_command([sys.executable, "-c", code], log)
    assert row["returncode"] == 0
    assert row["peak_rss_mb"] >= 200
    assert log.read_text() == "done\n"
    # Not this process's peak (TensorFlow's, under pytest), which Linux
    # would carry over into a command it started itself.
    failed = bench_folders.measure_command(
        [sys.executable, "-c", "raise SystemExit(3)"], log
    )
    assert failed["returncode"] == 3 and failed["peak_rss_mb"] < 200
    missing = bench_folders.measure_command([str(tmp_path / "no-such-program")], log)
    assert missing["returncode"] == 127
    assert "cannot run" in log.read_text()


def test_what_the_command_said_about_streaming():
    output = (
        "loading images from /tmp/x ...\n"
        "scanning: 10/400\rscanning: 400/400\n"
        "streaming the images from disk, batch by batch: in memory they would "
        "take 2.4 GB, more than --memory-budget 1 GB\n"
        "dataset: /tmp/x (4 classes)\n"
        "  train images (320, 64, 64, 3), dtype uint8 (streamed from disk)\n"
    )
    said = bench_folders.what_it_said(output)
    assert said[0].startswith("streaming the images from disk")
    assert said[1].endswith("(streamed from disk)")
    assert len(said) == 2
    assert bench_folders.streamed({}, said) is True
    assert bench_folders.streamed({}, ["the images are not streamed"]) is False
    assert bench_folders.streamed({}, []) is None
    # What results.json says wins over the lines.
    assert bench_folders.streamed({"streamed": False}, said) is False
    assert bench_folders.reported(
        {"streamed": True, "memory_budget_bytes": 10**9, "models": [], "n_train": 3}
    ) == {"streamed": True, "memory_budget_bytes": 10**9}


def test_the_added_peak_needs_both_figures():
    result = folders_result()
    assert bench_folders.added(result["compare"]) == pytest.approx(200.4)
    del result["compare"]["large"]["peak_rss_mb"]
    assert bench_folders.added(result["compare"]) is None


def test_folders_rows():
    rows = _report._rows_with_targets("folders", folders_result())
    cells = {label: (value, targets) for label, value, targets in rows}
    assert rows[0][:2] == (
        "3,000 / 12,000 RGB JPEG files of 128×128 in 4 classes: MB on disk",
        "30 / 121",
    )
    label = (
        "`skcnn compare` on 12,000 files: peak RSS, MB (streamed or in memory; wall s)"
    )
    assert cells[label] == ("1,700 (streamed; 81 s)", ("folders_compare_peak",))
    small = (
        "`skcnn compare` on 3,000 files: peak RSS, MB (streamed or in memory; wall s)"
    )
    assert cells[small][0] == "1,500 (in memory; 81 s)"
    # A "|" would end the table's cell.
    said = cells["what `skcnn compare` said on 12,000 files"][0]
    assert said == "streaming the images from disk, batch by batch \\| 1 GB"
    added = "**`skcnn compare`: peak RSS added from 3,000 to 12,000 files, MB**"
    assert cells[added] == ("**+200**", ("folders_compare_added",))
    predict = "`skcnn predict` on 3,000 files: peak RSS, MB (wall s)"
    assert cells[predict] == ("900 (30 s)", ("folders_predict_peak",))
    ratio = "**epoch time, streamed / decoded beforehand**"
    assert cells[ratio] == ("**1.10**", ("folders_streamed_epoch_ratio",))
    assert cells["**predict time, streamed / decoded beforehand**"][0] == "**1.25**"
    shown = {target for *_, targets in rows for target in targets}
    assert shown == {t.name for t in _targets.TARGETS if t.benchmark == "folders"}


def test_folders_rows_of_a_failed_command_and_a_quick_run():
    result = folders_result(quick=True)
    result["compare"]["large"]["returncode"] = -9
    result["compare_added_mb"] = None
    result["predict"] = {"files": 200, "skipped": "compare saved no model"}
    rows = dict(_report.rows("folders", result))
    assert rows["`skcnn compare` options added"] == "`--memory-budget 1MB`"
    failed = "`skcnn compare` on 12,000 files: peak RSS, MB"
    assert rows[failed] == "failed (exit status -9) at 1,700"
    added = "**`skcnn compare`: peak RSS added from 3,000 to 12,000 files, MB**"
    assert rows[added] == "**no figure**"
    assert rows["`skcnn predict`"] == "skipped: compare saved no model"


def test_the_targets_read_the_result():
    result = {"quick": False, "folders": folders_result()}
    verdicts = {
        target.name: verdict
        for target, _, verdict in _targets.evaluate(result)
        if target.benchmark == "folders"
    }
    assert verdicts == {
        "folders_compare_peak": "met",
        "folders_compare_added": "met",
        "folders_predict_peak": "met",
        "folders_streamed_epoch_ratio": "met",
    }
    result["folders"]["compare_added_mb"] = 300.0
    result["folders"]["throughput"]["train"]["ratio_streamed_to_in_memory"] = 1.4
    missed = {target.name for target, _ in _targets.check(result)}
    assert missed == {"folders_compare_added", "folders_streamed_epoch_ratio"}
