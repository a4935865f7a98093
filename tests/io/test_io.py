"""skcnn.io: round trips with the same types and predictions, what dump refuses,
no pickle read, the format and version checks."""

import builtins
import collections
import json
import math
import pathlib
import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone

from skcnn.exceptions import (
    IncompatibleModelError,
    InconsistentVersionWarning,
    ModelFileError,
    UntrustedTypeError,
)
from skcnn.io import TRUSTED, dump, load
from tests.io._archives import edit_json, members, rewrite


class Holder(BaseEstimator):
    """An estimator whose parameter and fitted attributes hold any value."""

    def __init__(self, value=None, other=None):
        self.value = value
        self.other = other

    def fit(self, X=None, y=None):
        self.learned_ = self.value
        self._private = [self.value]
        return self


HOLDER = f"{__name__}.Holder"


def assert_same(a, b, where="value"):
    """Equal values of exactly the same types, all the way down."""
    assert type(a) is type(b), f"{where}: {type(a)} is not {type(b)}"
    if isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), where
        assert a.flags.f_contiguous == b.flags.f_contiguous, where
        if a.dtype == object:
            assert a.tolist() == b.tolist(), where
        else:
            np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert len(a) == len(b), where
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
            assert_same(ka, kb, f"{where} key")
            assert_same(va, vb, f"{where}[{ka!r}]")
    elif isinstance(a, float | np.floating):
        assert (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        ), where
    else:
        assert a == b, where


VALUES = {
    "plain": [None, True, False, 0, 1, 2**70, -0.0, 0.1, 1e308, "", "ünï ☃"],
    "non-finite floats": [math.nan, math.inf, -math.inf],
    "tuples": (1, (2, (3.0,)), (), [()]),
    "nested lists": [[1, [2.0, [None]]], []],
    "int keys (class_weight)": {0: 1.0, 1: 2.5, -3: 0.5},
    "keys of several types": {"a": 1, 2: "b", (1, 2): None, 1.5: [1], None: 0},
    "a dict with the marker key": {"__skcnn__": "tuple", "items": [1]},
    "numpy scalars": [
        np.int64(3),
        np.int8(-2),
        np.uint16(7),
        np.float32(0.1),
        np.float16(0.5),
        np.float64(np.nan),
        np.float32(-np.inf),
        np.bool_(True),
        np.complex64(1 + 2j),
        np.str_("é"),
    ],
    "numpy scalar keys": {np.int64(0): 1.0, np.str_("a"): 2},
    "dtypes and types": [np.dtype("float32"), np.float32, np.dtype(">i2"), float, int],
    "arrays": [
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([[1.5, np.nan, -np.inf]], dtype=np.float32),
        np.array(["a", "bcd"]),
        np.zeros((0, 2)),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.array([True, False]),
        np.array([1 + 1j], dtype=np.complex128),
        np.uint8(255) * np.ones((2, 2, 1), dtype=np.uint8),
    ],
    "object array of str": np.array(["x", "yz"], dtype=object),
    "path": pathlib.Path("models") / "backbone.keras",
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_types_survive_a_round_trip(value, tmp_path):
    holder = Holder(value=value).fit()
    dump(holder, tmp_path / "holder.skcnn")
    loaded = load(tmp_path / "holder.skcnn", trusted=[HOLDER])
    assert type(loaded) is Holder
    assert_same(loaded.value, value)
    assert_same(loaded.learned_, value)
    assert_same(loaded._private, [value])
    assert loaded.other is None


def test_an_unfitted_estimator_stays_unfitted(tmp_path):
    from skcnn import PixelScaler

    dump(PixelScaler(method="standard", dtype=np.float16), tmp_path / "s.skcnn")
    loaded = load(tmp_path / "s.skcnn")
    assert vars(loaded) == {
        "method": "standard",
        "max_value": None,
        "dtype": np.float16,
    }


def test_a_class_outside_the_allow_list_needs_trusted(tmp_path):
    dump(Holder(value=1).fit(), tmp_path / "holder.skcnn")
    with pytest.raises(UntrustedTypeError, match=HOLDER) as info:
        load(tmp_path / "holder.skcnn")
    assert info.value.types == [HOLDER]
    assert "trusted=" in str(info.value)
    assert HOLDER not in TRUSTED and "skcnn.CNNClassifier" in TRUSTED


@pytest.mark.parametrize(
    "trusted", ["tests.io.test_io.Holder", [1], ["no dots"], [HOLDER + "("]]
)
def test_trusted_must_be_a_list_of_class_names(trusted, tmp_path):
    dump(Holder(), tmp_path / "holder.skcnn")
    with pytest.raises(TypeError, match="trusted must"):
        load(tmp_path / "holder.skcnn", trusted=trusted)


UNSTORABLE = {
    "function": (lambda x: x, "a function or callable"),
    "builtin": (print, "a function or callable"),
    "RandomState": (np.random.RandomState(0), "use an int seed"),
    "Generator": (np.random.default_rng(0), "use an int seed"),
    "set": ({1, 2}, "builtins.set"),
    "bytes": (b"raw", "builtins.bytes"),
    "OrderedDict": (collections.OrderedDict(a=1), "collections.OrderedDict"),
    "object array": (np.array([1, "a"], dtype=object), "other values than str"),
    "long double": (np.ones(2, dtype=np.longdouble), "dtype float128"),
    "nested": ([{"deep": object()}], "builtins.object"),
    "local class": (type("Local", (), {}), "no public import path"),
}


@pytest.mark.parametrize("value, hint", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_values_that_are_not_data_are_refused_at_dump(value, hint, tmp_path):
    if isinstance(value, np.ndarray) and value.dtype == np.longdouble:
        if np.dtype(np.longdouble).itemsize <= 8:
            pytest.skip("long double is double here")
    with pytest.raises(TypeError) as info:
        dump(Holder(other=value), tmp_path / "holder.skcnn")
    message = str(info.value)
    assert "parameter 'other'" in message and hint in message
    assert "joblib.dump" in message
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file


def test_dump_takes_an_estimator():
    with pytest.raises(TypeError, match="expects a scikit-learn estimator, got dict"):
        dump({"a": 1}, "never.skcnn")


def test_classifier_parameters_that_are_objects_are_refused(tmp_path):
    from skcnn import CNNClassifier
    from skcnn._engine.runtime import keras

    def network(meta):
        return None

    refused = {
        "optimizer": keras.optimizers.Adam(),
        "callbacks": [keras.callbacks.EarlyStopping()],
        "model": network,
        "random_state": np.random.RandomState(0),
        "loss": keras.losses.Huber(),
    }
    for name, value in refused.items():
        with pytest.raises(TypeError, match=f"parameter '{name}'.*joblib.dump"):
            dump(CNNClassifier(**{name: value}), tmp_path / "cnn.skcnn")
    assert list(tmp_path.iterdir()) == []
    # A class is stored by its public name, an int seed as it is.
    dump(
        CNNClassifier(optimizer=keras.optimizers.AdamW, random_state=3),
        tmp_path / "cnn.skcnn",
    )
    loaded = load(tmp_path / "cnn.skcnn")
    assert loaded.optimizer is keras.optimizers.AdamW and loaded.random_state == 3
    document = json.loads(members(tmp_path / "cnn.skcnn")["estimator.json"])
    optimizer = document["estimator"]["params"]["optimizer"]
    assert optimizer == {"__skcnn__": "class", "name": "keras.optimizers.AdamW"}


# -- round trips of fitted models --------------------------------------------


@pytest.fixture(scope="module")
def fitted(tmp_path_factory, digits, digits_scaled, small_classifier, pretrained_cnn):
    """name -> (fitted model, input to predict), every kind the format holds."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import (
        CNNClassifier,
        ImageEmbedder,
        ImageLoader,
        ImageReshaper,
        ImageResizer,
        PixelScaler,
    )
    from tests._helpers import small_cnn
    from tests.cli._trees import write_digit_tree

    X, y = digits
    Xs, ys = digits_scaled
    root = tmp_path_factory.mktemp("io_tree")
    files = [str(f) for f in write_digit_tree(root, n_train=20, n_test=0, split=False)]
    labels = [pathlib.Path(f).parent.name for f in files]
    models = {"classifier": (small_classifier, Xs[:50])}
    for stream in (False, True):
        model = make_pipeline(
            ImageLoader(stream=stream), PixelScaler(), small_cnn(epochs=1)
        )
        key = "files, streamed" if stream else "files, in memory"
        models[key] = (model.fit(files, labels), files[:20])
    arrays = make_pipeline(
        ImageReshaper(image_shape=(8, 8)),
        ImageResizer(image_size=(12, 12)),
        PixelScaler(method="standard"),
        small_cnn(epochs=1, class_weight={0: 2.0, 1: 1.0}),
    )
    models["reshaper, resizer, scaler"] = (arrays.fit(X, y), X[:50])
    embedder = make_pipeline(
        ImageReshaper(image_shape=(8, 8)),
        ImageEmbedder(backbone="mobilenet_v3_small", weights=None, image_size=32),
        LogisticRegression(max_iter=200),
    )
    models["embedder + logistic regression"] = (embedder.fit(X, y), X[:50])
    transfer = CNNClassifier(
        backbone=FrozenEstimator(pretrained_cnn),
        epochs=1,
        dense_units=8,
        random_state=0,
    )
    models["backbone (FrozenEstimator)"] = (transfer.fit(Xs, ys), Xs[:50])
    folder = tmp_path_factory.mktemp("io_files")
    for i, (model, _) in enumerate(models.values()):
        dump(model, folder / f"{i}.skcnn")
    return {
        name: (model, X_test, folder / f"{i}.skcnn")
        for i, (name, (model, X_test)) in enumerate(models.items())
    }


ROUND_TRIPS = [
    "classifier",
    "files, in memory",
    "files, streamed",
    "reshaper, resizer, scaler",
    "embedder + logistic regression",
    "backbone (FrozenEstimator)",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_a_loaded_model_predicts_exactly_as_saved(name, fitted):
    model, X_test, path = fitted[name]
    loaded = load(path)
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(
        loaded.predict_proba(X_test), model.predict_proba(X_test)
    )
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    assert_same(loaded.classes_, model.classes_)


@pytest.mark.slow
def test_fitted_attributes_are_restored(fitted):
    model, _, path = fitted["files, in memory"]
    loader, scaler, cnn = load(path).steps
    assert_same(loader[1].image_size_, model[0].image_size_)
    assert loader[1].color_mode_ == "grayscale" and loader[1].n_channels_ == 1
    assert_same(scaler[1].max_value_, model[1].max_value_)
    cnn, original = cnn[1], model[-1]
    for name in (
        "input_shape_",
        "classes_",
        "n_classes_",
        "history_",
        "n_features_in_",
    ):
        assert_same(getattr(cnn, name), getattr(original, name), name)
    assert cnn.target_encoder_.classes_.tolist() == ["one", "two", "zero"]
    assert cnn.model_.compiled and cnn.model_ is not original.model_
    for mine, theirs in zip(cnn.model_.weights, original.model_.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))
    # An embedder keeps its network: nothing is rebuilt or downloaded.
    embedder = load(fitted["embedder + logistic regression"][2])[1]
    assert embedder._network is not None and embedder.pixel_range_ == (0, 255)
    frozen = load(fitted["backbone (FrozenEstimator)"][2]).backbone
    assert type(frozen).__name__ == "FrozenEstimator"
    assert hasattr(frozen.estimator, "model_")


@pytest.mark.slow
def test_a_loaded_classifier_trains_on_from_its_optimizer_state(
    digits_scaled, tmp_path
):
    """partial_fit and a warm-start fit continue from the saved weights and
    optimizer state, as the original's do."""
    from tests._helpers import small_cnn

    X, y = digits_scaled
    original = small_cnn(filters=(4,), dense_units=0, epochs=1).fit(X, y)
    dump(original, tmp_path / "cnn.skcnn")
    loaded = load(tmp_path / "cnn.skcnn")
    original.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert len(loaded.history_["loss"]) == 2
    np.testing.assert_allclose(
        loaded.predict_proba(X), original.predict_proba(X), atol=1e-6
    )
    for model in (original, loaded):
        model.set_params(warm_start=True).fit(X, y)
    assert len(loaded.history_["loss"]) == 1  # a fit's own epochs
    np.testing.assert_allclose(
        loaded.predict_proba(X), original.predict_proba(X), atol=1e-6
    )


@pytest.mark.slow
def test_a_loaded_model_fits_again_as_the_original(fitted, digits_scaled):
    """fit starts afresh, as on a clone; a FrozenEstimator backbone stays the
    fitted one the file held."""
    X, y = digits_scaled
    model, X_test, path = fitted["backbone (FrozenEstimator)"]
    again = clone(load(path)).fit(X, y)  # the loaded backbone, still fitted
    np.testing.assert_allclose(
        again.predict_proba(X_test),
        clone(model).fit(X, y).predict_proba(X_test),
        atol=1e-6,
    )


@pytest.mark.slow
def test_no_pickle_is_read_while_loading(fitted, monkeypatch):
    import _pickle

    def refuse(*args, **kwargs):
        raise AssertionError("a pickle was read")

    for module in (pickle, _pickle):
        for name in ("load", "loads", "Unpickler"):
            monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(joblib, "load", refuse)
    real_load, real_read = np.load, np.lib.format.read_array
    calls = []

    def numpy_load(*args, allow_pickle=False, **kwargs):
        calls.append(allow_pickle)
        if allow_pickle:
            raise AssertionError("np.load with allow_pickle=True")
        return real_load(*args, allow_pickle=False, **kwargs)

    def read_array(*args, allow_pickle=False, **kwargs):
        if allow_pickle:
            raise AssertionError("read_array with allow_pickle=True")
        return real_read(*args, allow_pickle=False, **kwargs)

    monkeypatch.setattr(np, "load", numpy_load)
    monkeypatch.setattr(np.lib.format, "read_array", read_array)
    for name in ROUND_TRIPS:
        model, X_test, path = fitted[name]
        loaded = load(path)
        np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    assert calls and not any(calls)  # arrays were read, never with pickles
    with pytest.raises(AssertionError, match="a pickle was read"):
        pickle.loads(pickle.dumps(1))  # the patches are in place


# -- the format, the versions -------------------------------------------------


def _scaler_file(tmp_path):
    from skcnn import PixelScaler

    path = tmp_path / "scaler.skcnn"
    dump(PixelScaler().fit(np.arange(12, dtype=np.uint8).reshape(3, 4)), path)
    return path


def test_the_file_layout(tmp_path):
    path = _scaler_file(tmp_path)
    contents = members(path)
    assert list(contents) == ["format.json", "estimator.json"]
    assert json.loads(contents["format.json"]) == {"format": "skcnn", "version": 1}
    document = json.loads(contents["estimator.json"])
    assert set(document["versions"]) == {"skcnn", "scikit-learn", "keras", "tensorflow"}
    assert document["estimator"]["class"] == "skcnn.PixelScaler"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same versions: no warning
        load(path)
    # The same model gives the same bytes.
    dump(load(path), tmp_path / "again.skcnn")
    assert (tmp_path / "again.skcnn").read_bytes() == path.read_bytes()


def test_other_versions_warn_naming_both(tmp_path):
    path = _scaler_file(tmp_path)

    def older(document):
        document["versions"]["scikit-learn"] = "1.6.0"

    rewrite(path, tmp_path / "old.skcnn", estimator_json=edit_json(older))
    with pytest.warns(InconsistentVersionWarning, match="scikit-learn 1.6.0") as record:
        assert load(tmp_path / "old.skcnn").max_value_ == 255.0
    assert record[0].filename == __file__  # points at the caller's line


def test_a_network_keras_cannot_rebuild_names_the_versions(classifier_file, tmp_path):
    from tests.io._archives import archive_bytes

    def unknown_layer(data):
        network = members(_bytes_file(tmp_path / "n.keras", data))
        network["config.json"] = network["config.json"].replace(
            b'"Conv2D"', b'"Conv9D"'
        )
        return archive_bytes(network, compression=zipfile.ZIP_STORED)

    rewrite(classifier_file, tmp_path / "bad.skcnn", networks__0_keras=unknown_layer)
    with pytest.raises(IncompatibleModelError, match="keras 3") as info:
        load(tmp_path / "bad.skcnn")
    assert "cannot be rebuilt by Keras" in str(info.value)
    assert "Conv9D" in str(info.value)
    assert info.value.__cause__ is not None


def _bytes_file(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "change, message",
    [
        ({"format_json": None}, "it has no format.json"),
        ({"estimator_json": None}, "it has no estimator.json"),
        ({"format_json": b'{"format": "other", "version": 1}'}, "not a skcnn model"),
        ({"format_json": b'{"format": "skcnn", "version": 2}'}, "upgrade skcnn"),
        ({"estimator_json": b"{not json"}, "is not valid JSON"),
        ({"estimator_json": b'{"versions": {}, "estimator": NaN}'}, "constant NaN"),
        (
            {"estimator_json": b'{"versions": {}, "versions": {}, "estimator": 1}'},
            "repeats the key 'versions'",
        ),
        (
            {"estimator_json": b'{"versions": {}, "estimator": []}'},
            "holds no estimator",
        ),
    ],
    ids=[
        "no format",
        "no estimator",
        "other format",
        "newer",
        "bad JSON",
        "NaN",
        "repeated key",
        "no estimator entry",
    ],
)
def test_malformed_files_are_refused(change, message, tmp_path):
    rewrite(_scaler_file(tmp_path), tmp_path / "bad.skcnn", **change)
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "bad.skcnn")


def test_a_file_that_is_not_a_zip_archive(tmp_path):
    (tmp_path / "model.skcnn").write_bytes(pickle.dumps(builtins.print))
    with pytest.raises(ModelFileError, match="it is not a zip archive"):
        load(tmp_path / "model.skcnn")


@pytest.mark.slow
def test_files_without_a_network_never_import_tensorflow(tmp_path):
    from tests._helpers import imports_tensorflow

    path = tmp_path / "scaler.skcnn"
    statement = (
        "import numpy as np; from skcnn import PixelScaler; "
        "from skcnn.io import dump, load; "
        f"dump(PixelScaler().fit(np.ones((2, 4), np.uint8)), {str(path)!r}); "
        f"load({str(path)!r})"
    )
    # tests/test_compat.py checks that the check can fail.
    assert not imports_tensorflow(statement)
