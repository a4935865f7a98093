"""``skcnn predict``: rows, formats, batches and every kind of bad input."""

import csv
import io
import json
import os
import zipfile

import joblib
import numpy as np
import pytest
from PIL import Image

from skcnn.cli import main


def _predict(capsys, *argv):
    code = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _expected(model, files):
    """(labels, probabilities) the pipeline object gives in this process."""
    proba = model.predict_proba([str(f) for f in files])
    labels = model.classes_[proba.argmax(axis=1)]
    return labels.tolist(), proba.max(axis=1).astype(float).tolist()


def _test_files(digit_tree):
    return sorted((digit_tree / "test").rglob("*.png"))


def test_csv_rows_match_the_pipeline(safe_file_model, digit_tree, capsys):
    path, model = safe_file_model
    code, out, err = _predict(capsys, path, digit_tree / "test", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    files = _test_files(digit_tree)
    assert [row["path"] for row in rows] == [str(f) for f in files]
    labels, probabilities = _expected(model, files)
    assert [row["label"] for row in rows] == labels
    assert [float(row["probability"]) for row in rows] == probabilities
    assert set(labels) <= {"zero", "one", "two"}


def test_json_and_table_formats(safe_file_model, digit_tree, capsys):
    path, model = safe_file_model
    files = _test_files(digit_tree)[:3]
    code, out, _ = _predict(capsys, path, *files, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    labels, probabilities = _expected(model, files)
    assert rows == [
        {"path": str(f), "label": label, "probability": p}
        for f, label, p in zip(files, labels, probabilities, strict=True)
    ]
    code, out, _ = _predict(capsys, path, *files)  # table is the default
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["path", "label", "probability"]
    assert len(lines) == 2 + len(files)
    for line, f, label, p in zip(lines[2:], files, labels, probabilities, strict=True):
        assert line.split() == [str(f), label, f"{p:.4f}"]


def test_batches_show_progress_and_give_the_same_rows(
    safe_file_model, digit_tree, capsys
):
    path, _ = safe_file_model
    folder = digit_tree / "test"
    _, whole, err = _predict(capsys, path, folder, "--format", "csv")
    assert "predicting" not in err  # one batch: no progress line
    code, batched, err = _predict(
        capsys, path, folder, "--format", "csv", "--batch-size", "7"
    )
    assert code == 0
    assert "predicting: 7/30" in err and "predicting: 30/30" in err
    one, other = (list(csv.DictReader(io.StringIO(t))) for t in (whole, batched))
    assert [r["label"] for r in one] == [r["label"] for r in other]
    np.testing.assert_allclose(
        [float(r["probability"]) for r in one],
        [float(r["probability"]) for r in other],
        rtol=1e-5,
    )
    _, _, err = _predict(capsys, path, folder, "--batch-size", "7", "--quiet")
    assert err == ""


def test_folders_are_searched_recursively_in_sorted_order(
    safe_file_model, tmp_path, capsys
):
    path, _ = safe_file_model
    for name in ("b/deep/x.PNG", "a.jpg", "b/a.bmp", "notes.txt", ".hidden.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("txt"):
            (tmp_path / name).write_text("not an image")
        else:
            Image.new("L", (8, 8), 40).save(tmp_path / name, format="PNG")
    code, out, err = _predict(capsys, path, tmp_path, "--format", "csv")
    assert code == 0, err
    paths = [row["path"] for row in csv.DictReader(io.StringIO(out))]
    assert paths == [str(tmp_path / n) for n in ("a.jpg", "b/a.bmp", "b/deep/x.PNG")]


def test_unreadable_images_are_named_and_the_others_predicted(
    safe_file_model, digit_tree, tmp_path, capsys
):
    path, _ = safe_file_model
    good = _test_files(digit_tree)[0]
    (tmp_path / "broken.png").write_bytes(b"this is not a png")
    (tmp_path / "empty.png").write_bytes(b"")
    code, out, err = _predict(capsys, path, good, tmp_path, "--format", "csv")
    assert code == 1
    assert [row["path"] for row in csv.DictReader(io.StringIO(out))] == [str(good)]
    assert "2 of 3 files could not be read as images" in err
    assert "broken.png" in err and "empty.png" in err
    assert "Traceback" not in err


def test_file_names_that_are_not_utf8(safe_file_model, tmp_path, capsys):
    path, _ = safe_file_model
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.png")
    try:
        created = open(name, "xb")
    except OSError as exc:
        pytest.skip(f"the file system refuses non-UTF-8 names: {exc}")
    with created:
        Image.new("L", (8, 8), 40).save(created, format="PNG")
    code, out, err = _predict(capsys, path, tmp_path, "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[1].startswith(str(tmp_path / "caf\\xe9.png") + ",")


def _not_a_model(tmp_path, kind):
    path = tmp_path / "model.joblib"
    if kind == "text":
        path.write_text("hello")
    elif kind == "dict":
        joblib.dump({"weights": [1, 2]}, path)
    elif kind == "zip":
        path = tmp_path / "model.skcnn"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
    return path


@pytest.mark.parametrize(
    "setup, options, message",
    [
        (lambda tmp, model: (tmp / "missing.skcnn", model), [], "no such model file"),
        (lambda tmp, model: (tmp, model), [], "expected a model file, got the folder"),
        (
            lambda tmp, model: (_not_a_model(tmp, "text"), model),
            [],
            "is not a .skcnn model file. If it is a pickle",
        ),
        (
            lambda tmp, model: (_not_a_model(tmp, "text"), model),
            ["--allow-pickle"],
            "is not a skcnn model file (joblib cannot load it",
        ),
        (
            lambda tmp, model: (_not_a_model(tmp, "dict"), model),
            ["--allow-pickle"],
            "holds a dict, not a skcnn model",
        ),
        (
            lambda tmp, model: (_not_a_model(tmp, "zip"), model),
            [],
            "a skcnn model file does not hold",
        ),
        (lambda tmp, model: (model, tmp / "nowhere"), [], "no such file or folder"),
        (lambda tmp, model: (model, tmp), [], "no image files (.bmp, .gif"),
    ],
    ids=[
        "missing",
        "folder",
        "not-skcnn",
        "not-joblib",
        "not-a-pipeline",
        "other-zip",
        "no-input",
        "no-images",
    ],
)
def test_bad_model_or_inputs_exit_1(
    setup, options, message, safe_file_model, tmp_path, capsys
):
    model_path, inputs = setup(tmp_path, safe_file_model[0])
    (tmp_path / "notes.txt").write_text("no images here")
    code, out, err = _predict(capsys, model_path, inputs, *options)
    assert code == 1
    assert err.startswith("skcnn: error: ") and message in err
    assert "Traceback" not in err and out == ""


def test_a_model_for_arrays_is_refused_with_a_hint(
    tmp_path, digit_tree, digits, capsys
):
    from sklearn.pipeline import make_pipeline

    from skcnn import ImageReshaper, PixelScaler
    from skcnn.io import dump
    from tests._helpers import small_cnn

    X, y = digits
    model = make_pipeline(ImageReshaper(), PixelScaler(), small_cnn(epochs=1))
    dump(model.fit(X, y), tmp_path / "arrays.skcnn")
    code, _, err = _predict(capsys, tmp_path / "arrays.skcnn", digit_tree)
    assert code == 1
    assert "is a model for image arrays" in err and "--dataset FOLDER --save" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict"], "the following arguments are required: MODEL"),
        (["predict", "model.joblib"], "FILE_OR_FOLDER"),
        (["predict", "m", "f", "--format", "xml"], "invalid choice: 'xml'"),
        (["predict", "m", "f", "--batch-size", "0"], "expected a positive integer"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
