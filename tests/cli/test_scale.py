"""Image folders at scale: the chosen image size, streaming, capped baselines.

Tiny trees of mixed-size PNG files stand for large folders: a tiny
``--memory-budget`` makes the command stream them, and small caps (patched
constants) make it sample the baselines' images.
"""

import argparse
import contextlib
import csv
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from skcnn.cli import (  # noqa: E402
    _args,
    _data,
    _models,
    _report,
    build_parser,
    compare,
    main,
)
from skcnn.preprocessing import ImageStream  # noqa: E402
from tests.cli._trees import LONG_CLASSES, write_mixed_tree  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mixed_tree(tmp_path_factory):
    """4 classes x 10 RGB PNG files in 5 sizes from 10x14 to 16x16."""
    root = tmp_path_factory.mktemp("mixed")
    write_mixed_tree(root)
    return root


def _run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in argv])
    return code, out.getvalue(), err.getvalue()


def _namespace(dataset, **options):
    defaults = dict(
        image_size=None,
        test_size=None,
        random_state=0,
        quiet=True,
        memory_budget=None,
        backbone=None,
        backbone_image_size=None,
    )
    return argparse.Namespace(dataset=Path(dataset), **{**defaults, **options})


# ----------------------------------------------------------------------
# --memory-budget


@pytest.mark.parametrize(
    "text, value",
    [
        ("2GB", 2 * 10**9),
        ("512MB", 512 * 10**6),
        ("1.5GiB", int(1.5 * 2**30)),
        ("1KB", 1000),
        ("1 kb", 1000),
        ("2G", 2 * 10**9),
        ("4096", 4096),
    ],
)
def test_memory_sizes(text, value):
    assert _args.memory_size(text) == value


@pytest.mark.parametrize("text", ["0", "-1GB", "lots", "1XB", "nan", "inf", ""])
def test_memory_sizes_rejected(text):
    with pytest.raises(argparse.ArgumentTypeError, match="like 2GB, 512MB"):
        _args.memory_size(text)


def test_format_bytes():
    cases = {999: "999 bytes", 1500: "1.5 kB", 10**9: "1 GB", 7.74e9: "7.7 GB"}
    assert {n: _args.format_bytes(n) for n in cases} == cases


def test_memory_budget_is_documented_and_for_folders_only(mixed_tree, capsys):
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--memory-budget SIZE" in text
    assert "13 bytes per pixel value" in text and "(default: 1GB)" in text
    assert "median height and width" in text  # --image-size's default
    assert main(["predict", "--help"]) == 0
    assert "--memory-budget SIZE" in capsys.readouterr().out
    code, _, err = _run_main(
        ["compare", "--dataset", "digits", "--memory-budget", "1GB"]
    )
    assert code == 2 and "--memory-budget applies to folder datasets only" in err
    code, _, err = _run_main(
        ["compare", "--dataset", mixed_tree, "--memory-budget", "x"]
    )
    assert code == 2 and "expected a memory size" in err
    args = build_parser().parse_args(["compare", "--dataset", str(mixed_tree)])
    compare.check(argparse.ArgumentParser(), args)
    assert args.memory_budget == _args.MEMORY_BUDGET == 10**9


# ----------------------------------------------------------------------
# The image size of mixed sizes


def test_mixed_sizes_get_their_median_size_said_and_recorded(mixed_tree):
    said = []
    bunch = _data.load_folder_for(_namespace(mixed_tree), said.append)
    assert bunch.images.shape == (40, 14, 14, 3) and not bunch.streamed
    assert said == [
        "image size: 14x14, their median height and width (the images come in "
        "5 sizes, 10x14 to 16x16); --image-size to choose another"
    ]
    assert bunch.loading == {
        "image_size": [14, 14],
        "rule": "median",
        "sizes_found": 5,
        "smallest": [10, 14],
        "largest": [16, 16],
        "median": [14, 14],
        "streamed": False,
        "memory_estimate_bytes": 40 * 14 * 14 * 3 * 13,
        "memory_budget_bytes": None,
    }


def test_a_large_median_is_scaled_down_keeping_its_aspect(tmp_path, monkeypatch):
    for name in ("ant", "bee"):
        (tmp_path / name).mkdir()
        for i, size in enumerate([(30, 40), (24, 32), (36, 48)]):
            Image.new("L", size[::-1], 10 * i).save(tmp_path / name / f"{i}.png")
    monkeypatch.setattr(_args, "AUTO_MAX_SIDE", 16)
    scan = _data.scan_folder(tmp_path)
    sizing = _data.choose_image_size(scan)
    assert (sizing["rule"], sizing["median"], sizing["image_size"]) == (
        "median",
        [30, 40],
        [12, 16],
    )
    assert _data.describe_sizing(sizing) == (
        "12x16, their median height and width, 30x40, scaled down to fit "
        "16x16 (the images come in 3 sizes, 24x32 to 36x48)"
    )


def test_one_size_given_size_and_backbone_sizes(mixed_tree, digit_tree):
    scan = _data.scan_folder(digit_tree)
    assert _data.choose_image_size(scan, backbone="mobilenet_v2") == {
        "image_size": [8, 8],
        "rule": "common",  # one size: kept, whatever the backbone
        "sizes_found": 1,
    }
    scan = _data.scan_folder(mixed_tree)
    given = _data.choose_image_size(scan, (9, 7), backbone="mobilenet_v2")
    assert (given["rule"], given["image_size"]) == ("given", [9, 7])
    named = _data.choose_image_size(scan, backbone="mobilenet_v2")
    assert (named["rule"], named["image_size"]) == ("backbone", [224, 224])
    assert _data.describe_sizing(named).startswith(
        "224x224, the input size of mobilenet_v2 (the images come in 5 sizes"
    )
    sized = _data.choose_image_size(scan, backbone="resnet50", backbone_size=96)
    assert sized["image_size"] == [96, 96]
    model = _data.choose_image_size(scan, backbone="/models/net.keras")
    assert model["rule"] == "median"  # a saved model's size is in the file
    model = _data.choose_image_size(
        scan, backbone="/models/net.keras", backbone_size=48
    )
    assert model["image_size"] == [48, 48]
    assert "the input size of net.keras" in _data.describe_sizing(model)


def test_a_named_backbone_sets_the_size_of_mixed_images(mixed_tree):
    said = []
    args = _namespace(mixed_tree, backbone="mobilenet_v3_small", backbone_image_size=32)
    bunch = _data.load_folder_for(args, said.append)
    assert bunch.images.shape == (40, 32, 32, 3)
    assert said == [
        "image size: 32x32, the input size of mobilenet_v3_small (the images "
        "come in 5 sizes, 10x14 to 16x16); --image-size to choose another"
    ]
    assert bunch.loading["rule"] == "backbone"


def test_images_of_one_size_are_loaded_as_today(digit_tree):
    said = []
    bunch = _data.load_folder_for(_namespace(digit_tree), said.append)
    assert said == [] and bunch.loading["rule"] == "common"
    reference = _data.load_folder(digit_tree)
    np.testing.assert_array_equal(bunch.images, reference.images)
    np.testing.assert_array_equal(bunch.filenames, reference.filenames)


def test_scan_reads_headers_and_skips_unreadable_files(tmp_path, capsys):
    from skcnn.datasets import load_image_folder

    write_mixed_tree(tmp_path, classes=("ant", "bee"), n_per_class=3)
    (tmp_path / "bee" / "broken.png").write_bytes(b"not a png")
    scan = _data.scan_folder(tmp_path)
    err = capsys.readouterr().err
    assert err.startswith("skcnn: warning: Skipped 1 unreadable image file(s)")
    assert "broken.png" in err
    (part,) = scan.parts
    with pytest.warns(UserWarning, match="Skipped 1 unreadable"):
        files = load_image_folder(tmp_path, load_content=False)
    assert part.filenames == files.filenames.tolist()
    assert part.target.tolist() == files.target.tolist()
    assert [h.size for h in part.headers] == [
        Image.open(f).size[::-1] for f in part.filenames
    ]
    assert (scan.color_mode, scan.n_images) == ("rgb", 6)


# ----------------------------------------------------------------------
# Streaming


def test_a_tiny_budget_streams_the_same_split_and_pixels(mixed_tree):
    said = []
    args = _namespace(mixed_tree, memory_budget=1000)
    streamed = _data.load_folder_for(args, said.append)
    assert said[1] == (
        "streaming the images from disk, batch by batch: in memory the 40 "
        "images would take about 306 kB (23.5 kB of pixels, 13 bytes per pixel "
        "value with the training copies), more than --memory-budget 1 kB"
    )
    assert streamed.streamed and streamed.loading["streamed"]
    assert isinstance(streamed.images, ImageStream)
    assert streamed.images.shape == (40, 14, 14, 3)
    in_memory = _data.load_folder_for(_namespace(mixed_tree), [].append)
    np.testing.assert_array_equal(streamed.data, in_memory.filenames)
    np.testing.assert_array_equal(streamed.target, in_memory.target)
    assert streamed.n_train == in_memory.n_train == 32
    np.testing.assert_array_equal(streamed.images.read(), in_memory.images)
    # Within the budget: in memory.
    roomy = _data.load_folder_for(
        _namespace(mixed_tree, memory_budget=10**6), said.append
    )
    assert not roomy.streamed and roomy.loading["memory_budget_bytes"] == 10**6


def test_a_streamed_split_of_train_and_test_folders(digit_tree):
    streamed = _data.load_folder_for(_namespace(digit_tree, memory_budget=1), [].append)
    reference = _data.load_folder(digit_tree)
    np.testing.assert_array_equal(streamed.filenames, reference.filenames)
    np.testing.assert_array_equal(streamed.target, reference.target)
    np.testing.assert_array_equal(streamed.images.read(), reference.images)
    assert streamed.color_mode == "grayscale" and streamed.n_train == 90


def test_streamed_pipelines_start_with_a_streaming_loader(mixed_tree):
    from skcnn import ImageLoader

    bunch = _data.load_folder_for(_namespace(mixed_tree, memory_budget=1), [].append)
    for pipeline in (
        _models.cnn_pipeline(bunch, _report.Printer(True)),
        _models.embedder_pipeline(
            bunch,
            backbone="mobilenet_v2",
            weights="none",
            image_size=32,
            random_state=0,
        ),
    ):
        loader = pipeline[0]
        assert isinstance(loader, ImageLoader)
        assert (loader.image_size, loader.color_mode, loader.stream) == (
            (14, 14),
            "rgb",
            True,
        )


# ----------------------------------------------------------------------
# The baselines' sample


def test_stratified_sample():
    y = np.array(["a"] * 60 + ["b"] * 30 + ["c"] * 9 + ["d"])
    sample = _models.stratified_sample(y, 20, random_state=0)
    assert len(sample) == 20 and np.all(np.diff(sample) > 0)
    counts = dict(zip(*np.unique(y[sample], return_counts=True), strict=True))
    assert counts == {"a": 12, "b": 6, "c": 1, "d": 1}  # d keeps its one
    again = _models.stratified_sample(y, 20, random_state=0)
    np.testing.assert_array_equal(sample, again)
    other = _models.stratified_sample(y, 20, random_state=1)
    assert not np.array_equal(sample, other)
    np.testing.assert_array_equal(_models.stratified_sample(y, 100, 0), np.arange(100))
    assert len(_models.stratified_sample(y, 3, 0)) == 3  # fewer than the classes


def test_sampled_baseline_fits_a_capped_sample_decoded_small(mixed_tree, monkeypatch):
    monkeypatch.setattr(_models, "BASELINE_MAX_IMAGES", 12)
    monkeypatch.setattr(_models, "BASELINE_MAX_SIDE", 5)
    bunch = _data.load_folder_for(_namespace(mixed_tree, memory_budget=1), [].append)
    baseline = _models.baseline("logreg", bunch, random_state=0)
    assert isinstance(baseline, _models.SampledBaseline)
    assert (baseline.n_images, baseline.image_size, baseline.reduced) == (
        12,
        (5, 5),
        True,
    )
    assert _models.baseline_name("logreg", baseline) == (
        "LogisticRegression (12 images at 5x5)"
    )
    X_train, y_train = bunch.data[:32], bunch.target_names[bunch.target[:32]]
    baseline.fit(X_train, y_train)
    assert len(baseline.sample_) == 12
    assert (
        sorted(np.unique(y_train[baseline.sample_], return_counts=True)[1]) == [3] * 4
    )
    loader = baseline.model_[0]
    assert (loader.image_size, loader.stream) == ((5, 5), False)
    # Predicted 12 at a time: as in one go.
    X_test = bunch.data[32:]
    whole = baseline.model_.predict(X_test)
    np.testing.assert_array_equal(baseline.predict(X_test), whole)
    # The aspect of the folder's size is kept.
    bunch.images = ImageStream(bunch.data, (12, 16))
    assert _models.baseline("knn", bunch, 0).image_size == (4, 5)


def test_a_baseline_on_all_images_keeps_its_name(mixed_tree):
    bunch = _data.load_folder_for(_namespace(mixed_tree, memory_budget=1), [].append)
    baseline = _models.baseline("logreg", bunch, random_state=0)
    assert not baseline.reduced  # 32 images at 14x14: none left out
    assert _models.baseline_name("logreg", baseline) == "LogisticRegression"
    in_memory = _data.load_folder_for(_namespace(mixed_tree), [].append)
    X_train, X_test, y_train, _ = _data_split(in_memory)
    reference = _models.baseline("logreg", in_memory, 0).fit(X_train, y_train)
    S_train, S_test, _, _ = _data_split(bunch)
    baseline.fit(S_train, y_train)
    np.testing.assert_array_equal(baseline.predict(S_test), reference.predict(X_test))


def _data_split(bunch):
    from skcnn.datasets import split_train_test

    return split_train_test(bunch)


# ----------------------------------------------------------------------
# Readable figures


#: Eight long class names: too many to stand side by side, even wrapped.
EIGHT = [name + end for end in ("", "_2") for name in LONG_CLASSES]


def _overlap(ax):
    figure = ax.figure
    figure.canvas.draw()
    return _report._overlap(ax.get_xticklabels(), figure.canvas.get_renderer())


def test_long_class_names_are_wrapped_or_turned():
    y = np.array([0, 1, 2, 3, 0, 1])
    display = _report.confusion_matrix(y, y[::-1], list(LONG_CLASSES), "title")
    ticks = display.ax_.get_xticklabels()
    # Four fit once wrapped, after underscores.
    assert [t.get_text() for t in ticks[:2]] == [
        "african_bush_\nelephant",
        "reticulated_\ngiraffe",
    ]
    assert {t.get_rotation() for t in ticks} == {0.0} and not _overlap(display.ax_)
    assert display.ax_.get_yticklabels()[1].get_text() == "reticulated_\ngiraffe"
    assert display.ax_.get_title() == "title"
    # Eight are turned, on one line each, ending under their column.
    y = np.arange(8)
    display = _report.confusion_matrix(y, y, EIGHT, "title")
    ticks = display.ax_.get_xticklabels()
    assert [t.get_rotation() for t in ticks] == [45.0] * 8
    assert {t.get_ha() for t in ticks} == {"right"}
    assert [t.get_text() for t in ticks] == EIGHT
    # Digits stand as they did.
    digits = _report.confusion_matrix(y, y, list("01234567"), "digits")
    assert {t.get_rotation() for t in digits.ax_.get_xticklabels()} == {0.0}
    assert [t.get_text() for t in digits.ax_.get_xticklabels()] == list("01234567")


def test_every_class_is_drawn_even_when_absent_from_the_test_set():
    display = _report.confusion_matrix(
        np.array([0, 0, 2]), np.array([0, 2, 2]), ["a", "b", "c"], "t"
    )
    assert display.confusion_matrix.shape == (3, 3)


def test_class_distribution_ticks_turn_when_they_overlap():
    from skcnn.plotting import ClassDistributionDisplay

    display = ClassDistributionDisplay.from_labels(range(8), class_names=EIGHT)
    assert _report.readable_ticks(display.ax_, "x")
    assert {t.get_rotation() for t in display.ax_.get_xticklabels()} == {45.0}
    short = ClassDistributionDisplay.from_labels([0, 1], class_names=["ant", "bee"])
    assert not _report.readable_ticks(short.ax_, "x")


def test_grid_titles_are_wrapped():
    from skcnn.plotting import ImageGridDisplay

    display = ImageGridDisplay.from_predictions(
        np.zeros((2, 4, 4, 1)), [0, 1], [1, 0], class_names=list(LONG_CLASSES)
    )
    _report.wrap_titles(display)
    assert display.titles_[0].get_text() == (
        "true: african_bush_\nelephant\npred: reticulated_\ngiraffe"
    )


def test_the_report_says_how_the_images_were_loaded():
    results = {
        "dataset": "photos",
        "n_train": 9600,
        "n_test": 2400,
        "image_shape": [128, 128, 3],
        "epochs": 1,
        "skcnn_version": "9.9.9",
        "pictures": {
            name: f"{name}.png"
            for name in (
                "comparison samples class_distribution training_curves "
                "confusion_matrix misclassified filters"
            ).split()
        },
        "loading": {
            "image_size": [96, 128],
            "rule": "median",
            "sizes_found": 12,
            "smallest": [60, 80],
            "largest": [768, 1024],
            "median": [300, 400],
            "streamed": True,
            "memory_estimate_bytes": 5_750_000_000,
            "memory_budget_bytes": 10**9,
        },
        "baseline_sample": {
            "n_images": 5000,
            "of": 9600,
            "image_size": [24, 32],
            "stratified": True,
        },
    }
    text = " ".join(_report.compare_report(results, "TABLE").split())
    assert (
        "Images resized to 96x128, their median height and width, 300x400, "
        "scaled down to fit 128x128 (the images come in 12 sizes, 60x80 to "
        "768x1024); --image-size chooses another." in text
    )
    assert (
        "Streamed from disk, batch by batch: in memory the images would have "
        "taken about 5.8 GB, more than --memory-budget 1 GB." in text
    )
    assert (
        "The baselines were fitted on a stratified sample of 5,000 of the "
        "9,600 training images, decoded at 24x32, and scored on the test "
        "images decoded the same way." in text
    )
    assert text.index("Streamed") < text.index("TABLE")


# ----------------------------------------------------------------------
# skcnn predict


def _predict(capsys, *argv):
    code = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_predict_streams_beyond_the_budget(safe_file_model, digit_tree, capsys):
    path, _ = safe_file_model
    folder = digit_tree / "test"
    code, in_memory, err = _predict(capsys, path, folder, "--format", "csv")
    assert code == 0 and "streaming" not in err
    code, streamed, err = _predict(
        capsys, path, folder, "--format", "csv", "--memory-budget", "1KB"
    )
    assert code == 0, err
    assert err.splitlines()[0] == (
        "streaming the images to the network, one network batch at a time: a "
        "batch of 30 images at 8x8 would take about 9.6 kB in memory, more "
        "than --memory-budget 1 kB"
    )
    one, other = (list(csv.DictReader(io.StringIO(t))) for t in (in_memory, streamed))
    assert [r["label"] for r in one] == [r["label"] for r in other]
    np.testing.assert_allclose(
        [float(r["probability"]) for r in one],
        [float(r["probability"]) for r in other],
        rtol=1e-5,
    )
    _, _, err = _predict(capsys, path, folder, "--memory-budget", "1KB", "--quiet")
    assert err == ""


def test_predict_streaming_names_unreadable_files(
    safe_file_model, digit_tree, tmp_path, capsys
):
    path, _ = safe_file_model
    good = sorted((digit_tree / "test").rglob("*.png"))[0]
    (tmp_path / "broken.png").write_bytes(b"this is not a png")
    code, out, err = _predict(
        capsys, path, good, tmp_path, "--format", "csv", "--memory-budget", "1"
    )
    assert code == 1
    assert [row["path"] for row in csv.DictReader(io.StringIO(out))] == [str(good)]
    assert "1 of 2 files could not be read as images" in err and "broken.png" in err


# ----------------------------------------------------------------------
# End to end


def _compare(out, *options):
    argv = ["compare", "--epochs", "1", "--out", out, *options]
    code, printed, err = _run_main(argv)
    assert code == 0, err
    results = json.loads((Path(out) / "results.json").read_text())
    return printed, err, results


@pytest.fixture(scope="module")
def runs(mixed_tree, tmp_path_factory):
    """compare --save on the mixed tree: in memory, and streamed (budget 1KB)."""
    out = tmp_path_factory.mktemp("runs")
    base = ["--dataset", mixed_tree, "--random-state", "3"]
    return {
        "memory": (*_compare(out / "memory", *base, "--save", out / "m.skcnn"), out),
        "stream": (
            *_compare(
                out / "stream",
                *base,
                "--memory-budget",
                "1KB",
                "--save",
                out / "s.skcnn",
            ),
            out,
        ),
    }


@pytest.mark.slow
def test_streamed_run_equals_the_run_in_memory(runs):
    printed, _, memory, _ = runs["memory"]
    streamed_printed, _, streamed, out = runs["stream"]
    assert "streaming the images from disk, batch by batch" in streamed_printed
    assert "streaming" not in printed
    assert "(32, 14, 14, 3)" in streamed_printed and "(streamed from disk)" in (
        streamed_printed
    )
    assert (memory["streamed"], streamed["streamed"]) == (False, True)
    assert [m["model"] for m in streamed["models"]] == [
        "CNNClassifier",
        "LogisticRegression",
    ]
    for row, reference in zip(streamed["models"], memory["models"], strict=True):
        assert row["accuracy"] == reference["accuracy"], row["model"]
    assert streamed["cnn_history"] == memory["cnn_history"]
    assert (
        streamed["loading"]["image_size"]
        == memory["loading"]["image_size"]
        == [
            14,
            14,
        ]
    )
    report = (out / "stream" / "report.md").read_text()
    assert "Streamed from disk" in report and "Images resized to 14x14" in report
    for picture in streamed["pictures"].values():
        assert (out / "stream" / picture).stat().st_size > 1000


@pytest.mark.slow
def test_the_auto_size_is_printed_and_recorded(runs):
    printed, _, results, out = runs["memory"]
    assert (
        "image size: 14x14, their median height and width (the images come in "
        "5 sizes, 10x14 to 16x16); --image-size to choose another" in printed
    )
    assert results["loading"]["rule"] == "median"
    assert results["image_shape"] == [14, 14, 3]
    assert results["baseline_sample"] is None
    report = " ".join((out / "memory" / "report.md").read_text().split())
    assert "Images resized to 14x14, their median height and width" in report


@pytest.mark.slow
def test_a_streamed_run_saves_a_streaming_pipeline(runs, mixed_tree, capsys):
    from skcnn.io import load

    _, _, _, out = runs["stream"]
    model = load(out / "s.skcnn")
    assert model[0].stream and model[0].image_size == (14, 14)
    reference = load(out / "m.skcnn")
    files = [str(f) for f in sorted((mixed_tree / "lion").glob("*.png"))]
    np.testing.assert_array_equal(model.predict(files), reference.predict(files))
    code, rows, err = _predict(capsys, out / "s.skcnn", mixed_tree / "lion")
    assert code == 0, err
    assert "the model's ImageLoader streams" in err
    assert len(rows.splitlines()) == 2 + len(files)


@pytest.mark.slow
def test_the_baselines_sample_is_capped_when_streaming(
    mixed_tree, tmp_path, monkeypatch
):
    monkeypatch.setattr(_models, "BASELINE_MAX_IMAGES", 12)
    monkeypatch.setattr(_models, "BASELINE_MAX_SIDE", 4)
    printed, _, results = _compare(
        tmp_path,
        "--dataset",
        mixed_tree,
        "--memory-budget",
        "1KB",
        "--baselines",
        "logreg,knn",
    )
    names = [m["model"] for m in results["models"]]
    assert names == [
        "CNNClassifier",
        "LogisticRegression (12 images at 4x4)",
        "KNeighborsClassifier (12 images at 4x4)",
    ]
    assert "| LogisticRegression (12 images at 4x4) | " in printed
    assert "training LogisticRegression (12 images at 4x4) on 12 images" in printed
    assert (
        "baselines: fitted on a stratified sample of 12 of the 32 training "
        "images decoded at 4x4" in printed
    )
    assert results["baseline_sample"] == {
        "n_images": 12,
        "of": 32,
        "image_size": [4, 4],
        "stratified": True,
    }
    report = " ".join((tmp_path / "report.md").read_text().split())
    assert "stratified sample of 12 of the 32 training images, decoded at 4x4" in report
