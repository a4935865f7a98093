"""``skcnn compare`` on folders of image files, ``--save`` and a new process."""

import contextlib
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from skcnn.cli import compare, main
from skcnn.io import load
from tests.cli._trees import write_digit_tree


def _run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _table_accuracies(text):
    return {
        name: float(accuracy)
        for name, accuracy in re.findall(r"^\| (\w+) \| ([0-9.]+) \|", text, re.M)
    }


@pytest.fixture(scope="module")
def tree_run(tmp_path_factory, digit_tree):
    """compare --save on the train/ + test/ tree; also the model object saved."""
    out = tmp_path_factory.mktemp("tree_run")
    saved = {}
    original = compare._save_model

    def spy(model, path):
        saved["model"] = model
        return original(model, path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare, "_save_model", spy)
        code, printed, err = _run_main(
            [
                "compare",
                "--dataset",
                str(digit_tree),
                "--epochs",
                "2",
                "--out",
                str(out / "results"),
                "--save",
                str(out / "models" / "digits.skcnn"),
            ]
        )
    assert code == 0, err
    return printed, err, out, saved["model"]


@pytest.mark.slow
def test_folder_split_and_results(tree_run, digit_tree):
    printed, err, out, _ = tree_run
    assert "train images (90, 8, 8, 1), test images (30, 8, 8, 1)" in printed
    assert "loading images: 90/90" in err  # the progress line, on stderr
    results = json.loads((out / "results" / "results.json").read_text())
    assert results["dataset"] == str(digit_tree)
    assert (results["n_train"], results["n_test"]) == (90, 30)
    assert results["image_shape"] == [8, 8, 1]
    assert results["saved_model"] == str(out / "models" / "digits.skcnn")
    saved = out / "models" / "digits.skcnn"
    assert f"(use it with skcnn predict {saved} FILES)" in printed
    for picture in results["pictures"].values():
        assert (out / "results" / picture).stat().st_size > 1000


@pytest.mark.slow
def test_printed_accuracies_match_results_report_and_the_saved_model(
    tree_run, digit_tree
):
    printed, _, out, _ = tree_run
    results = json.loads((out / "results" / "results.json").read_text())
    written = {m["model"]: round(m["accuracy"], 4) for m in results["models"]}
    assert _table_accuracies(printed) == written
    assert _table_accuracies((out / "results" / "report.md").read_text()) == written
    # Recompute the CNN's accuracy from the saved file pipeline.
    model = load(out / "models" / "digits.skcnn")
    files = sorted((digit_tree / "test").rglob("*.png"))
    truth = [f.parent.name for f in files]
    accuracy = np.mean(model.predict([str(f) for f in files]) == truth)
    assert results["models"][0] == {**results["models"][0], "accuracy": accuracy}


@pytest.mark.slow
def test_saved_model_takes_files_and_predicts_class_names(tree_run):
    _, _, out, model = tree_run
    assert [name for name, _ in model.steps] == [
        "imageloader",
        "pixelscaler",
        "cnnclassifier",
    ]
    assert model[0].image_size_ == (8, 8) and model[0].color_mode_ == "grayscale"
    assert model.classes_.tolist() == ["one", "two", "zero"]
    assert model[-1].get_params()["fit__callbacks"] is None


@pytest.mark.slow
def test_a_new_process_predicts_what_the_trained_pipeline_predicts(
    tree_run, digit_tree
):
    _, _, out, model = tree_run
    files = [str(f) for f in sorted((digit_tree / "test").rglob("*.png"))]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skcnn",
            "predict",
            str(out / "models" / "digits.skcnn"),
            str(digit_tree / "test"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    proba = model.predict_proba(files)
    assert [row["path"] for row in rows] == files
    assert [row["label"] for row in rows] == model.predict(files).tolist()
    assert [row["probability"] for row in rows] == proba.max(axis=1).tolist()


@pytest.mark.slow
def test_stratified_split_resized_images_and_a_broken_file(tmp_path):
    root = tmp_path / "flat"
    files = write_digit_tree(root, n_train=16, n_test=4, split=False)
    for path in files[::2]:  # half of them 12x12: mixed sizes
        Image.open(path).resize((12, 12)).save(path)
    (root / "one" / "broken.png").write_bytes(b"not a png")
    argv = ["compare", "--dataset", str(root), "--out", str(tmp_path / "out")]

    # Without --image-size, the images' median size: 10x10.
    code, printed, err = _run_main([*argv, "--test-size", "0.25", "--epochs", "1"])
    assert code == 0, err
    assert "image size: 10x10, their median height and width (the images come " in (
        printed
    )
    assert "skcnn: warning: Skipped 1 unreadable image file" in err
    assert "broken.png" in err
    assert "train images (45, 10, 10, 1), test images (15, 10, 10, 1)" in printed
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert (results["n_train"], results["n_test"]) == (45, 15)
    assert results["loading"]["rule"] == "median"


@pytest.mark.parametrize(
    "layout, message",
    [
        ({"cat": 3}, "needs at least two classes"),
        ({"cat": 3, "dog": 1}, "at least 2 images per class"),
        ({}, "is empty"),
    ],
)
def test_unusable_folders_exit_1(layout, message, tmp_path):
    for name, count in layout.items():
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.new("L", (8, 8), 10 * i).save(tmp_path / name / f"{i}.png")
    code, _, err = _run_main(["compare", "--dataset", str(tmp_path), "--quiet"])
    assert code == 1
    assert "skcnn: error: " in err and message in err.splitlines()[-1]
    assert "Traceback" not in err


def test_folder_options_are_checked_before_any_work(digit_tree, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (["--dataset", "digits", "--image-size", "8", "8"], "folder datasets only"),
        (["--dataset", "digits", "--test-size", "0.3"], "folder datasets only"),
        (["--dataset", str(digit_tree), "--test-size", "0.3"], "train/ and test/"),
        (["--dataset", str(digit_tree), "--image-size", "8"], "'28 28' or 28x28"),
        (["--dataset", str(digit_tree), "--image-size", "0x8"], "'28 28' or 28x28"),
        (["--dataset", str(digit_tree), "--test-size", "1.5"], "between 0 and 1"),
        (["--dataset", str(a_file)], "or a folder of images, got the file"),
        (["--dataset", str(tmp_path / "nothing")], "no such folder exists either"),
        (["--save", str(tmp_path)], "expected a file path, got the folder"),
    ]
    for argv, message in cases:
        code, _, err = _run_main(["compare", *argv])
        assert (code, message in err) == (2, True), (argv, err)


def test_image_size_takes_two_numbers_or_hxw():
    from skcnn.cli import build_parser

    for argv in (["--image-size", "24", "32"], ["--image-size", "24x32"]):
        args = build_parser().parse_args(["compare", *argv])
        assert args.image_size == (24, 32)
