"""Argument types and the options the training subcommands share."""

import argparse
from pathlib import Path

import pytest

from skcnn.cli import _args


@pytest.mark.parametrize("text, value", [("1", 1), ("7", 7), ("0012", 12), (" 3 ", 3)])
def test_positive_int(text, value):
    assert _args.positive_int(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "x", ""])
def test_positive_int_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.positive_int(text)
    assert str(raised.value) == f"expected a positive integer, got {text!r}"


def test_epochs_is_a_count_or_auto():
    assert _args.epochs("auto") == "auto"
    assert _args.epochs("25") == 25
    for text in ("0", "AUTO", "many", "-3"):
        with pytest.raises(argparse.ArgumentTypeError) as raised:
            _args.epochs(text)
        assert str(raised.value) == (
            f"expected a positive integer or 'auto', got {text!r}"
        )
        assert raised.value.__cause__ is None and raised.value.__suppress_context__


@pytest.mark.parametrize(
    "text, value", [("16", (16,)), ("16,32", (16, 32)), ("8, 16 ,32", (8, 16, 32))]
)
def test_filters(text, value):
    assert _args.filters(text) == value


@pytest.mark.parametrize("text", ["", "16,", ",16", "0,4", "4,-8", "a", "16;32"])
def test_filters_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.filters(text)
    assert str(raised.value) == (
        f"expected filters like 16,32 (positive ints per block), got {text!r}"
    )


@pytest.mark.parametrize("text, value", [("0", 0.0), ("0.25", 0.25), ("0.999", 0.999)])
def test_dropout(text, value):
    assert _args.dropout(text) == value


@pytest.mark.parametrize("text", ["1", "1.0", "-0.1", "nan", "half"])
def test_dropout_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.dropout(text)
    assert str(raised.value) == f"expected a dropout in [0, 1), got {text!r}"


@pytest.mark.parametrize("text, value", [("0.2", 0.2), ("0.001", 0.001), (".5", 0.5)])
def test_fraction(text, value):
    assert _args.fraction(text) == value


@pytest.mark.parametrize("text", ["0", "1", "-0.5", "1.5", "nan", "a fifth"])
def test_fraction_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.fraction(text)
    assert str(raised.value) == f"expected a fraction between 0 and 1, got {text!r}"


def test_dataset_is_a_name_or_an_existing_folder(tmp_path):
    for name in _args.DATASETS:
        assert _args.dataset(name) == name
    assert _args.dataset(str(tmp_path)) == tmp_path
    assert isinstance(_args.dataset(str(tmp_path)), Path)
    choices = "auto, mnist, mnist-sample, digits, cifar10"
    a_file = tmp_path / "images.zip"
    a_file.write_bytes(b"PK")
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.dataset(str(a_file))
    assert str(raised.value) == (
        f"expected one of {choices} or a folder of images, got the file {str(a_file)!r}"
    )
    with pytest.raises(argparse.ArgumentTypeError) as raised:
        _args.dataset("MNIST")  # names are case-sensitive; no such folder
    assert str(raised.value) == (
        f"invalid choice: 'MNIST' (choose from {choices}, or give a folder of "
        "images; no such folder exists either)"
    )


def test_a_folder_named_like_a_dataset_is_the_dataset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "digits").mkdir()
    assert _args.dataset("digits") == "digits"
    assert _args.dataset("./digits") == Path("digits")


@pytest.mark.parametrize(
    "values, size",
    [
        (["28", "28"], (28, 28)),
        (["24", "32"], (24, 32)),
        (["24x32"], (24, 32)),
        (["24X32"], (24, 32)),
        (["1x1"], (1, 1)),
        (["24"], None),
        (["24", "32", "3"], None),
        (["24x32x3"], None),
        (["0x8"], None),
        (["8", "-8"], None),
        (["ax8"], None),
        (["24,32"], None),
    ],
)
def test_image_size(values, size):
    assert _args.image_size(values) == size


def _training_parser(run=None, check=None):
    parser = argparse.ArgumentParser(prog="tool")
    commands = parser.add_subparsers(dest="command", required=True)
    sub = _args.add_training_command(
        commands,
        "train",
        run,
        check,
        "train-results",
        help="train something",
        description="Trains something.",
    )
    return parser, sub


def test_training_command_defaults():
    def run(args):
        return "ran"

    def check(parser, args):
        return None

    parser, sub = _training_parser(run, check)
    args = parser.parse_args(["train"])
    assert vars(args) == {
        "command": "train",
        "dataset": "auto",
        "image_size": None,
        "test_size": None,
        "out": Path("train-results"),
        "random_state": 0,
        "quiet": False,
        "run": run,
        "check": check,
        "subparser": sub,
    }
    assert sub.description == "Trains something."
    assert "train something" in parser.format_help()


def test_training_command_options(tmp_path):
    parser, _ = _training_parser()
    args = parser.parse_args(
        [
            "train",
            "--dataset",
            str(tmp_path),
            "--image-size",
            "12x10",
            "--test-size",
            "0.3",
            "--out",
            str(tmp_path / "out"),
            "--random-state",
            "42",
            "--quiet",
        ]
    )
    assert args.dataset == tmp_path
    assert args.image_size == (12, 10) and args.test_size == 0.3
    assert args.out == tmp_path / "out" and isinstance(args.out, Path)
    assert args.random_state == 42 and args.quiet is True
    args = parser.parse_args(["train", "--image-size", "12", "10"])
    assert args.image_size == (12, 10)


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--image-size", "12"],
            "argument --image-size: expected a height and a width like '28 28' or "
            "28x28 (positive ints), got '12'",
        ),
        (["--image-size", "3", "0"], "got '3 0'"),
        (["--image-size"], "argument --image-size: expected at least one argument"),
        (["--random-state", "seed"], "argument --random-state: invalid int value"),
        (["--test-size", "0"], "expected a fraction between 0 and 1, got '0'"),
        (["--dataset", "imagenet"], "invalid choice: 'imagenet'"),
    ],
)
def test_malformed_options_are_usage_errors(argv, message, capsys):
    parser, _ = _training_parser()
    with pytest.raises(SystemExit) as raised:
        parser.parse_args(["train", *argv])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: tool train")
    assert message in err


def _check(argv, capsys):
    """Parse ``argv`` and run check_common_options; return the error or None."""
    parser, sub = _training_parser()
    args = parser.parse_args(["train", *argv])
    try:
        _args.check_common_options(sub, args)
    except SystemExit as exc:
        assert exc.code == 2
        return capsys.readouterr().err.splitlines()[-1]
    return None


def test_folder_options_with_a_named_dataset_are_refused(capsys):
    assert _check(["--dataset", "digits"], capsys) is None
    assert _check(["--dataset", "digits", "--image-size", "8x8"], capsys) == (
        "tool train: error: --image-size applies to folder datasets only, not "
        "to --dataset digits"
    )
    assert _check(["--test-size", "0.3"], capsys) == (
        "tool train: error: --test-size applies to folder datasets only, not "
        "to --dataset auto"
    )


def test_test_size_is_refused_for_a_folder_with_its_own_split(tmp_path, capsys):
    flat = tmp_path / "flat"
    (flat / "cats").mkdir(parents=True)
    argv = ["--image-size", "8x8", "--test-size", "0.3"]
    assert _check(["--dataset", str(flat), *argv], capsys) is None
    split = tmp_path / "split"
    (split / "train").mkdir(parents=True)
    assert _check(["--dataset", str(split), *argv], capsys) is None  # no test/
    (split / "test").mkdir()
    assert _check(["--dataset", str(split), "--image-size", "8x8"], capsys) is None
    assert _check(["--dataset", str(split), *argv], capsys) == (
        f"tool train: error: --test-size does not apply: {split} has train/ "
        "and test/ folders, which are used as the split"
    )
