"""CommandError: the error a subcommand raises for one line on stderr and exit 1."""

from pathlib import Path

import pytest

from skcnn.cli import _errors, main, predict
from skcnn.cli._errors import CommandError


def test_command_error_is_its_own_kind_of_exception():
    assert issubclass(CommandError, Exception)
    # Not an OSError or ValueError: those mean a bad file or value, and the
    # command reports them too, but a CommandError is always the command's.
    assert not issubclass(CommandError, (OSError, ValueError))
    assert _errors.CommandError is CommandError
    error = CommandError("no such model file: m.joblib")
    assert str(error) == "no such model file: m.joblib"


def _run_raising(monkeypatch, capsys, exc):
    def run(args):
        raise exc

    monkeypatch.setattr(predict, "run", run)
    code = main(["predict", "model.joblib", "image.png"])
    return code, capsys.readouterr()


def test_a_command_error_exits_1_with_its_message(monkeypatch, capsys):
    code, captured = _run_raising(
        monkeypatch, capsys, CommandError("2 of 3 files could not be read")
    )
    assert code == 1
    assert captured.out == ""
    assert captured.err == "skcnn: error: 2 of 3 files could not be read\n"


def test_a_multiline_command_error_is_printed_as_given(monkeypatch, capsys):
    message = "2 of 3 files could not be read:\n  a.png\n  b.png"
    code, captured = _run_raising(monkeypatch, capsys, CommandError(message))
    assert code == 1
    assert captured.err == f"skcnn: error: {message}\n"


def test_other_errors_also_name_their_type(monkeypatch, capsys):
    # For contrast: an unexpected exception shows its type, a CommandError
    # (like an OSError or a ValueError) only its message.
    code, captured = _run_raising(monkeypatch, capsys, RuntimeError("boom"))
    assert code == 1
    assert captured.err == "skcnn: error: RuntimeError: boom\n"
    code, captured = _run_raising(monkeypatch, capsys, ValueError("bad"))
    assert (code, captured.err) == (1, "skcnn: error: bad\n")


def test_subcommands_raise_command_errors_for_bad_inputs(tmp_path):
    with pytest.raises(CommandError) as raised:
        predict.find_images([tmp_path / "nowhere"])
    assert str(raised.value) == f"no such file or folder: {tmp_path / 'nowhere'}"
    with pytest.raises(CommandError) as raised:
        predict.load_model(Path(tmp_path))
    assert str(raised.value) == f"expected a model file, got the folder {tmp_path}"
