"""``skcnn compare --backbone``: the fine-tuned and the embedder rows, --save.

Offline throughout: a tiny saved skcnn network as the backbone, or
MobileNetV3Small with random weights at 32x32 (slow); ImageNet weights only
as a download that fails.
"""

import argparse
import contextlib
import io
import json
import re
from urllib.error import URLError

import numpy as np
import pytest

from skcnn.cli import _args, _models, compare, main


def _run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _table_accuracies(text):
    """{model: accuracy} from the Markdown table rows in ``text``."""
    return {
        name: float(accuracy)
        for name, accuracy in re.findall(r"^\| (.+?) \| ([0-9.]+) \|", text, re.M)
    }


def _test_files(digit_tree):
    return [str(f) for f in sorted((digit_tree / "test").rglob("*.png"))]


# ----------------------------------------------------------------------
# the options
# ----------------------------------------------------------------------
def test_the_lists_match_the_library():
    # Kept in the parser so that a usage error does not import TensorFlow.
    from skcnn._engine.backbones import FAMILIES
    from skcnn._engine.weights import WEIGHTS_SUFFIXES

    assert _args.BACKBONES == tuple(FAMILIES)
    assert all(s.endswith(_args.WEIGHTS_SUFFIXES) for s in WEIGHTS_SUFFIXES)
    assert set(_args.WEIGHTS_SUFFIXES) <= set(WEIGHTS_SUFFIXES)
    sizes = {family.min_size for family in FAMILIES.values()}
    assert sizes == {_args.MIN_BACKBONE_SIZE}


def test_backbone_is_a_name_or_a_saved_model(tmp_path):
    assert _args.backbone("mobilenet_v3_small") == "mobilenet_v3_small"
    model = tmp_path / "net.keras"
    model.write_bytes(b"")
    assert _args.backbone(str(model)) == str(model)
    (tmp_path / "net.h5").write_bytes(b"")
    cases = {
        "mobilenet": "unknown backbone 'mobilenet' (did you mean 'mobilenet_v2'?)",
        "vgg": "unknown backbone 'vgg'; choose from mobilenet_v2,",
        str(tmp_path): "or a saved .keras model file, got the folder",
        str(tmp_path / "net.h5"): "expected a saved model file ending in .keras",
        str(tmp_path / "gone.keras"): "no such model file",
    }
    for text, message in cases.items():
        with pytest.raises(argparse.ArgumentTypeError) as raised:
            _args.backbone(text)
        assert message in str(raised.value), text


def test_backbone_weights_is_imagenet_none_or_a_file(tmp_path):
    assert _args.backbone_weights("imagenet") == "imagenet"
    assert _args.backbone_weights("none") == "none"
    weights = tmp_path / "w.weights.h5"
    weights.write_bytes(b"")
    assert _args.backbone_weights(str(weights)) == str(weights)
    (tmp_path / "w.npz").write_bytes(b"")
    cases = {
        "random": "got no such file 'random'",
        str(tmp_path): "got the folder",
        str(tmp_path / "w.npz"): "expected a weights file ending in .h5, .hdf5",
    }
    for text, message in cases.items():
        with pytest.raises(argparse.ArgumentTypeError) as raised:
            _args.backbone_weights(text)
        assert message in str(raised.value), text
    assert _models.backbone_weights("none") is None
    assert _models.backbone_weights("imagenet") == "imagenet"


@pytest.mark.parametrize("text, value", [("0", 0.0), ("0.3", 0.3), ("1", 1.0)])
def test_unit_fraction(text, value):
    assert _args.unit_fraction(text) == value


@pytest.mark.parametrize("text", ["-0.1", "1.5", "all", "nan"])
def test_unit_fraction_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError, match="from 0 to 1"):
        _args.unit_fraction(text)


def test_backbone_options_are_checked_before_any_work(cnn_file):
    cases = [
        (["--fine-tune", "0.5"], "--fine-tune applies with --backbone only"),
        (["--backbone-weights", "none"], "--backbone-weights applies with --backbone"),
        (
            ["--backbone", str(cnn_file), "--backbone-weights", "none"],
            "applies to a named backbone, not to the saved model",
        ),
        (
            ["--backbone", "resnet50", "--backbone-image-size", "16"],
            "expected at least 32 for resnet50",
        ),
        (["--backbone", "resnet"], "did you mean 'resnet50'?"),
        (["--backbone", "resnet50", "--fine-tune", "2"], "from 0 to 1, got '2'"),
    ]
    for argv, message in cases:
        code, _, err = _run_main(["compare", *argv])
        assert (code, message in err) == (2, True), (argv, err)


def _checked(argv):
    from skcnn.cli import build_parser

    args = build_parser().parse_args(["compare", *argv])
    args.check(args.subparser, args)
    return args


def test_backbone_defaults():
    args = _checked(["--backbone", "mobilenet_v2"])
    assert (args.backbone_weights, args.backbone_image_size) == ("imagenet", None)
    assert (args.fine_tune, args.fine_tune_epochs) == (0.3, 10)
    args = _checked(["--backbone", "mobilenet_v2", "--fine-tune", "0"])
    assert args.fine_tune == 0.0  # 0 is given, not "unset"
    assert _checked([]).backbone is None


def test_offline_imagenet_weights_end_with_the_download_error(monkeypatch, tmp_path):
    from skcnn._engine import weights

    def no_network(url, timeout):
        raise URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(weights, "urlopen", no_network)
    out = tmp_path / "out"
    argv = ["compare", "--dataset", "digits", "--out", str(out)]
    code, printed, err = _run_main([*argv, "--backbone", "mobilenet_v3_small"])
    assert code == 1
    assert printed == ""  # before the dataset, before any training
    assert not out.exists()
    (line,) = err.splitlines()
    assert line.startswith("skcnn: error: Could not download https://")
    assert "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5" in line
    assert "Network is unreachable" in line
    assert str(tmp_path / "keras" / "models") in line  # where to put a copy
    assert line.endswith(
        "With skcnn compare: --backbone-weights PATH of that file, or "
        "--backbone-weights none for random weights."
    )


# ----------------------------------------------------------------------
# the models
# ----------------------------------------------------------------------
def test_row_names():
    assert _models.fine_tuned_name("resnet50", 0.3) == (
        "CNNClassifier(resnet50, fine_tune=0.3)"
    )
    assert _models.fine_tuned_name("/models/net.keras", 1.0) == (
        "CNNClassifier(net.keras, fine_tune=1)"
    )
    assert _models.embedder_name("/models/net.keras") == (
        "ImageEmbedder(net.keras) + LogisticRegression"
    )


def test_backbone_pipelines():
    from sklearn.utils import Bunch

    from skcnn import CNNClassifier, ImageEmbedder
    from skcnn.cli._report import Printer

    bunch = Bunch(images=np.zeros((2, 8, 8), np.uint8), source="x", pixel_max=16)
    backbone = dict(backbone="efficientnet_b0", weights="none", image_size=48)
    tuned = _models.fine_tuned_pipeline(
        bunch, Printer(True), **backbone, fine_tune=0.5, fine_tune_epochs=2, epochs=3
    )
    assert [name for name, _ in tuned.steps] == [
        "imagereshaper",
        "pixelscaler",
        "cnnclassifier",
    ]
    cnn = tuned[-1]
    assert isinstance(cnn, CNNClassifier)
    assert (cnn.backbone, cnn.backbone_weights, cnn.backbone_image_size) == (
        "efficientnet_b0",
        None,
        48,
    )
    assert (cnn.fine_tune, cnn.fine_tune_epochs, cnn.epochs) == (0.5, 2, 3)
    embedder = _models.embedder_pipeline(bunch, **backbone, random_state=4)
    reshaper, scaler, features, logreg = (step for _, step in embedder.steps)
    assert reshaper.image_shape == (8, 8) and scaler.max_value == 16
    assert isinstance(features, ImageEmbedder)
    assert (features.backbone, features.weights, features.image_size) == (
        "efficientnet_b0",
        None,
        48,
    )
    assert features.random_state == 4
    assert type(logreg).__name__ == "LogisticRegression" and logreg.max_iter == 1000


def test_the_best_cnn_row_is_saved_and_a_tie_goes_to_the_first():
    rows = [
        {"model": "CNNClassifier", "accuracy": 0.8},
        {"model": "tuned", "accuracy": 0.9},
        {"model": "embedder", "accuracy": 0.9},
        {"model": "LogisticRegression", "accuracy": 1.0},  # not a CNN row
    ]
    cnn_rows = ["CNNClassifier", "tuned", "embedder"]
    assert compare._best_row(rows, cnn_rows) == "tuned"
    assert compare._best_row(rows[::-1], cnn_rows) == "embedder"
    assert compare._best_row(rows, ["CNNClassifier"]) == "CNNClassifier"


def test_predict_takes_a_saved_embedder_pipeline(
    cnn_file, digit_tree, tmp_path, capsys
):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import ImageEmbedder, ImageLoader, PixelScaler
    from skcnn.io import dump

    files = [str(f) for f in sorted((digit_tree / "train").rglob("*.png"))]
    model = make_pipeline(
        ImageLoader(),
        PixelScaler(),
        ImageEmbedder(backbone=cnn_file),
        LogisticRegression(max_iter=1000),
    ).fit(files, [f.split("/")[-2] for f in files])
    dump(model, tmp_path / "embedder.skcnn")
    code = main(
        ["predict", str(tmp_path / "embedder.skcnn"), str(digit_tree / "test")]
        + ["--format", "json"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = json.loads(captured.out)
    test_files = _test_files(digit_tree)
    proba = model.predict_proba(test_files)
    assert [row["path"] for row in rows] == test_files
    assert [row["label"] for row in rows] == model.predict(test_files).tolist()
    np.testing.assert_allclose(
        [row["probability"] for row in rows], proba.max(axis=1), rtol=1e-5
    )
    # Unfitted, it is refused as the CNN pipelines are.
    dump(
        make_pipeline(ImageLoader(), ImageEmbedder(), LogisticRegression()),
        tmp_path / "unfitted.skcnn",
    )
    code = main(["predict", str(tmp_path / "unfitted.skcnn"), test_files[0]])
    assert code == 1
    assert "not a skcnn model" in capsys.readouterr().err


# ----------------------------------------------------------------------
# the command end to end
# ----------------------------------------------------------------------
def _compare_with_backbone(out, digit_tree, backbone_argv, save_name):
    """compare --save on the digit tree; returns the outputs and the model saved."""
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
                "1",
                "--fine-tune-epochs",
                "1",
                *backbone_argv,
                "--out",
                str(out),
                "--save",
                str(out / save_name),
            ]
        )
    assert code == 0, err
    return printed, json.loads((out / "results.json").read_text()), saved["model"]


def _check_rows_report_and_saved_model(out, printed, results, saved, names):
    assert [m["model"] for m in results["models"]] == [*names, "LogisticRegression"]
    written = {m["model"]: round(m["accuracy"], 4) for m in results["models"]}
    assert _table_accuracies(printed) == written
    assert _table_accuracies((out / "report.md").read_text()) == written
    for model in results["models"]:
        assert model["fit_seconds"] > 0 and model["predict_ms_per_image"] > 0
    # The most accurate CNN row (a tie: the first), never the baseline.
    cnn_rows = [m for m in results["models"] if m["model"] in names]
    best = max(cnn_rows, key=lambda m: m["accuracy"])["model"]
    assert results["saved_row"] == best
    assert f"fitted {best} pipeline saved to {results['saved_model']}" in printed
    assert f"the fitted {best} pipeline" in (out / "report.md").read_text()
    assert type(saved[0]).__name__ == "ImageLoader"
    picture = results["pictures"]["backbone_training_curves"]
    assert (out / picture).stat().st_size > 1000


@pytest.fixture(scope="module")
def saved_model_run(tmp_path_factory, digit_tree, cnn_file):
    out = tmp_path_factory.mktemp("saved_model_backbone")
    argv = ["--backbone", str(cnn_file), "--fine-tune", "1"]
    return out, *_compare_with_backbone(out, digit_tree, argv, "digits.skcnn")


@pytest.mark.slow  # three networks trained: about 20 s
def test_a_saved_model_as_backbone(saved_model_run, cnn_file, digit_tree, capsys):
    out, printed, results, saved = saved_model_run
    names = [
        "CNNClassifier",
        "CNNClassifier(tiny_cnn.keras, fine_tune=1)",
        "ImageEmbedder(tiny_cnn.keras) + LogisticRegression",
    ]
    _check_rows_report_and_saved_model(out, printed, results, saved, names)
    backbone = results["backbone"]
    assert backbone["backbone"] == str(cnn_file)
    assert (backbone["weights"], backbone["image_size"]) == (None, None)
    assert (backbone["head_epochs"], backbone["fine_tune_epochs"]) == (1, 1)
    assert backbone["history"]["phase"] == [1, 2]
    assert "Backbone **" in (out / "report.md").read_text()
    # skcnn predict gives what the saved pipeline gives.
    code = main(["predict", str(out / "digits.skcnn"), str(digit_tree / "test")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    files = _test_files(digit_tree)
    predicted = [line.split()[1] for line in captured.out.splitlines()[2:]]
    assert predicted == saved.predict(files).tolist()


@pytest.mark.slow
def test_a_keras_application_with_random_weights(tmp_path, digit_tree, capsys):
    argv = [
        "--backbone",
        "mobilenet_v3_small",
        "--backbone-weights",
        "none",
        "--backbone-image-size",
        "32",
    ]
    printed, results, saved = _compare_with_backbone(
        tmp_path, digit_tree, argv, "digits.joblib"
    )
    names = [
        "CNNClassifier",
        "CNNClassifier(mobilenet_v3_small, fine_tune=0.3)",
        "ImageEmbedder(mobilenet_v3_small) + LogisticRegression",
    ]
    _check_rows_report_and_saved_model(tmp_path, printed, results, saved, names)
    backbone = results["backbone"]
    assert (backbone["weights"], backbone["image_size"]) == ("none", 32)
    assert backbone["fine_tune"] == 0.3
    assert (
        "random weights, images resized to 32x32"
        in (tmp_path / "report.md").read_text()
    )
    # Whichever row was saved, skcnn predict gives what it gives (a pickle:
    # with --allow-pickle).
    code = main(
        ["predict", str(tmp_path / "digits.joblib"), str(digit_tree / "test")]
        + ["--format", "json", "--allow-pickle"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    files = _test_files(digit_tree)
    rows = json.loads(captured.out)
    assert [row["label"] for row in rows] == saved.predict(files).tolist()
