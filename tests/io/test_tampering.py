"""Model files built to run code or exhaust memory: each refused, nothing run.

Every test builds its own file from a genuine one, member by member.
"""

import importlib
import io
import sys
import threading
import zipfile

import numpy as np
import pytest

from skcnn.exceptions import ModelFileError, UntrustedTypeError
from skcnn.io import _archive, dump, load
from tests.io._archives import (
    archive_bytes,
    edit_json,
    lie_about_size,
    members,
    rewrite,
    rewrite_members,
)


@pytest.fixture
def scaler_file(tmp_path):
    """A fitted PixelScaler(method="standard"): JSON and two arrays, no network."""
    from skcnn import PixelScaler

    path = tmp_path / "scaler.skcnn"
    X = np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)
    dump(PixelScaler(method="standard").fit(X), path)
    return path


def _params(document):
    return document["estimator"]["params"]


# -- code in the network ---------------------------------------------------


def _lambda_network(marker):
    """A .keras archive whose Lambda layer writes ``marker`` when it runs."""
    from skcnn._engine.runtime import keras

    inputs = keras.Input((8, 8, 1))
    # A Python lambda with the marker's path in its code: Keras stores its
    # bytecode (Keras's unsafe loading mishandles a lambda's defaults).
    source = f"lambda x: (__import__('pathlib').Path({str(marker)!r}).touch() or x) * 2"
    outputs = keras.layers.Lambda(eval(source))(inputs)  # noqa: S307
    return keras.Model(inputs, keras.layers.Flatten()(outputs))


@pytest.fixture
def lambda_file(tmp_path, classifier_file):
    """The classifier's file with its network replaced by one with a Lambda."""
    marker = tmp_path / "ran.txt"
    network = _lambda_network(marker)
    assert marker.exists()  # building the layer ran it once, here
    marker.unlink()
    network.save(tmp_path / "lambda.keras")
    path = rewrite(
        classifier_file,
        tmp_path / "lambda.skcnn",
        networks__0_keras=(tmp_path / "lambda.keras").read_bytes(),
    )
    return path, marker


def test_a_network_with_a_lambda_layer_is_refused_and_never_runs(lambda_file, tmp_path):
    from skcnn._engine.runtime import keras

    path, marker = lambda_file
    with pytest.raises(ModelFileError, match="holds Python code") as info:
        load(path)
    assert "Lambda" in str(info.value)
    assert not marker.exists()
    # The check can fail: loaded without safe mode, the lambda runs.
    keras.saving.load_model(tmp_path / "lambda.keras", safe_mode=False)
    assert marker.exists()


def test_safe_mode_holds_where_unsafe_loading_was_enabled(lambda_file):
    from skcnn._engine.runtime import keras

    path, marker = lambda_file
    outcome = {}

    def in_a_thread():
        # Keras keeps this switch per thread: the test's own thread and the
        # process stay as they were.
        keras.config.enable_unsafe_deserialization()
        try:
            load(path)
        except Exception as exc:  # noqa: BLE001
            outcome["error"] = exc

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert isinstance(outcome.get("error"), ModelFileError)
    assert not marker.exists()


# -- classes and markers in the JSON ---------------------------------------


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "this.Zen"])
def test_a_class_outside_the_allow_list_is_refused_before_any_import(
    name, scaler_file, tmp_path, monkeypatch
):
    if name.startswith("this.") and "this" in sys.modules:
        pytest.skip("the module 'this' is already imported")
    imported = []
    real_import = __import__

    def spy(module, *args, **kwargs):
        imported.append(module)
        return real_import(module, *args, **kwargs)

    def rename(document):
        document["estimator"]["class"] = name

    rewrite(scaler_file, tmp_path / "evil.skcnn", estimator_json=edit_json(rename))

    def spy_module(module, *args, **kwargs):
        imported.append(module)
        return real_import_module(module, *args, **kwargs)

    real_import_module = importlib.import_module
    monkeypatch.setattr("builtins.__import__", spy)
    monkeypatch.setattr(importlib, "import_module", spy_module)
    with pytest.raises(UntrustedTypeError, match=name.replace(".", r"\.")) as info:
        load(tmp_path / "evil.skcnn")
    assert info.value.types == [name]
    assert name.split(".")[0] not in imported
    assert "this" not in sys.modules or not name.startswith("this.")


def test_a_trusted_function_is_still_never_called(scaler_file, tmp_path):
    def rename(document):
        document["estimator"]["class"] = "os.system"
        _params(document).clear()
        _params(document)["command"] = f"touch {tmp_path / 'ran.txt'}"

    rewrite(scaler_file, tmp_path / "evil.skcnn", estimator_json=edit_json(rename))
    with pytest.raises(ModelFileError, match="os.system, which is not a class"):
        load(tmp_path / "evil.skcnn", trusted=["os.system"])
    assert not (tmp_path / "ran.txt").exists()


def test_a_parameter_built_to_look_like_an_object_stays_data(scaler_file, tmp_path):
    lookalike = {
        "__class__": "os.system",
        "__reduce__": ["os.system", [f"touch {tmp_path / 'ran.txt'}"]],
        "py/object": "subprocess.Popen",
    }

    def inject(document):
        _params(document)["max_value"] = lookalike

    rewrite(scaler_file, tmp_path / "lookalike.skcnn", estimator_json=edit_json(inject))
    loaded = load(tmp_path / "lookalike.skcnn")
    assert loaded.max_value == lookalike  # a plain dict of strings
    assert not (tmp_path / "ran.txt").exists()


@pytest.mark.parametrize(
    "value, error, message",
    [
        (
            {"__skcnn__": "estimator", "class": "os.system", "params": {}, "state": {}},
            UntrustedTypeError,
            "os.system",
        ),
        (
            {"__skcnn__": "class", "name": "subprocess.Popen"},
            UntrustedTypeError,
            "Popen",
        ),
        ({"__skcnn__": "call", "function": "os.system"}, ModelFileError, "'call'"),
        (
            {"__skcnn__": "tuple", "items": [], "then": "os.system"},
            ModelFileError,
            "is not a value a skcnn model file holds",
        ),
        ({"__skcnn__": "dtype", "value": "O"}, ModelFileError, "not a dtype"),
        ({"__skcnn__": "dtype", "value": "|O"}, ModelFileError, "not a dtype"),
        (
            {"__skcnn__": "array", "file": "../../etc/passwd", "object": False},
            ModelFileError,
            "which it does not hold",
        ),
        (
            {"__skcnn__": "network", "file": "arrays/0.npy"},
            ModelFileError,
            "which it does not hold",
        ),
        ({"__skcnn__": "scalar", "dtype": "|i1", "value": 1000}, ModelFileError, "fit"),
        ({"__skcnn__": "dict", "items": [[[1], 2]]}, ModelFileError, "not hashable"),
    ],
    ids=[
        "estimator os.system",
        "class Popen",
        "unknown kind",
        "extra key",
        "object dtype",
        "object dtype 2",
        "array path",
        "network path",
        "overflow",
        "unhashable key",
    ],
)
def test_markers_are_parsed_strictly(value, error, message, scaler_file, tmp_path):
    def inject(document):
        _params(document)["max_value"] = value

    rewrite(scaler_file, tmp_path / "evil.skcnn", estimator_json=edit_json(inject))
    with pytest.raises(error, match=message):
        load(tmp_path / "evil.skcnn")


def test_fitted_attributes_outside_the_schema_are_refused(scaler_file, tmp_path):
    def inject(document):
        document["estimator"]["state"]["__class__"] = "os.system"

    rewrite(scaler_file, tmp_path / "evil.skcnn", estimator_json=edit_json(inject))
    with pytest.raises(ModelFileError, match="not part of its state"):
        load(tmp_path / "evil.skcnn")


def test_deep_nesting_is_refused(scaler_file, tmp_path):
    deep = "x"
    for _ in range(200):
        deep = [deep]
    rewrite(
        scaler_file,
        tmp_path / "deep.skcnn",
        estimator_json=edit_json(lambda d: _params(d).update(max_value=deep)),
    )
    with pytest.raises(ModelFileError, match="nested more than 100 levels"):
        load(tmp_path / "deep.skcnn")


# -- arrays ------------------------------------------------------------------


class _Trap:
    """Unpickling it would write a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_an_object_array_is_refused_unread(scaler_file, tmp_path):
    marker = tmp_path / "ran.txt"
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Trap(marker)], dtype=object), allow_pickle=True)
    rewrite(scaler_file, tmp_path / "object.skcnn", arrays__0_npy=buffer.getvalue())
    with pytest.raises(ModelFileError, match="dtype object") as info:
        load(tmp_path / "object.skcnn")
    assert "would need a pickle" in str(info.value)
    assert not marker.exists()
    # The check can fail: with pickles allowed, the array runs its code.
    np.load(io.BytesIO(buffer.getvalue()), allow_pickle=True)
    assert marker.exists()


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros(2, dtype=[("a", "<i4")]), "dtype"),
        (np.zeros(2, dtype="datetime64[s]"), "dtype"),
        (np.zeros(2, dtype="S3"), "dtype"),
    ],
    ids=["structured", "datetime", "bytes"],
)
def test_arrays_of_other_dtypes_are_refused(array, message, scaler_file, tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    rewrite(scaler_file, tmp_path / "bad.skcnn", arrays__0_npy=buffer.getvalue())
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "bad.skcnn")


def test_an_array_whose_header_lies_is_refused(scaler_file, tmp_path):
    data = members(scaler_file)["arrays/0.npy"]
    rewrite(scaler_file, tmp_path / "short.skcnn", arrays__0_npy=data[:-4])
    with pytest.raises(ModelFileError, match="other bytes than its header declares"):
        load(tmp_path / "short.skcnn")
    rewrite(scaler_file, tmp_path / "junk.skcnn", arrays__0_npy=b"\x93NUMPY junk")
    with pytest.raises(ModelFileError, match="not a valid .npy array"):
        load(tmp_path / "junk.skcnn")


# -- member names -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("../evil.json", "a '..' component"),
        ("arrays/../../evil.npy", "a '..' component"),
        ("/etc/cron.d/evil", "an absolute path"),
        ("C:/Windows/evil.npy", "an absolute path"),
        ("arrays\\..\\evil.npy", "a backslash"),
        ("extra.txt", "does not hold"),
        ("arrays/0.npy.exe", "does not hold"),
    ],
)
def test_members_with_unsafe_or_unknown_names_are_refused(
    name, reason, scaler_file, tmp_path
):
    rewrite_members(scaler_file, tmp_path / "names.skcnn", {name: b"{}"})
    with pytest.raises(ModelFileError, match=reason) as info:
        load(tmp_path / "names.skcnn")
    assert repr(name) in str(info.value)


def test_a_member_twice_is_refused(scaler_file, tmp_path):
    contents = members(scaler_file)
    with zipfile.ZipFile(tmp_path / "twice.skcnn", "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("estimator.json", b"{}")
    with pytest.raises(ModelFileError, match="twice"):
        load(tmp_path / "twice.skcnn")


# -- zip bombs ----------------------------------------------------------------

LIMIT = 1024**2  # the tests lower the limit to 1 MiB; the logic is the same


@pytest.fixture
def low_limit(monkeypatch):
    monkeypatch.setattr(_archive, "MAX_TOTAL_BYTES", LIMIT)


def _bomb(size=3 * LIMIT):
    """A .npy of zeros that decompresses to ``size`` bytes (a few KB deflated)."""
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(size // 8), allow_pickle=False)
    return buffer.getvalue()


def test_members_declaring_more_than_the_limit_are_refused_unread(
    scaler_file, tmp_path, low_limit, monkeypatch
):
    rewrite(scaler_file, tmp_path / "bomb.skcnn", arrays__0_npy=_bomb())
    assert (tmp_path / "bomb.skcnn").stat().st_size < 50_000
    opened = []
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or 1 / 0
    )
    with pytest.raises(ModelFileError, match="possible zip bomb") as info:
        load(tmp_path / "bomb.skcnn")
    assert "declares" in str(info.value) and f"{LIMIT:,}" in str(info.value)
    assert opened == []  # refused from the directory, before decompressing


def test_a_member_decompressing_past_its_declared_size_is_refused(
    scaler_file, tmp_path, low_limit
):
    data = archive_bytes({**members(scaler_file), "arrays/0.npy": _bomb()})
    # The directory says 1,000 bytes; the data inflate to 3 MiB.
    (tmp_path / "liar.skcnn").write_bytes(lie_about_size(data, "arrays/0.npy", 1000))
    with pytest.raises(ModelFileError, match="arrays/0.npy") as info:
        load(tmp_path / "liar.skcnn")
    assert "corrupt" in str(info.value) or "more than" in str(info.value)


def test_corrupt_compressed_data_is_refused(scaler_file, tmp_path):
    data = bytearray(scaler_file.read_bytes())
    with zipfile.ZipFile(scaler_file) as archive:
        info = archive.getinfo("estimator.json")
    start = info.header_offset + 30 + len(info.filename)  # after its local header
    data[start + 10 : start + 40] = bytes(30)
    (tmp_path / "corrupt.skcnn").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="'estimator.json' is corrupt"):
        load(tmp_path / "corrupt.skcnn")


def test_the_limit_counts_every_member_together(scaler_file, tmp_path, monkeypatch):
    real = sum(len(d) for d in members(scaler_file).values())
    monkeypatch.setattr(_archive, "MAX_TOTAL_BYTES", real - 1)
    with pytest.raises(ModelFileError, match="possible zip bomb"):
        load(scaler_file)
    monkeypatch.setattr(_archive, "MAX_TOTAL_BYTES", real)
    assert load(scaler_file).mean_.shape == (3,)


@pytest.fixture
def keras_never_called(monkeypatch):
    from skcnn._engine.runtime import keras

    def refuse(*args, **kwargs):
        raise AssertionError("Keras opened the network")

    monkeypatch.setattr(keras.saving, "load_model", refuse)


def _with_network(classifier_file, target, change):
    network = members(classifier_file)["networks/0.keras"]
    inner = members(io.BytesIO(network))
    return rewrite(classifier_file, target, networks__0_keras=change(inner, network))


def test_a_bomb_inside_the_network_is_refused_before_keras_opens_it(
    classifier_file, tmp_path, low_limit, keras_never_called
):
    assert len(members(classifier_file)["networks/0.keras"]) < LIMIT / 4

    def add_bomb(inner, _):
        return archive_bytes({**inner, "assets/big.bin": bytes(3 * LIMIT)})

    path = _with_network(classifier_file, tmp_path / "bomb.skcnn", add_bomb)
    with pytest.raises(ModelFileError, match="possible zip bomb") as info:
        load(path)
    assert "network networks/0.keras" in str(info.value)


def test_a_network_member_lying_about_its_size_is_refused(
    classifier_file, tmp_path, low_limit, keras_never_called
):
    def lie(inner, _):
        data = archive_bytes({**inner, "assets/big.bin": bytes(3 * LIMIT)})
        return lie_about_size(data, "assets/big.bin", 100)

    path = _with_network(classifier_file, tmp_path / "liar.skcnn", lie)
    with pytest.raises(ModelFileError, match="assets/big.bin"):
        load(path)


@pytest.mark.parametrize("name", ["../../evil.py", "/tmp/evil.py"])
def test_a_network_member_with_an_unsafe_name_is_refused(
    name, classifier_file, tmp_path, keras_never_called
):
    def add(inner, _):
        return archive_bytes({**inner, name: b"import os"})

    path = _with_network(classifier_file, tmp_path / "names.skcnn", add)
    with pytest.raises(ModelFileError, match="must stay inside the archive"):
        load(path)


def test_a_genuine_network_loads_under_the_lowered_limit(
    classifier_file, low_limit, digits_scaled, small_classifier
):
    X, _ = digits_scaled
    np.testing.assert_array_equal(
        load(classifier_file).predict(X[:20]), small_classifier.predict(X[:20])
    )


def test_the_limits_are_stated():
    assert _archive.MAX_TOTAL_BYTES == 2 * 1024**3
    assert _archive.MAX_MEMBERS == 10_000
    assert _archive.MAX_JSON_BYTES == 64 * 1024**2
