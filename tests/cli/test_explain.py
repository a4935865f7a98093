"""The saliency pictures of the commands: `skcnn explain` and compare's."""

import contextlib
import io
import shutil

import numpy as np
import pytest
from PIL import Image

from skcnn.cli import _saliency, build_parser, explain, main
from skcnn.inspection._saliency import DEFAULT_METHOD


def _explain(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["explain", *map(str, argv)])
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _drawn():
    """Record what each call of ``file_picture`` draws, which still draws it."""
    calls = []
    original = _saliency.file_picture

    def record(image, saliency_map, title, method, path):
        calls.append(
            {"image": image, "map": saliency_map, "title": title, "path": path}
        )
        return original(image, saliency_map, title, method, path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_saliency, "file_picture", record)
        yield calls


def _test_files(digit_tree):
    return sorted((digit_tree / "test").rglob("*.png"))


@pytest.fixture(scope="module")
def model(file_model, tmp_path_factory):
    """The file pipeline of ``file_model`` as a .skcnn file: ``(path, pipeline)``."""
    from skcnn.io import dump

    path = tmp_path_factory.mktemp("explain_model") / "digits.skcnn"
    dump(file_model[1], path)
    return path, file_model[1]


@pytest.fixture(scope="module")
def folder_run(model, digit_tree, tmp_path_factory):
    """explain on the 30 test files, in one batch."""
    out = tmp_path_factory.mktemp("explain") / "maps"
    with _drawn() as calls:
        result = _explain(model[0], digit_tree / "test", "--out", out)
    return (*result, out, calls)


def test_one_decodable_png_per_file_named_after_it(folder_run, digit_tree):
    code, printed, err, out, calls = folder_run
    assert code == 0, err
    files = _test_files(digit_tree)
    expected = sorted(f"{f.parent.name}__{f.stem}.png" for f in files)
    assert sorted(p.name for p in out.iterdir()) == expected
    for picture in out.iterdir():
        with Image.open(picture) as image:
            image.load()
            assert image.format == "PNG" and min(image.size) > 100
    assert printed == f"30 {DEFAULT_METHOD} saliency maps written to {out}/\n"
    assert "explaining" not in err  # a single batch: no progress line


def test_the_pictures_show_the_models_maps_and_predictions(
    folder_run, model, digit_tree
):
    from skcnn.inspection import saliency

    _, _, _, out, calls = folder_run
    _, pipeline = model
    files = [str(f) for f in _test_files(digit_tree)]
    network_input = pipeline[:-1].transform(files)
    expected = saliency(pipeline[-1], network_input)
    assert [c["path"].name for c in calls] == [
        f"{f.split('/')[-2]}__{f.split('/')[-1][:-4]}.png" for f in files
    ]
    np.testing.assert_allclose(
        np.stack([c["map"] for c in calls]), expected, rtol=1e-5, atol=1e-7
    )
    np.testing.assert_array_equal(np.stack([c["image"] for c in calls]), network_input)
    proba = pipeline.predict_proba(files)
    labels = pipeline.classes_[proba.argmax(axis=1)]
    best = proba.max(axis=1)
    for call, path, label, p in zip(calls, files, labels, best, strict=True):
        assert call["title"] == f"{path.split('/')[-1]}\npred: {label} ({p:.2f})"


def test_batches_show_progress_a_method_and_a_target(model, digit_tree, tmp_path):
    from skcnn.inspection import saliency

    path, pipeline = model
    files = _test_files(digit_tree)[:9]
    with _drawn() as calls:
        code, printed, err = _explain(
            path,
            *files,
            "--out",
            tmp_path,
            "--batch-size",
            "4",
            "--method",
            "gradients",
            "--target",
            "one",
        )
    assert code == 0, err
    for done in (4, 8, 9):
        assert f"explaining: {done}/9\n" in err
    assert printed.startswith("9 gradients saliency maps written")
    # The files share one folder: each picture is named after its file alone.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{f.stem}.png" for f in files
    )
    expected = saliency(
        pipeline[-1],
        pipeline[:-1].transform([str(f) for f in files]),
        method="gradients",
        target="one",
    )
    np.testing.assert_allclose(
        np.stack([c["map"] for c in calls]), expected, rtol=1e-5, atol=1e-7
    )
    assert all(c["title"].endswith("\nevidence for: one") for c in calls)
    code, _, err = _explain(
        path, *files[:5], "--out", tmp_path, "--batch-size", "2", "--quiet"
    )
    assert code == 0 and err == ""


def test_files_of_the_same_name_get_distinct_pictures(model, digit_tree, tmp_path):
    source = _test_files(digit_tree)[0]
    for name in ("a/x.png", "b/x.png", "b/x.jpg", "b/deep/x.png"):
        (tmp_path / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        Image.open(source).save(tmp_path / "in" / name)
    code, _, err = _explain(
        model[0],
        tmp_path / "in" / "a",
        tmp_path / "in" / "b",
        "--out",
        tmp_path / "out",
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a__x.png",
        "b__deep__x.png",
        "b__x_jpg.png",
        "b__x_png.png",
    ]


def test_a_model_whose_loader_streams(model, digit_tree, tmp_path):
    import copy

    from skcnn.io import dump

    _, pipeline = model
    streaming = copy.deepcopy(pipeline)
    streaming[0].stream = True  # as compare --save writes a streamed run's
    dump(streaming, tmp_path / "streaming.skcnn")
    files = _test_files(digit_tree)[:3]
    with _drawn() as calls:
        code, _, err = _explain(tmp_path / "streaming.skcnn", *files, "--out", tmp_path)
    assert code == 0, err
    np.testing.assert_array_equal(
        np.stack([c["image"] for c in calls]),
        pipeline[:-1].transform([str(f) for f in files]),
    )


def test_output_names():
    names = explain.output_names
    assert names(["/d/cat/1.jpg", "/d/dog/1.jpg"]) == ["cat__1.png", "dog__1.png"]
    assert names(["/d/1.jpg"]) == ["1.png"]
    # Names that differ in case only would meet on case-insensitive disks.
    assert names(["/d/1.jpg", "/d/1.png", "/d/1.PNG"]) == [
        "1_jpg.png",
        "1_png.png",
        "1_PNG-2.png",
    ]
    # The same file twice, and a numbered name that meets a file's own name.
    assert names(["/d/a.png", "/d/a.png", "/d/a-2.png"]) == [
        "a.png",
        "a-2.png",
        "a-2-2.png",
    ]
    assert names(["/d/A.png", "/d/a.png"]) == ["A.png", "a-2.png"]


def test_unreadable_files_are_named_and_the_others_explained(
    model, digit_tree, tmp_path
):
    good = _test_files(digit_tree)[:2]
    folder = tmp_path / "in"
    folder.mkdir()
    for f in good:
        shutil.copy(f, folder / f.name)
    (folder / "broken.png").write_bytes(b"this is not a png")
    code, printed, err = _explain(model[0], folder, "--out", tmp_path / "out")
    assert code == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{f.stem}.png" for f in good
    )
    assert printed.startswith(f"2 {DEFAULT_METHOD} saliency maps written")
    assert "1 of 3 files could not be read as images" in err and "broken.png" in err
    assert "Traceback" not in err


def test_bad_models_and_targets_exit_1(model, cnn_file, digit_tree, tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import ImageEmbedder, ImageLoader, PixelScaler
    from skcnn.io import dump

    files = _test_files(digit_tree)[:2]
    out = tmp_path / "out"
    code, _, err = _explain(tmp_path / "missing.joblib", *files, "--out", out)
    assert code == 1 and "no such model file" in err and not out.exists()
    code, _, err = _explain(model[0], *files, "--out", out, "--target", "seven")
    assert code == 1
    assert err == (
        "skcnn: error: unknown --target 'seven'; the model's classes are one, "
        "two, zero\n"
    )
    train = [str(f) for f in sorted((digit_tree / "train").rglob("*.png"))]
    embedder = make_pipeline(
        ImageLoader(),
        PixelScaler(),
        ImageEmbedder(backbone=cnn_file),
        LogisticRegression(max_iter=200),
    ).fit(train, [f.split("/")[-2] for f in train])
    dump(embedder, tmp_path / "embedder.skcnn")
    code, _, err = _explain(tmp_path / "embedder.skcnn", *files, "--out", out)
    assert code == 1
    assert "ImageEmbedder -> LogisticRegression; skcnn explain needs a model " in err
    assert "ending in CNNClassifier" in err
    assert not out.exists()  # refused before anything was written


def test_a_pickled_model_needs_allow_pickle(file_model, digit_tree, tmp_path):
    path, _ = file_model  # written by joblib
    files = _test_files(digit_tree)[:2]
    code, _, err = _explain(path, *files, "--out", tmp_path)
    assert code == 1 and "pass --allow-pickle to load it" in err
    assert list(tmp_path.iterdir()) == []
    code, printed, err = _explain(path, *files, "--out", tmp_path, "--allow-pickle")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{f.stem}.png" for f in files
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["m", "f"], "the following arguments are required: --out"),
        (["m", "f", "--out", "o", "--method", "lime"], "invalid choice: 'lime'"),
        (["m", "f", "--out", "o", "--batch-size", "0"], "expected a positive integer"),
        (["m", "--out", "o"], "FILE_OR_FOLDER"),
    ],
)
def test_usage_errors_exit_2(argv, message):
    code, _, err = _explain(*argv)
    assert code == 2 and message in err


def test_out_must_be_a_folder(model, digit_tree, tmp_path):
    (tmp_path / "taken").write_text("a file")
    code, _, err = _explain(
        model[0], _test_files(digit_tree)[0], "--out", tmp_path / "taken"
    )
    assert code == 2 and "argument --out: expected a folder, got the file" in err


def test_an_out_folder_that_cannot_be_made_is_refused_before_loading(
    model, digit_tree, tmp_path, monkeypatch
):
    (tmp_path / "taken").write_text("a file")
    out = tmp_path / "taken" / "maps"
    monkeypatch.setattr(explain.predict, "load_model", pytest.fail)
    code, _, err = _explain(model[0], _test_files(digit_tree)[0], "--out", out)
    assert code == 1
    assert err.startswith(f"skcnn: error: --out {out}: cannot write to ")
    assert not (tmp_path / "taken").is_dir()


def test_the_help_lists_the_methods_and_the_default():
    from skcnn.inspection._saliency import DEFAULT_METHOD

    text = build_parser()._subparsers._group_actions[0].choices["explain"].format_help()
    assert "--method {hirescam,gradcam,gradients,occlusion}" in text
    assert f"(default: {DEFAULT_METHOD})" in " ".join(text.split())


# ----------------------------------------------------------------------
# compare's picture (the whole run is in test_compare.py)


def test_compare_shows_correct_images_when_none_is_misclassified(
    model, digit_tree, tmp_path
):
    from skcnn.cli import _report

    _, pipeline = model
    files = np.array([str(f) for f in _test_files(digit_tree)])
    labels = np.array(["one", "two", "zero"])
    codes = np.searchsorted(labels, pipeline.predict(files))
    name, record = _saliency.compare_picture(
        pipeline, files, codes, codes, labels, list(labels), tmp_path
    )
    assert name == "saliency_correct.png" and (tmp_path / name).stat().st_size > 1000
    assert record == {
        "method": DEFAULT_METHOD,
        "images": "correctly classified",
        "n_images": 10,
        "of": 30,
    }
    results = {"pictures": {"saliency": name}, "saliency": record}
    section = " ".join(_report._saliency_section(results).split())
    assert section.startswith(
        f"Saliency maps ({DEFAULT_METHOD}) of 10 correctly classified test "
        "images (none was misclassified)"
    )
    assert section.endswith("![saliency maps](saliency_correct.png)")
    assert _report._saliency_section({"pictures": {}}) == ""  # older results
