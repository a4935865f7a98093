"""Version stamps: what a pickle records, the warning and the error on loading."""

import copy
import pickle
import warnings
from importlib import metadata

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import skcnn
from skcnn import ImageEmbedder, ImageReshaper, PixelScaler
from skcnn._versions import (
    LIBRARIES,
    STAMP,
    check_versions,
    current_versions,
    recorded_versions,
)
from skcnn.exceptions import IncompatibleModelError, InconsistentVersionWarning
from tests._helpers import imports_tensorflow, small_cnn
from tests._stamps import OTHER_VERSIONS, dump_changed, from_a_newer_keras, stamped


def _load_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        return joblib.load(path)


@pytest.fixture(scope="module")
def pipeline(digits):
    """ImageReshaper → PixelScaler → a tiny CNNClassifier, fitted on digits."""
    X, y = digits
    model = make_pipeline(ImageReshaper(), PixelScaler(), small_cnn(epochs=1))
    return model.fit(X[:100], y[:100])


@pytest.fixture(scope="module")
def embedder(digits):
    """An ImageEmbedder on a tiny keras.Model (pickled as a parameter)."""
    from skcnn._engine.runtime import keras

    inputs = keras.Input((8, 8, 3))
    network = keras.Model(inputs, keras.layers.Conv2D(4, 3, name="conv")(inputs))
    X = np.repeat(digits[0][:20].reshape(-1, 8, 8, 1), 3, axis=-1)
    return ImageEmbedder(backbone=network).fit(X), X


def test_current_versions_are_the_installed_ones():
    versions = current_versions()
    assert list(versions) == list(LIBRARIES)
    assert versions["skcnn"] == skcnn.__version__
    assert versions["scikit-learn"] == sklearn.__version__
    assert versions["keras"] == metadata.version("keras")
    assert versions["tensorflow"] == metadata.version("tensorflow")
    versions["keras"] = "changed"  # a copy: the next call is unchanged
    assert current_versions()["keras"] == metadata.version("keras")


def test_reading_the_versions_does_not_import_tensorflow():
    assert not imports_tensorflow(
        "from skcnn._versions import current_versions; current_versions()"
    )


def test_check_versions_warns_naming_both_sets():
    assert check_versions(current_versions(), "This model") is True
    saved = dict(current_versions(), keras="3.0.0")
    with pytest.warns(InconsistentVersionWarning) as record:
        assert check_versions(saved, "The file m.joblib") is False
    (warning,) = record
    message = str(warning.message)
    assert message.startswith("The file m.joblib was saved with skcnn ")
    assert "keras 3.0.0" in message
    assert f"keras {metadata.version('keras')}" in message
    assert warning.message.saved_versions == saved
    assert warning.message.current_versions == current_versions()
    assert issubclass(InconsistentVersionWarning, UserWarning)
    with pytest.warns(InconsistentVersionWarning, match="skcnn unknown"):
        check_versions(None)


def test_a_pickle_records_the_versions_and_restores_the_attributes(pipeline, digits):
    cnn = pipeline[-1]
    state = cnn.__getstate__()
    assert state[STAMP] == current_versions()
    assert "model_" not in state  # packed, rebuilt by __setstate__
    loaded = pickle.loads(pickle.dumps(cnn))
    assert recorded_versions(loaded) == current_versions()
    assert recorded_versions(cnn) is None  # fitted here, not loaded
    # The stamp is kept aside: the attributes are those before saving.
    assert sorted(vars(loaded)) == sorted(vars(cnn))
    X = digits[0][:50]
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(pipeline)).predict_proba(X),
        pipeline.predict_proba(X),
    )
    # A copy re-stamps with the running versions: no warning.
    images = pipeline[:-1].transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        copied = copy.deepcopy(loaded)
    np.testing.assert_array_equal(
        copied.predict_proba(images), cnn.predict_proba(images)
    )


def test_other_versions_warn_once_and_the_model_still_predicts(
    pipeline, digits, tmp_path
):
    path = tmp_path / "old.joblib"
    dump_changed(pipeline, path, stamped(OTHER_VERSIONS))
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = joblib.load(path)
    (warning,) = [w for w in record if w.category is InconsistentVersionWarning]
    message = str(warning.message)
    assert message.startswith("This CNNClassifier was saved with skcnn 0.0.1, ")
    assert "keras 3.0.0, tensorflow 2.0.0 and is loaded with skcnn " in message
    assert recorded_versions(loaded[-1]) == OTHER_VERSIONS
    X = digits[0][:50]
    np.testing.assert_array_equal(loaded.predict(X), pipeline.predict(X))
    # Saved again, it records the versions it was saved with now.
    joblib.dump(loaded, path)
    assert recorded_versions(_load_quietly(path)[-1]) == current_versions()


def test_a_pickle_from_before_stamps_loads_without_a_warning(pipeline, tmp_path):
    path = tmp_path / "unstamped.joblib"
    dump_changed(pipeline, path, stamped(None))
    loaded = _load_quietly(path)
    assert recorded_versions(loaded[-1]) is None


def test_a_network_this_keras_cannot_rebuild_is_a_clear_error(pipeline, tmp_path):
    path = tmp_path / "newer.joblib"
    dump_changed(pipeline, path, from_a_newer_keras)
    with pytest.raises(IncompatibleModelError) as info:
        joblib.load(path)
    message = str(info.value)
    assert message.startswith("This CNNClassifier cannot be loaded: its Keras network")
    assert "saved with skcnn 0.0.1, scikit-learn 1.0.0, keras 9.0.0" in message
    assert f"rebuilt with skcnn {skcnn.__version__}, " in message
    assert "FutureConv2D" in message  # Keras's reason, in one line
    assert "\n" not in message
    assert isinstance(info.value, ValueError)
    assert info.value.__cause__ is not None  # Keras's own error, chained


def test_an_embedder_is_stamped_and_checked_alike(embedder, tmp_path):
    fitted, X = embedder
    features = fitted.transform(X)
    loaded = pickle.loads(pickle.dumps(fitted))
    assert recorded_versions(loaded) == current_versions()
    np.testing.assert_allclose(loaded.transform(X), features, rtol=1e-6)
    model = make_pipeline(fitted, LogisticRegression())
    model.fit(X, np.arange(len(X)) % 2)
    path = tmp_path / "embedder.joblib"
    dump_changed(model, path, stamped(OTHER_VERSIONS))
    with pytest.warns(InconsistentVersionWarning, match="^This ImageEmbedder was"):
        loaded = joblib.load(path)
    assert recorded_versions(loaded[0]) == OTHER_VERSIONS
    dump_changed(fitted, path, from_a_newer_keras)
    with pytest.raises(IncompatibleModelError, match="^This ImageEmbedder cannot"):
        joblib.load(path)
