"""``--save`` writes .skcnn files by default; ``skcnn predict`` reads pickles
only with ``--allow-pickle``."""

import json
from pathlib import Path

import pytest

from skcnn.cli import compare, main, predict
from tests.io._archives import edit_json, rewrite


def _predict(capsys, *argv):
    code = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_pickle_needs_allow_pickle_and_says_why(file_model, digit_tree, capsys):
    path, model = file_model  # written by joblib
    code, out, err = _predict(capsys, path, digit_tree / "test")
    assert (code, out) == (1, "")
    assert "is not a .skcnn model file" in err
    assert "loading it runs code stored in the file" in err
    assert "pass --allow-pickle" in err and "Traceback" not in err
    code, out, err = _predict(
        capsys, path, digit_tree / "test", "--format", "json", "--allow-pickle"
    )
    assert code == 0, err
    files = sorted(str(f) for f in (digit_tree / "test").rglob("*.png"))
    assert [row["label"] for row in json.loads(out)] == model.predict(files).tolist()


def test_both_formats_give_the_same_rows(
    file_model, safe_file_model, digit_tree, capsys
):
    _, pickled, _ = _predict(
        capsys, file_model[0], digit_tree / "test", "--format", "csv", "--allow-pickle"
    )
    code, safe, err = _predict(
        capsys, safe_file_model[0], digit_tree / "test", "--format", "csv"
    )
    assert code == 0, err
    assert safe == pickled and len(safe.splitlines()) == 31
    # --allow-pickle changes nothing for a .skcnn file.
    _, again, _ = _predict(
        capsys,
        safe_file_model[0],
        digit_tree / "test",
        "--format",
        "csv",
        "--allow-pickle",
    )
    assert again == safe


def test_a_tampered_file_is_one_line_of_error(
    safe_file_model, digit_tree, tmp_path, capsys
):
    def evil(document):
        document["estimator"]["class"] = "os.system"

    path = rewrite(
        safe_file_model[0], tmp_path / "evil.skcnn", estimator_json=edit_json(evil)
    )
    code, out, err = _predict(capsys, path, digit_tree / "test", "--allow-pickle")
    assert (code, out) == (1, "")
    assert err.startswith("skcnn: error: The model file") and "os.system" in err
    assert len(err.strip().splitlines()) == 1


def test_load_model_is_shared_with_explain():
    import inspect

    from skcnn.cli import explain

    assert "allow_pickle" in inspect.signature(predict.load_model).parameters
    source = inspect.getsource(explain)
    assert "predict.load_model(" in source
    assert "allow_pickle=args.allow_pickle" in source


@pytest.mark.parametrize(
    "name", ["model.h5", "model", "model.keras", "model.skcnn.txt"]
)
def test_save_with_another_suffix_is_a_usage_error(name, tmp_path, capsys):
    code = main(["compare", "--dataset", "digits", "--save", str(tmp_path / name)])
    assert code == 2
    err = capsys.readouterr().err
    assert "argument --save: expected a file name ending in .skcnn, .joblib" in err
    assert not (tmp_path / name).exists()


def test_save_writes_the_format_its_suffix_names(file_model, tmp_path):
    from skcnn.io import load

    model = file_model[1]
    compare._save_model(model, tmp_path / "deep" / "m.skcnn")
    assert (tmp_path / "deep" / "m.skcnn").read_bytes()[:2] == b"PK"
    assert repr(load(tmp_path / "deep" / "m.skcnn")) == repr(model)
    for suffix in (".joblib", ".PKL", ".pickle"):
        compare._save_model(model, tmp_path / f"m{suffix}")
        assert (tmp_path / f"m{suffix}").read_bytes()[:2] != b"PK"
        with pytest.raises(predict.CommandError, match="--allow-pickle"):
            predict.load_model(tmp_path / f"m{suffix}")
        loaded = predict.load_model(tmp_path / f"m{suffix}", allow_pickle=True)
        assert repr(loaded) == repr(model)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "deep",
        "m.PKL",
        "m.joblib",
        "m.pickle",
    ]  # no temporary files left


def test_the_message_after_saving_names_how_to_use_the_file():
    assert compare._save_usage(Path("m.skcnn"), True) == "skcnn predict m.skcnn FILES"
    pickle = Path("m.joblib")
    assert (
        compare._save_usage(pickle, True)
        == "skcnn predict --allow-pickle m.joblib FILES"
    )
    assert "skcnn.io.load" in compare._save_usage(pickle.with_suffix(".skcnn"), False)
    assert "trust" in compare._save_usage(pickle, False)


def test_help_texts_name_both_formats(capsys):
    assert main(["predict", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--allow-pickle" in text and "runs code stored in it" in text
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "PATH.skcnn in skcnn's own format" in text


def test_verbose_names_the_versions_a_skcnn_file_recorded(
    safe_file_model, digit_tree, capsys
):
    from skcnn._versions import current_versions
    from skcnn.exceptions import format_versions

    code, _, err = _predict(
        capsys, "--verbose", safe_file_model[0], digit_tree / "test"
    )
    assert code == 0, err
    running = format_versions(current_versions())
    assert f"{safe_file_model[0]}: CNNClassifier saved with {running}" in err
