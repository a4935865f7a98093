"""CNNClassifier on a pretrained backbone, end to end.

The forms a backbone takes, the checks made before training, cloning,
seeds, saving and the ``epochs="auto"`` rule. Offline: Keras applications
get random weights (``backbone_weights=None``) and 32-pixel inputs; the
other backbones are small skcnn networks fitted on the digits.
"""

import pickle
import random
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skcnn import CNNClassifier
from skcnn import classifier as classifier_module
from skcnn._engine import bridge
from skcnn._engine.parameters import auto_epochs, auto_head_epochs
from skcnn._engine.runtime import keras, tf
from skcnn._param_validation import InvalidParameterError
from skcnn.architectures import build_cnn
from tests._helpers import AUGMENTATION_LAYERS, small_cnn

APP = dict(
    backbone="mobilenet_v3_small",
    backbone_weights=None,
    backbone_image_size=32,
    dense_units=8,
    epochs=2,
    batch_size=32,
    shift=0.0,
    random_state=0,
)

NETWORK_LAYERS = [
    "images",
    "resize",
    "preprocess",
    "backbone",
    "features",
    "dense",
    "dense_dropout",
    "classes",
]


@pytest.fixture(scope="module")
def data(digits):
    """100 digits as uint8 images (100, 8, 8) and their labels."""
    X, y = digits
    return X[:100].reshape(-1, 8, 8), y[:100]


@pytest.fixture(scope="module")
def app_clf(data):
    """A fitted classifier on MobileNetV3Small with random weights."""
    X, y = data
    return CNNClassifier(**APP).fit(X, y)


def _rgb_model():
    """A small convolutional model of RGB images of any size."""
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(
        4,
        3,
        strides=2,
        kernel_initializer=keras.initializers.GlorotUniform(seed=0),
        name="conv",
    )(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(name="relu")(x)
    return keras.Model(inputs, x, name="rgb_model")


@pytest.fixture(scope="module")
def small_clf(data):
    """A fitted classifier on a small RGB model, fast to save and load.

    Its network augments, resizes the images to 16 pixels and repeats
    their gray channel.
    """
    X, y = data
    return CNNClassifier(
        backbone=_rgb_model(),
        backbone_image_size=16,
        dense_units=8,
        epochs=2,
        batch_size=32,
        shift=0.1,
        random_state=0,
    ).fit(X, y)


def _draws():
    return (float(tf.random.uniform(())), float(keras.random.uniform(())))


def _seed_every_generator():
    # Also seeds Python's and NumPy's generators, before their states are read.
    keras.utils.set_random_seed(123)


@pytest.fixture(scope="module")
def refit(app_clf, data):
    """The fit of ``app_clf`` again, with the global random states around it."""
    X, y = data
    _seed_every_generator()
    expected = _draws()
    _seed_every_generator()
    python, numpy = random.getstate(), np.random.get_state()
    clf = CNNClassifier(**APP).fit(X, y)
    return SimpleNamespace(
        clf=clf,
        python=(python, random.getstate()),
        numpy=(numpy, np.random.get_state()),
        draws=(expected, _draws()),
    )


@pytest.fixture(scope="module")
def saved_cnn(pretrained_cnn, tmp_path_factory):
    """The pretrained CNN's network saved as a .keras file."""
    path = tmp_path_factory.mktemp("saved") / "cnn.keras"
    pretrained_cnn.model_.save(path)
    return path


@pytest.fixture
def no_training(monkeypatch):
    """Fits that build the network and skip training; the plans they get."""
    plans = []

    def phases(model, X, y, plan, **kwargs):
        plans.append(plan)
        return {"loss": [0.0] * plan.epochs, "phase": [1] * plan.epochs}

    def train(model, X, y, plan, callbacks):
        plans.append(plan)
        return {"loss": [0.0] * plan.epochs}

    monkeypatch.setattr(classifier_module, "train_in_phases", phases)
    monkeypatch.setattr(bridge, "train", train)
    return plans


@pytest.fixture
def training_forbidden(monkeypatch):
    """Fits that fail the test if they reach training."""

    def reached(*args, **kwargs):
        raise AssertionError("training was reached")

    monkeypatch.setattr(classifier_module, "train_in_phases", reached)
    monkeypatch.setattr(bridge, "train", reached)


@pytest.fixture
def building_forbidden(monkeypatch, training_forbidden):
    """Fits that fail the test if they build the backbone (or train)."""

    def reached(*args, **kwargs):
        raise AssertionError("the backbone was built")

    monkeypatch.setattr(classifier_module, "resolve_backbone", reached)


def _small_model(input_shape=(8, 8, 1)):
    """A one-block skcnn network cut after its ReLU, without augmentation."""
    cnn = build_cnn(input_shape, 10, filters=(4,), shift=0.0, seed=0)
    return keras.Model(cnn.input, cnn.get_layer("relu1").output, name="user_model")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _images(X):
    return np.asarray(X, np.float32).reshape(-1, 8, 8, 1)


# ----------------------------------------------------------------------
# A Keras application


def test_the_network_around_an_application(app_clf):
    assert [layer.name for layer in app_clf.model_.layers] == NETWORK_LAYERS
    assert app_clf.model_.get_layer("backbone").input_shape == (None, 32, 32, 3)
    assert not app_clf.model_.get_layer("backbone").trainable_weights
    assert app_clf.pixel_range_ == (0, 255)
    assert app_clf.history_["phase"] == [1, 1]


def test_predictions_are_probabilities(app_clf, data):
    X, y = data
    proba = app_clf.predict_proba(X)
    assert proba.shape == (len(X), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(app_clf.predict(X)) <= set(y)


def test_the_same_seed_gives_the_same_fit(app_clf, refit):
    """Random weights are drawn from random_state, not from a global generator.

    The two fits start from different states of Python's generator, which
    Keras draws its default seeds from, yet every weight of the network
    repeats: the same predictions.
    """
    first, second = app_clf.model_.weights, refit.clf.model_.weights
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


def test_fit_leaves_numpy_s_and_tensorflow_s_random_state_unchanged(refit):
    before, after = refit.numpy
    np.testing.assert_array_equal(after[1], before[1])
    assert after[2:] == before[2:]
    # TensorFlow's next draw is the one that follows the seeding directly.
    (expected, _), (drawn, _) = refit.draws
    assert drawn == expected


def test_fit_leaves_python_s_and_keras_s_random_state_unchanged(refit):
    """Keras creates its global SeedGenerator, after a reseeding, from a draw
    of Python's generator: a fit that draws from Python's changes Keras's
    next draws too."""
    before, after = refit.python
    assert after == before
    (_, expected), (_, drawn) = refit.draws
    assert drawn == expected


def test_fit_on_a_model_leaves_python_s_random_state_unchanged(data, no_training):
    """A user's model, with Keras's unseeded default initialisers, is copied."""
    X, y = data
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))
    clf = CNNClassifier(backbone=model, epochs=1, shift=0.0, random_state=0)
    before = random.getstate()
    clf.fit(X, y)
    assert random.getstate() == before


@pytest.mark.slow
def test_the_same_seed_gives_the_same_fit_on_efficientnet(data):
    X, y = data
    params = {**APP, "backbone": "efficientnet_b0"}
    first = CNNClassifier(**params).fit(X, y).predict_proba(X)
    random.random()
    second = CNNClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(first, second, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_a_non_square_image_size_trains(data):
    X, y = data
    clf = CNNClassifier(**{**APP, "backbone_image_size": (32, 48)}).fit(X, y)
    assert clf.history_["phase"] == [1, 1]
    assert clf.predict_proba(X).shape == (len(X), 10)


# ----------------------------------------------------------------------
# Saving


def _check_saved(clf, X, path):
    clf.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    # training=False: Keras's random layers default to training mode.
    outputs = np.asarray(loaded(_images(X), training=False))
    np.testing.assert_allclose(outputs, clf.predict_proba(X), rtol=0, atol=1e-6)


def test_the_saved_network_loads_in_safe_mode_and_predicts(small_clf, data, tmp_path):
    """Resizing, channel repetition and augmentation, saved and loaded."""
    X, _ = data
    kinds = [type(layer).__name__ for layer in small_clf.model_.layers]
    assert kinds[1:5] == ["RandomTranslation", "Resizing", "Dense", "Functional"]
    _check_saved(small_clf, X, tmp_path / "m.keras")


@pytest.mark.slow
def test_the_saved_application_network_loads_in_safe_mode(app_clf, data, tmp_path):
    X, _ = data
    _check_saved(app_clf, X, tmp_path / "m.keras")


def _check_pickled(clf, X):
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.pixel_range_ == clf.pixel_range_


def test_pickling_keeps_the_predictions(small_clf, data):
    _check_pickled(small_clf, data[0])


@pytest.mark.slow
def test_pickling_an_application_network_keeps_the_predictions(app_clf, data):
    _check_pickled(app_clf, data[0])


def test_the_network_has_no_lambda_layer(app_clf):
    layers = list(_all_layers(app_clf.model_))
    assert len(layers) > 100  # the backbone's own layers are walked too
    assert not [
        layer.name for layer in layers if isinstance(layer, keras.layers.Lambda)
    ]


# ----------------------------------------------------------------------
# Pixel ranges


@pytest.mark.parametrize(
    "scale, dtype, expected",
    [
        (1, np.uint8, (0, 255)),
        (1 / 255, np.float32, (0, 1)),
        (1, np.float32, (0, 255)),
        (1, np.float64, (0, 255)),
    ],
    ids=["uint8", "float-0-1", "float-0-255", "float64-0-255"],
)
def test_the_pixel_range_is_recorded_in_fit(data, no_training, scale, dtype, expected):
    X, y = data
    clf = CNNClassifier(backbone=_small_model(), epochs=1, shift=0.0)
    clf.fit((X * scale).astype(dtype), y)
    assert clf.pixel_range_ == expected


@pytest.mark.parametrize("bad", [-1.0, 256.0])
def test_pixels_out_of_both_ranges_are_refused(data, building_forbidden, bad):
    X, y = data
    X = X.astype(np.float32)
    X[0, 0, 0] = bad
    clf = CNNClassifier(backbone=_small_model(), epochs=1)
    with pytest.raises(ValueError) as raised:
        clf.fit(X, y)
    message = str(raised.value)
    assert "[0, 255]" in message and "[0, 1]" in message
    assert not hasattr(clf, "model_") and not hasattr(clf, "pixel_range_")


def test_a_network_of_its_own_has_no_pixel_range(data, no_training):
    X, y = data
    clf = small_cnn(epochs=1).fit(X, y)
    assert not hasattr(clf, "pixel_range_")
    clf.set_params(backbone=_small_model()).fit(X, y)
    assert clf.pixel_range_ == (0, 255)
    clf.set_params(backbone=None).fit(X, y)
    assert not hasattr(clf, "pixel_range_")


# ----------------------------------------------------------------------
# Bad input: refused before the backbone is built, or before training


def _three_d_model():
    inputs = keras.Input((8, 8, 1))
    return keras.Model(inputs, keras.layers.Reshape((64, 1))(inputs))


def _two_input_model():
    first, second = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
    return keras.Model([first, second], keras.layers.Add()([first, second]))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(backbone="mobilenetv2"), "Did you mean 'mobilenet_v2'"),
        (dict(backbone="missing/model.keras"), "No such file"),
        (dict(backbone=_three_d_model), r"\(batch, features\)"),
        (dict(backbone=_two_input_model), "one input of images"),
        (
            dict(backbone="resnet50", backbone_image_size=16),
            "at least 32 pixels",
        ),
        (dict(backbone=lambda: FrozenEstimator(CNNClassifier())), "not fitted"),
    ],
    ids=["unknown-name", "missing-path", "3d-output", "two-inputs", "size", "unfitted"],
)
def test_bad_backbones_are_refused_before_anything_is_built(
    data, building_forbidden, params, match
):
    X, y = data
    params = {k: v() if callable(v) else v for k, v in params.items()}
    clf = CNNClassifier(**params)
    with pytest.raises(InvalidParameterError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


def test_an_unknown_name_lists_the_known_ones(data, building_forbidden):
    X, y = data
    with pytest.raises(InvalidParameterError) as raised:
        CNNClassifier(backbone="mobilenetv2").fit(X, y)
    assert "mobilenet_v3_small" in str(raised.value)
    assert "convnext_tiny" in str(raised.value)


def test_a_path_to_a_file_other_than_keras(data, building_forbidden, tmp_path):
    X, y = data
    path = tmp_path / "model.h5"
    path.write_bytes(b"HDF5")
    with pytest.raises(InvalidParameterError, match=r"saved \.keras model"):
        CNNClassifier(backbone=str(path)).fit(X, y)


def test_a_fitted_classifier_must_be_wrapped(data, pretrained_cnn, building_forbidden):
    X, y = data
    with pytest.raises(InvalidParameterError, match="FrozenEstimator"):
        CNNClassifier(backbone=pretrained_cnn).fit(X, y)


def test_a_file_that_is_not_a_keras_model(data, training_forbidden, tmp_path):
    X, y = data
    path = tmp_path / "x.keras"
    path.write_bytes(b"garbage")
    clf = CNNClassifier(backbone=str(path))
    with pytest.raises(ValueError, match="could not load") as raised:
        clf.fit(X, y)
    assert str(path) in str(raised.value)
    assert not hasattr(clf, "model_")


def test_one_class_is_refused(data, building_forbidden):
    X, y = data
    clf = CNNClassifier(**APP)
    with pytest.raises(ValueError, match="at least 2 classes"):
        clf.fit(X, np.zeros(len(X), int))
    assert not hasattr(clf, "model_")


def test_weights_from_a_missing_file(data, training_forbidden, tmp_path):
    X, y = data
    missing = tmp_path / "mobilenet_v3_small.weights.h5"
    clf = CNNClassifier(**{**APP, "backbone_weights": str(missing)})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


def _mobilenet_v2():
    return keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )


@pytest.mark.parametrize(
    "other",
    [_rgb_model, pytest.param(_mobilenet_v2, marks=pytest.mark.slow)],
    ids=["small-model", "mobilenet_v2"],
)
def test_weights_of_another_architecture(data, training_forbidden, tmp_path, other):
    X, y = data
    path = tmp_path / "other.weights.h5"
    other().save_weights(path)
    clf = CNNClassifier(**{**APP, "backbone_weights": str(path)})
    with pytest.raises(ValueError, match="Could not load the weights file") as raised:
        clf.fit(X, y)
    message = str(raised.value)
    assert str(path) in message and "MobileNetV3Small" in message
    assert not hasattr(clf, "model_")


# ----------------------------------------------------------------------
# The forms of a backbone, and clone


def test_a_model_is_copied_not_trained_in_place(digits_scaled):
    X, y = digits_scaled
    model = _small_model()
    before = [w.copy() for w in model.get_weights()]
    clf = CNNClassifier(
        backbone=model,
        dense_units=8,
        epochs=2,
        shift=0.0,
        fine_tune=1.0,
        fine_tune_epochs=1,
        fine_tune_learning_rate=0.01,
        random_state=0,
    ).fit(X, y)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    trained = clf.model_.get_layer("backbone").get_layer("conv1").get_weights()[0]
    assert not np.array_equal(trained, model.get_layer("conv1").get_weights()[0])
    assert clf.history_["phase"] == [1, 1, 2]


def test_a_saved_file_is_cut_without_its_augmentation(saved_cnn, digits_scaled):
    X, y = digits_scaled
    clf = CNNClassifier(
        backbone=str(saved_cnn), dense_units=8, shift=0.0, random_state=0
    ).initialize(X, y)
    backbone = clf.model_.get_layer("backbone")
    names = [layer.name for layer in backbone.layers]
    assert names[-1] == "relu2" and "conv1" in names
    assert not [
        name
        for layer in backbone.layers
        if (name := type(layer).__name__) in AUGMENTATION_LAYERS
    ]
    # No augmentation in the new network either (shift=0): none anywhere.
    assert not [
        layer.name
        for layer in _all_layers(clf.model_)
        if type(layer).__name__ in AUGMENTATION_LAYERS
    ]
    assert clf.model_.get_layer("features").output.shape == (None, 32)
    assert clf.predict_proba(X[:5]).shape == (5, 10)


def test_clone_keeps_every_form(pretrained_cnn, saved_cnn):
    frozen = FrozenEstimator(pretrained_cnn)
    cloned = clone(CNNClassifier(backbone=frozen))
    assert cloned.backbone is frozen
    assert hasattr(cloned.backbone.estimator, "model_")
    path = str(saved_cnn)
    assert clone(CNNClassifier(backbone=path)).backbone == path
    assert clone(CNNClassifier(backbone=saved_cnn)).backbone == saved_cnn
    name = clone(CNNClassifier(backbone="resnet50")).backbone
    assert name == "resnet50"
    model = _small_model()
    copied = clone(CNNClassifier(backbone=model)).backbone
    assert isinstance(copied, keras.Model)
    for a, b in zip(copied.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_clone_of_a_fitted_classifier_keeps_its_backbone(app_clf):
    cloned = clone(app_clf)
    assert not hasattr(cloned, "model_") and not hasattr(cloned, "pixel_range_")
    assert cloned.get_params() == app_clf.get_params()


@pytest.mark.slow
def test_a_grid_search_over_backbones(saved_cnn, digits_scaled):
    X, y = digits_scaled
    X, y = X[:120], y[:120]
    search = GridSearchCV(
        CNNClassifier(
            filters=(4,),
            dense_units=8,
            epochs=1,
            shift=0.0,
            backbone_weights=None,
            random_state=0,
        ),
        {"backbone": [None, "mobilenet_v3_small", str(saved_cnn)]},
        cv=2,
    ).fit(X, y)
    assert list(search.cv_results_["param_backbone"]) == [
        None,
        "mobilenet_v3_small",
        str(saved_cnn),
    ]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.predict(X[:5]).shape == (5,)


# ----------------------------------------------------------------------
# epochs="auto"


@pytest.mark.parametrize("n, head", [(100, 30), (1500, 20), (12_000, 10)])
def test_auto_epochs_with_a_backbone_follow_the_head_rule(data, no_training, n, head):
    X, y = data
    X, y = np.resize(X, (n, 8, 8)), np.resize(y, n)
    CNNClassifier(backbone=_small_model(), shift=0.0).fit(X, y)
    CNNClassifier(filters=(4,), shift=0.0).fit(X, y)
    with_backbone, scratch = no_training
    assert with_backbone.epochs == auto_head_epochs(n) == head
    assert scratch.epochs == auto_epochs(n) == min(60, max(15, round(240_000 / n)))


def test_given_epochs_are_phase_1_epochs(data, no_training):
    X, y = data
    CNNClassifier(backbone=_small_model(), epochs=4, fine_tune=0.5).fit(X, y)
    assert no_training[0].epochs == 4
