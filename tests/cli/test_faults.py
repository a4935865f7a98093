"""Faults while saving and loading models: real limits, signals and damaged files.

Each fault is real: a file-size limit set on the command's process, a
folder it cannot write to, SIGINT and SIGKILL sent while a model is half
written, files cut short, files stamped with other versions. For each, the
outcome checked is the same: the earlier file is intact, the error is one
clear line, and no temporary file is left once the next write has run.
"""

import os
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time

import joblib
import numpy as np
import pytest

from skcnn import io as skcnn_io
from skcnn._versions import current_versions
from skcnn.cli import compare, main
from skcnn.exceptions import format_versions
from tests._stamps import OTHER_VERSIONS, dump_changed, from_a_newer_keras, stamped

#: Seconds a child may take to start, load a model and reach the point
#: waited for (TensorFlow takes seconds to import on a busy machine).
DEADLINE = 300

#: Bytes a file may grow to under the file-size limit: the command's
#: pictures fit (under 100 KB), a model does not (about 800 KB).
FILE_SIZE_LIMIT = 300_000

#: Saves the model that the first argument holds to the second with the
#: function ``skcnn compare --save`` calls, with a megabyte of the byte
#: --tag names (``saved_by_``) added, pickled first: a file mixing two
#: writers' bytes would show. With --gate, the save stops half-way, that
#: megabyte written, until a line comes on stdin.
_SAVER = """
import sys
from pathlib import Path

import joblib
import numpy as np

from skcnn.cli import compare


class Gate:
    def __reduce__(self):
        print("saving", flush=True)
        sys.stdin.readline()
        return (str, ("gate passed",))  # loads without this script


source, target, *options = sys.argv[1:]
model = joblib.load(source)
model.saved_by_ = options[options.index("--tag") + 1] if "--tag" in options else "a"
model.padding_ = np.full(1 << 20, ord(model.saved_by_), dtype=np.uint8)
if "--gate" in options:
    model.gate_ = Gate()  # pickled after the padding
print("loaded", flush=True)
compare._save_model(model, Path(target))
print("saved", flush=True)
"""


#: ``skcnn compare`` itself, the model it saves given a Gate that stops the
#: save half-way (the pictures and the model's network written first)
#: until a line comes on stdin.
_GATED_COMPARE = """
import sys

from skcnn.cli import compare, main


class Gate:
    def __reduce__(self):
        print("saving", flush=True)
        sys.stdin.readline()
        return (str, ("gate passed",))


chosen = compare._model_to_save


def gated(model, bunch):
    model = chosen(model, bunch)
    model.gate_ = Gate()
    return model


compare._model_to_save = gated
sys.exit(main(sys.argv[1:]))
"""


def _child_setup(limit=None):
    """Run in the child before exec: a terminal's SIGINT, and the size limit."""

    def setup():
        # A suite started in the background (``pytest &``) ignores SIGINT,
        # and children inherit that; a terminal's command does not.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return setup


def _start(argv, limit=None):
    return subprocess.Popen(
        [sys.executable, *map(str, argv)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        preexec_fn=_child_setup(limit),
    )


def _read_until(child, line):
    """Read ``child``'s stdout up to ``line``; fail at the deadline or its end."""
    seen = threading.Event()

    def read():
        for got in child.stdout:
            if got.strip() == line:
                seen.set()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(DEADLINE)
    if not seen.is_set():
        ended = "" if reader.is_alive() else " (it ended)"
        pytest.fail(f"no {line!r} from the child within {DEADLINE} s{ended}")


def _wait_for(condition, what):
    """Poll ``condition``; a generous deadline, for waiting only."""
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _litter(folder):
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def _error_line(err):
    """The command's one error line; anything else on stderr fails the test."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    assert lines[0].startswith("skcnn: error: ")
    return lines[0]


def _images(digit_tree):
    return sorted(str(p) for p in (digit_tree / "test").rglob("*.png"))[:6]


@pytest.fixture
def earlier(tmp_path, file_model):
    """A folder holding a good model in both formats, and their bytes."""
    _, pipeline = file_model
    folder = tmp_path / "models"
    folder.mkdir()
    skcnn_io.dump(pipeline, folder / "m.skcnn")
    joblib.dump(pipeline, folder / "m.joblib")
    files = {name: (folder / name).read_bytes() for name in ("m.skcnn", "m.joblib")}
    return folder, files, pipeline


def _assert_intact(folder, files, pipeline, digit_tree):
    """The earlier files are byte for byte as they were, and predict as before."""
    for name, data in files.items():
        assert (folder / name).read_bytes() == data, name
    images = _images(digit_tree)
    expected = pipeline.predict_proba(images)
    np.testing.assert_array_equal(
        skcnn_io.load(folder / "m.skcnn").predict_proba(images), expected
    )
    np.testing.assert_array_equal(
        joblib.load(folder / "m.joblib").predict_proba(images), expected
    )


# -- writing ---------------------------------------------------------------


@pytest.mark.slow
def test_a_file_size_limit_on_the_command(earlier, digit_tree, tmp_path):
    """RLIMIT_FSIZE on ``skcnn compare --save``: exit 1, one line, nothing lost."""
    folder, files, pipeline = earlier
    out = tmp_path / "results"
    out.mkdir()
    (out / "results.json").write_text("earlier")
    argv = ["-m", "skcnn", "compare", "--dataset", digit_tree, "--epochs", "1"]
    argv += ["--baselines", "logreg", "--out", out, "--save", folder / "m.skcnn"]
    child = _start([*argv, "--quiet"], limit=FILE_SIZE_LIMIT)
    _, err = child.communicate(timeout=DEADLINE)
    assert child.returncode == 1
    line = _error_line(err)
    assert line == f"skcnn: error: [Errno 27] File too large: '{folder / 'm.skcnn'}'"
    _assert_intact(folder, files, pipeline, digit_tree)
    assert _litter(folder) == [] and _litter(out) == []
    # It failed at the model: the pictures were written, the results not.
    assert (out / "results.json").read_text() == "earlier"
    assert (out / "training_curves.png").stat().st_size > 0


@pytest.fixture
def read_only(tmp_path):
    """A folder that the tests' user cannot write to, and a file in it.

    A plain user gets a folder of mode 0o555. Root writes to any folder
    whatever its mode; for root, the folder is made immutable instead
    (``chattr +i``), which root cannot write to either.
    """
    folder = tmp_path / "read_only"
    folder.mkdir()
    (folder / "m.skcnn").write_bytes(b"the earlier model")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    try:
        made = subprocess.run(["chattr", "+i", folder], capture_output=True)
    except OSError:
        made = None
    if made is None or made.returncode != 0:
        pytest.skip(
            "running as root, who can write to a folder of any mode, and "
            "chattr +i (an immutable folder) is not available or permitted"
        )
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", folder], check=True)


@pytest.mark.slow
@pytest.mark.parametrize("option", ["--save", "--out"])
def test_a_read_only_folder_fails_before_training(read_only, tmp_path, option):
    """Not writable: one line within seconds, nothing trained, nothing written."""
    if option == "--save":
        paths = ["--save", read_only / "m.skcnn", "--out", tmp_path / "results"]
    else:
        paths = ["--out", read_only / "results"]
    argv = ["-m", "skcnn", "compare", "--dataset", "digits", "--epochs", "1"]
    child = _start([*argv, *paths])
    stdout, err = child.communicate(timeout=DEADLINE)
    assert child.returncode == 1
    line = _error_line(err)
    given = paths[1]
    assert line.startswith(f"skcnn: error: {option} {given}: cannot write to ")
    assert line.endswith("; nothing was trained or written")
    assert "epoch" not in stdout and "dataset:" not in stdout
    assert sorted(p.name for p in read_only.iterdir()) == ["m.skcnn"]
    assert (read_only / "m.skcnn").read_bytes() == b"the earlier model"
    assert not (tmp_path / "results").exists()


@pytest.fixture
def light_model(tmp_path, digits):
    """A pickled scikit-learn pipeline that loads without TensorFlow.

    What the children of the signal and concurrency tests save: loading it
    takes no TensorFlow import (seconds), and saving it runs the same code
    as saving a CNN.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import PixelScaler

    X, y = digits
    path = tmp_path / "light.joblib"
    joblib.dump(make_pipeline(PixelScaler(), LogisticRegression()).fit(X, y), path)
    return path


def _saver(tmp_path, *args):
    script = tmp_path / "save_model.py"
    if not script.exists():
        script.write_text(textwrap.dedent(_SAVER))
    return _start([script, *args])


@pytest.mark.slow
def test_ctrl_c_while_the_command_saves(earlier, digit_tree, tmp_path):
    """SIGINT during ``skcnn compare --save``: exit 130, earlier model, no litter."""
    folder, files, pipeline = earlier
    script = tmp_path / "gated_compare.py"
    script.write_text(textwrap.dedent(_GATED_COMPARE))
    argv = ["compare", "--dataset", digit_tree, "--epochs", "1", "--baselines"]
    argv += ["logreg", "--out", tmp_path / "results", "--save", folder / "m.joblib"]
    child = _start([script, *argv, "--quiet"])
    try:
        _read_until(child, "saving")
        _wait_for(lambda: _litter(folder), "the temporary file")
        (partial,) = _litter(folder)
        assert partial.startswith(".m.joblib.tmp-") and f"-{child.pid}-" in partial
        assert (folder / partial).stat().st_size > 100_000  # the network is in
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=DEADLINE)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, err
    assert err.strip() == "skcnn: interrupted"
    assert _litter(folder) == []
    _assert_intact(folder, files, pipeline, digit_tree)


@pytest.mark.slow
def test_a_kill_while_saving_leaves_litter_that_the_next_save_removes(
    earlier, light_model, digit_tree, tmp_path
):
    folder, files, pipeline = earlier
    child = _saver(tmp_path, light_model, folder / "m.joblib", "--gate")
    try:
        _read_until(child, "saving")
        _wait_for(lambda: _litter(folder), "the temporary file")
        child.send_signal(signal.SIGKILL)
        child.wait(DEADLINE)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    (partial,) = _litter(folder)  # a killed process cannot clean up
    assert f"-{child.pid}-" in partial
    _assert_intact(folder, files, pipeline, digit_tree)
    # The next save into the folder, of any file, removes it.
    compare._save_model(pipeline, folder / "other.skcnn")
    assert _litter(folder) == []
    _assert_intact(folder, files, pipeline, digit_tree)


@pytest.mark.slow
def test_two_saves_to_one_path_at_once_leave_one_whole_model(
    earlier, light_model, digits, tmp_path
):
    """One save starts, a second saves whole meanwhile, then the first ends.

    Writing in place, the first would finish its bytes over the second's
    file: a mix of both. Each reader sees one writer's whole file.
    """
    folder, _, _ = earlier
    target = folder / "both.joblib"
    first = _saver(tmp_path, light_model, target, "--gate", "--tag", "a")
    try:
        _read_until(first, "saving")
        _wait_for(lambda: _litter(folder), "the first save's temporary file")
        second = _saver(tmp_path, light_model, target, "--tag", "b")
        _, err = second.communicate(timeout=DEADLINE)
        assert second.returncode == 0, err
        assert joblib.load(target).saved_by_ == "b"
        first.stdin.write("go\n")
        first.stdin.flush()
        _, err = first.communicate(timeout=DEADLINE)
        assert first.returncode == 0, err
    finally:
        first.kill()
        first.wait()
    model = joblib.load(target)
    assert model.saved_by_ == "a" and model.gate_ == "gate passed"
    assert (model.padding_ == ord("a")).all() and len(model.padding_) == 1 << 20
    X = digits[0]
    np.testing.assert_array_equal(
        model.predict_proba(X), joblib.load(light_model).predict_proba(X)
    )
    assert _litter(folder) == []


# -- loading ---------------------------------------------------------------


def _predict(capsys, *argv):
    code = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", ["m.skcnn", "m.joblib"])
@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.25, 0.5, 0.9, 0.999])
def test_a_truncated_model_file_is_one_clear_line(
    earlier, digit_tree, tmp_path, capsys, name, fraction
):
    folder, files, _ = earlier
    data = files[name]
    cut = tmp_path / f"cut{os.path.splitext(name)[1]}"
    cut.write_bytes(data[: int(len(data) * fraction)])
    code, out, err = _predict(capsys, "--allow-pickle", cut, *_images(digit_tree)[:1])
    assert code == 1 and out == ""
    line = _error_line(err)
    assert str(cut) in line
    if name == "m.joblib" and fraction == 0.0:
        # joblib's EOFError says nothing: the command says what happened.
        assert "empty or truncated" in line


def test_other_versions_warn_and_verbose_names_both(
    earlier, digit_tree, tmp_path, capsys
):
    _, _, pipeline = earlier
    path = tmp_path / "old.joblib"
    dump_changed(pipeline, path, stamped(OTHER_VERSIONS))
    images = _images(digit_tree)
    code, out, err = _predict(
        capsys, "--allow-pickle", "--verbose", "--format", "csv", path, *images
    )
    assert code == 0, err
    saved = format_versions(OTHER_VERSIONS)
    running = format_versions(current_versions())
    assert err.splitlines() == [
        f"skcnn: warning: This CNNClassifier was saved with {saved} and is loaded "
        f"with {running}. It may not behave as it did; refit it or install the "
        "versions it was saved with.",
        f"{path}: CNNClassifier saved with {saved}",
        f"running {running}",
    ]
    assert len(out.splitlines()) == 1 + len(images)  # and it still predicts


def test_verbose_without_a_mismatch_prints_the_versions_once(
    earlier, digit_tree, capsys
):
    folder, _, _ = earlier
    code, _, err = _predict(
        capsys, "--allow-pickle", "--verbose", folder / "m.joblib", *_images(digit_tree)
    )
    running = format_versions(current_versions())
    assert code == 0
    assert err.splitlines() == [
        f"{folder / 'm.joblib'}: CNNClassifier saved with {running}",
        f"running {running}",
    ]


def test_verbose_prints_the_versions_of_a_skcnn_file(earlier, digit_tree, capsys):
    folder, _, _ = earlier
    model = folder / "m.skcnn"
    code, _, err = _predict(capsys, "--verbose", model, *_images(digit_tree))
    running = format_versions(current_versions())
    assert code == 0
    assert err.splitlines() == [
        f"{model}: CNNClassifier saved with {running}",
        f"running {running}",
    ]


def test_a_network_this_keras_cannot_rebuild_is_one_clear_line(
    earlier, digit_tree, tmp_path, capsys
):
    _, _, pipeline = earlier
    path = tmp_path / "newer.joblib"
    dump_changed(pipeline, path, from_a_newer_keras)
    code, out, err = _predict(capsys, "--allow-pickle", path, *_images(digit_tree))
    assert code == 1 and out == ""
    line = _error_line(err)
    assert line.startswith("skcnn: error: This CNNClassifier cannot be loaded: ")
    assert "keras 9.0.0" in line
    assert f"keras {current_versions()['keras']}" in line
