"""Training around a backbone: the head phase, the fine-tuning phase, cached features.

The backbone is a small skcnn network fitted on the digits and cut after its
last feature map (``FrozenEstimator`` of a fitted ``CNNClassifier``): its
BatchNormalization statistics are learnt from data, so gradients flow
through it in inference mode (through a random-weight Keras application
they can vanish), and a fit takes a second.
"""

import math
import pickle

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator

from skcnn import CNNClassifier
from skcnn._engine import fine_tuning
from skcnn._engine.fine_tuning import head_network
from skcnn._engine.inference import InferenceFunction
from skcnn._engine.runtime import keras
from skcnn._engine.training import OneCycleSchedule

BATCH_NORMS = ("batch_norm1", "batch_norm2")


def _transfer(pretrained_cnn, **params):
    """A CNNClassifier on the pretrained CNN, small enough for tests."""
    defaults = dict(
        backbone=FrozenEstimator(pretrained_cnn),
        dense_units=16,
        epochs=2,
        batch_size=32,
        learning_rate=0.01,
        shift=0.0,
        random_state=0,
    )
    defaults.update(params)
    return CNNClassifier(**defaults)


def _weights(model):
    """``{layer name: [arrays]}`` of the layers of ``model`` that have weights."""
    return {
        layer.name: [w.copy() for w in layer.get_weights()]
        for layer in model.layers
        if layer.weights
    }


def _same(first, second):
    return len(first) == len(second) and all(
        np.array_equal(a, b) for a, b in zip(first, second, strict=True)
    )


@pytest.fixture(scope="module")
def pretrained_weights(pretrained_cnn):
    """The pretrained network's weights before any test fits on it."""
    return _weights(pretrained_cnn.model_)


@pytest.fixture(scope="module")
def fine_tuned(pretrained_cnn, pretrained_weights, digits_scaled):
    """Two epochs of the head, then two with the top half of the backbone.

    Half of the 8 layers (conv, pool, batch_norm, relu per block) is block 2.
    """
    X, y = digits_scaled
    return _transfer(
        pretrained_cnn,
        fine_tune=0.5,
        fine_tune_epochs=2,
        fine_tune_learning_rate=0.01,
    ).fit(X, y)


@pytest.fixture
def train_calls(monkeypatch):
    """Each :func:`train` run of a fit: the model trained, its inputs, its plan."""
    calls = []
    real = fine_tuning.train

    def spy(model, X, y, plan, callbacks):
        backbone = next(
            (layer for layer in model.layers if layer.name == "backbone"), None
        )
        calls.append(
            dict(
                model=model.name,
                shape=X.shape[1:],
                plan=plan,
                callbacks=list(callbacks),
                classes=[w.copy() for w in model.get_layer("classes").get_weights()],
                backbone_trainable=(
                    None if backbone is None else len(backbone.trainable_weights)
                ),
            )
        )
        return real(model, X, y, plan, callbacks)

    monkeypatch.setattr(fine_tuning, "train", spy)
    return calls


@pytest.fixture
def feature_passes(monkeypatch):
    """The number of images of each feature computation of phase 1."""
    passes = []

    class Spy:
        def __init__(self, model, input_shape):
            self._function = InferenceFunction(model, input_shape)

        def __call__(self, X, batch_size):
            passes.append(len(X))
            return self._function(X, batch_size)

    monkeypatch.setattr(fine_tuning, "InferenceFunction", Spy)
    return passes


class ConstantLoss(keras.callbacks.Callback):
    """Reports the same loss every epoch: early stopping sees no improvement."""

    def on_epoch_end(self, epoch, logs=None):
        logs["loss"] = 1.0


# ----------------------------------------------------------------------
# The two phases


def test_history_says_which_phase_each_epoch_belongs_to(fine_tuned):
    assert fine_tuned.history_["phase"] == [1, 1, 2, 2]
    assert len(fine_tuned.history_["loss"]) == len(fine_tuned.history_["accuracy"]) == 4


def test_fine_tuning_trains_the_top_blocks_and_no_other(fine_tuned, pretrained_weights):
    backbone = _weights(fine_tuned.model_.get_layer("backbone"))
    assert set(backbone) == {
        "conv1",
        "batch_norm1",
        "conv2",
        "batch_norm2",
    }
    assert _same(backbone["conv1"], pretrained_weights["conv1"])
    assert not _same(backbone["conv2"], pretrained_weights["conv2"])


def test_batch_norm_statistics_are_kept_in_both_phases(fine_tuned, pretrained_weights):
    """Gamma, beta and the moving mean and variance, as pretrained."""
    backbone = fine_tuned.model_.get_layer("backbone")
    for name in BATCH_NORMS:
        assert len(pretrained_weights[name]) == 4
        assert _same(backbone.get_layer(name).get_weights(), pretrained_weights[name])


def test_the_backbone_given_is_not_trained(
    fine_tuned, pretrained_cnn, pretrained_weights
):
    assert fine_tuned.model_.get_layer("backbone") is not pretrained_cnn.model_
    for name, weights in _weights(pretrained_cnn.model_).items():
        assert _same(weights, pretrained_weights[name]), name


def test_head_network_shares_the_network_s_layers(fine_tuned, digits_scaled):
    model = fine_tuned.model_
    extractor, head = head_network(model)
    X = digits_scaled[0][:10].reshape(-1, 8, 8, 1)
    features = extractor(X, training=False)
    assert tuple(features.shape) == (10, 32)  # 2 x 2 x 8, flattened
    np.testing.assert_allclose(
        np.asarray(head(features, training=False)),
        np.asarray(model(X, training=False)),
        rtol=0,
        atol=1e-6,
    )
    assert head.get_layer("classes") is model.get_layer("classes")


def test_each_phase_has_its_own_schedule_and_early_stopping(
    pretrained_cnn, digits_scaled, train_calls
):
    """With a loss that never improves, patience 1 stops each phase after 2 epochs.

    Phase 2 numbers its epochs on from where phase 1 stopped and runs at the
    fine-tuning rate; class weights reach both phases.
    """
    X, y = digits_scaled
    clf = _transfer(
        pretrained_cnn,
        epochs=4,
        fine_tune=0.5,
        fine_tune_epochs=4,
        fine_tune_learning_rate=1e-3,
        early_stopping=1,
        class_weight="balanced",
        callbacks=[ConstantLoss()],
    ).fit(X, y)
    assert clf.history_["phase"] == [1, 1, 2, 2]
    first, second = train_calls
    assert (first["plan"].first_epoch, first["plan"].epochs) == (0, 4)
    assert (second["plan"].first_epoch, second["plan"].epochs) == (2, 4)
    assert first["backbone_trainable"] == 0 and second["backbone_trainable"] > 0

    def own(call, kind):
        (callback,) = [c for c in call["callbacks"] if isinstance(c, kind)]
        return callback

    schedules = [own(call, OneCycleSchedule) for call in (first, second)]
    assert schedules[0].peak == pytest.approx(0.01)
    assert schedules[1].peak == pytest.approx(1e-3)
    assert schedules[1].total == math.ceil(len(X) / 32) * 4
    stops = [own(call, keras.callbacks.EarlyStopping) for call in (first, second)]
    assert stops[0] is not stops[1]
    assert first["plan"].sample_weight is not None
    np.testing.assert_array_equal(
        second["plan"].sample_weight, first["plan"].sample_weight
    )


# ----------------------------------------------------------------------
# partial_fit and warm_start


def test_partial_fit_trains_the_head_for_one_epoch(
    pretrained_cnn, pretrained_weights, digits_scaled, train_calls
):
    X, y = digits_scaled
    clf = _transfer(pretrained_cnn, fine_tune=0.5, fine_tune_epochs=3)
    clf.partial_fit(X, y, classes=np.unique(y))
    assert clf.history_["phase"] == [1]
    (call,) = train_calls
    assert call["plan"].epochs == 1 and call["backbone_trainable"] == 0
    backbone = _weights(clf.model_.get_layer("backbone"))
    for name, weights in backbone.items():
        assert _same(weights, pretrained_weights[name]), name


def test_partial_fit_after_fine_tuning_freezes_the_backbone_again(
    fine_tuned, digits_scaled
):
    X, y = digits_scaled
    clf = pickle.loads(pickle.dumps(fine_tuned))
    before = _weights(clf.model_.get_layer("backbone"))
    clf.partial_fit(X, y)
    assert clf.history_["phase"] == [1, 1, 2, 2, 1]
    after = _weights(clf.model_.get_layer("backbone"))
    for name, weights in before.items():
        assert _same(after[name], weights), name


@pytest.mark.slow
def test_a_warm_start_fit_continues_from_the_weights(
    pretrained_cnn, digits_scaled, train_calls, monkeypatch
):
    """Both phases again from the weights reached; ``history_`` restarts.

    scikeras's ``fit`` starts at epoch 0, and skcnn restarts ``history_``
    for a fit that starts at epoch 0 (``_record_history``); ``partial_fit``
    appends.
    """
    X, y = digits_scaled
    clf = _transfer(
        pretrained_cnn, fine_tune=0.5, fine_tune_epochs=1, warm_start=True
    ).fit(X, y)
    model = clf.model_
    reached = clf.model_.get_layer("classes").get_weights()
    train_calls.clear()

    def rebuilt(*args, **kwargs):
        raise AssertionError("a warm-start fit built a new network")

    monkeypatch.setattr(CNNClassifier, "_build_network", rebuilt)
    clf.fit(X, y)
    assert clf.model_ is model
    assert clf.history_["phase"] == [1, 1, 2]
    first = train_calls[0]
    assert _same(first["classes"], reached)
    # Phase 1 runs with the backbone frozen again.
    assert first["backbone_trainable"] in (None, 0)
    assert [call["plan"].first_epoch for call in train_calls] == [0, 2]


# ----------------------------------------------------------------------
# Features computed once


@pytest.mark.slow
def test_features_are_computed_once_with_a_validation_split(
    pretrained_cnn, digits_scaled, feature_passes
):
    """Also with a validation split: it is drawn from the features."""
    X, y = digits_scaled
    clf = _transfer(pretrained_cnn, epochs=3, validation_split=0.2).fit(X, y)
    assert feature_passes == [len(X)]
    assert clf.history_["phase"] == [1, 1, 1]
    assert len(clf.history_["val_loss"]) == 3


class _Stop(Exception):
    pass


@pytest.mark.parametrize(
    "params",
    [
        dict(shift=0.1),
        dict(horizontal_flip=True),
        dict(epochs=1),
        dict(callbacks=[keras.callbacks.Callback()]),
    ],
    ids=["shift", "flip", "one-epoch", "callback"],
)
def test_no_cache_when_images_or_the_model_vary(
    pretrained_cnn, digits_scaled, feature_passes, monkeypatch, params
):
    """The fit is stopped where training starts: what it trains is known then."""
    X, y = digits_scaled
    trained = []

    def stop(model, *args, **kwargs):
        trained.append(model.name)
        raise _Stop

    monkeypatch.setattr(fine_tuning, "train", stop)
    with pytest.raises(_Stop):
        _transfer(pretrained_cnn, **params).fit(X, y)
    assert trained == ["transfer_cnn"]
    assert feature_passes == []


def test_cached_and_uncached_fits_agree(
    pretrained_cnn, digits_scaled, feature_passes, train_calls
):
    """Without augmentation, the head learns the same from features computed once.

    With ``fine_tune=0`` the fit is phase 1 alone, whatever ``fine_tune_epochs``.
    """
    X, y = digits_scaled
    cached = _transfer(pretrained_cnn, epochs=3, fine_tune_epochs=3).fit(X, y)
    assert feature_passes == [len(X)]
    assert cached.history_["phase"] == [1, 1, 1]
    assert [call["model"] for call in train_calls] == ["head"]
    uncached = _transfer(
        pretrained_cnn, epochs=3, callbacks=[keras.callbacks.Callback()]
    ).fit(X, y)
    assert feature_passes == [len(X)]
    assert [call["model"] for call in train_calls] == ["head", "transfer_cnn"]
    np.testing.assert_allclose(
        cached.history_["loss"], uncached.history_["loss"], rtol=1e-4
    )
    np.testing.assert_allclose(
        cached.predict_proba(X), uncached.predict_proba(X), rtol=0, atol=1e-4
    )
