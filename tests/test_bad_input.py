"""Bad input gets a clear error, raised before TensorFlow is reached.

Each case names what was expected and what was given. A guard replaces the
network-building step: if a case ever got that far, the test would fail with
"TensorFlow was reached" instead of the expected error.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn._param_validation import InvalidParameterError
from tests._helpers import small_cnn

RNG = np.random.default_rng(0)
X_OK = RNG.random((20, 64), dtype=np.float32)
Y_OK = np.arange(20) % 4


def _with(value, index=(0, 0)):
    X = X_OK.copy()
    X[index] = value
    return X


FIT_CASES = {
    "empty": (np.zeros((0, 64), np.float32), np.zeros(0), ValueError, "0 sample"),
    "nan": (_with(np.nan), Y_OK, ValueError, "NaN"),
    "inf": (_with(np.inf), Y_OK, ValueError, "infinity"),
    "1-d X": (X_OK[0], Y_OK[:1], ValueError, "Expected 2D array"),
    "5-d X": (X_OK.reshape(20, 2, 2, 4, 4), Y_OK, ValueError, "5 dimensions"),
    "sparse": (sp.csr_matrix(X_OK), Y_OK, TypeError, "sparse"),
    "strings": (X_OK.astype(str), Y_OK, TypeError, "numeric pixel values"),
    "objects": (
        np.array([[{"a": 1}] * 64] * 20, dtype=object),
        Y_OK,
        (TypeError, ValueError),
        "float|number",
    ),
    "complex": (X_OK.astype(np.complex64), Y_OK, ValueError, "[Cc]omplex"),
    "y too short": (X_OK, Y_OK[:-1], ValueError, r"inconsistent numbers of samples"),
    "y 2-d": (X_OK, np.c_[Y_OK, Y_OK], ValueError, r"y of shape \(20, 2\)"),
    "y none": (X_OK, None, ValueError, "requires y to be passed"),
    "single class": (X_OK, np.zeros(20), ValueError, "only one class"),
    "continuous y": (X_OK, np.linspace(0, 1, 20), ValueError, "Unknown label type"),
    "image_shape mismatch": (X_OK, Y_OK, ValueError, None),
}


@pytest.fixture
def no_tensorflow(monkeypatch):
    def reached(*args, **kwargs):
        raise AssertionError("TensorFlow was reached")

    monkeypatch.setattr(CNNClassifier, "_build_network", reached)
    monkeypatch.setattr(CNNClassifier, "_build_keras_model", reached)
    monkeypatch.setattr("skcnn._engine.bridge.train", reached)


@pytest.mark.parametrize("case", sorted(FIT_CASES))
def test_fit_rejects_bad_input(case, no_tensorflow):
    X, y, error, message = FIT_CASES[case]
    clf = small_cnn()
    if case == "image_shape mismatch":
        clf.set_params(image_shape=(7, 7))
        message = r"image_shape=\(7, 7, 1\).*49 values.*64 values"
    with pytest.raises(error, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "model_"), "a failed fit must not leave a model behind"


HYPERPARAMETER_CASES = {
    "negative dropout": ({"dropout": -0.1}, ValueError, "'dropout' parameter"),
    "dropout of 1": ({"dropout": 1.0}, ValueError, r"range \[0.0, 1.0\)"),
    "dense dropout": ({"dense_dropout": 2}, ValueError, "'dense_dropout'"),
    "empty filters": ({"filters": ()}, ValueError, "non-empty tuple"),
    "float filters": ({"filters": (8.5,)}, ValueError, "positive ints"),
    "string filters": ({"filters": "32"}, TypeError, "tuple of positive ints"),
    "zero filters": ({"filters": (0,)}, ValueError, "tuple of positive ints"),
    "unknown distribute": ({"distribute": "x"}, ValueError, "'mirrored'"),
    "zero image_shape": ({"image_shape": (0, 4)}, ValueError, r"Got \(0, 4\)"),
    "zero epochs": ({"epochs": 0}, ValueError, "'epochs' parameter"),
    "epochs neither int nor auto": ({"epochs": "many"}, ValueError, "'auto'"),
    "unknown precision": ({"precision": "float8"}, ValueError, "'mixed_bfloat16'"),
    "zero batch": ({"batch_size": 0}, ValueError, "'batch_size' parameter"),
    "negative batch": ({"batch_size": -5}, ValueError, "'batch_size' parameter"),
    "zero learning rate": ({"learning_rate": 0}, ValueError, "'learning_rate'"),
    "validation split": ({"validation_split": 1.0}, ValueError, "'validation_split'"),
    "rotation": ({"rotation": 2.0}, ValueError, "'rotation'"),
    "early stopping": ({"early_stopping": -1}, ValueError, "'early_stopping'"),
    "class weight": ({"class_weight": "even"}, ValueError, "'class_weight'"),
    "bad image_shape": ({"image_shape": (8, 0)}, ValueError, "positive ints"),
    "unknown optimizer": ({"optimizer": "adamm"}, ValueError, "Did you mean 'adam'"),
    "optimizer object": ({"optimizer": 3}, TypeError, "Keras optimizer"),
    "misspelled parameter": ({"epoch": 3}, TypeError, "Did you mean 'epochs'"),
    "misspelled prefix": (
        {"optimzer__beta_1": 0.5},
        ValueError,
        "Did you mean 'optimizer__beta_1'",
    ),
    "misspelled routed name": (
        {"optimizer__learning_rat": 0.1},
        ValueError,
        "Did you mean 'optimizer__learning_rate'",
    ),
    "misspelled fit argument": (
        {"fit__shufle": False},
        ValueError,
        "Did you mean 'fit__shuffle'",
    ),
}


@pytest.mark.parametrize("case", sorted(HYPERPARAMETER_CASES))
def test_fit_rejects_bad_hyperparameters(case, no_tensorflow):
    params, error, message = HYPERPARAMETER_CASES[case]
    clf = small_cnn(**params)  # constructing never raises (sklearn convention)
    with pytest.raises(error, match=message) as raised:
        clf.fit(X_OK, Y_OK)
    # One error type for every bad parameter, naming the class.
    assert raised.type is InvalidParameterError
    assert "CNNClassifier" in str(raised.value)


def test_set_params_suggests_the_right_name():
    with pytest.raises(ValueError, match="Did you mean 'epochs'"):
        CNNClassifier().set_params(epoch=3)
    with pytest.raises(ValueError, match="Did you mean 'optimizer__beta_1'"):
        CNNClassifier().set_params(optimzer__beta_1=0.9)


def test_predict_before_fit_is_not_fitted_error():
    from sklearn.exceptions import NotFittedError

    for method in ("predict", "predict_proba", "score"):
        args = (X_OK, Y_OK) if method == "score" else (X_OK,)
        with pytest.raises(NotFittedError):
            getattr(CNNClassifier(), method)(*args)


def test_predict_rejects_bad_input(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"expected images of shape \(8, 8, 1\)"):
        clf.predict(np.zeros((3, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="X has 63 features"):
        clf.predict_proba(X[:, :63])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(_with(np.nan)[:, :64])
    with pytest.raises(TypeError, match="sparse"):
        clf.predict(sp.csr_matrix(X))
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(X[:0])


def test_lists_of_lists_work(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1).fit(X[:40].tolist(), y[:40].tolist())
    assert clf.predict(X[:3].tolist()).shape == (3,)


@pytest.mark.parametrize("transformer", [ImageReshaper(), PixelScaler()])
def test_transformers_reject_sparse_and_strings(transformer):
    with pytest.raises(TypeError, match="sparse"):
        transformer.fit(sp.csr_matrix(X_OK))
    with pytest.raises(TypeError, match="numeric"):
        transformer.fit(X_OK.astype(str))
