"""The pipelines the subcommands train: the CNN's and the baselines'."""

import pickle
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import Bunch

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.cli import _models
from skcnn.cli._report import Printer


def _bunch(source="digits", shape=(8, 8), pixel_max=16):
    """A dataset Bunch with two blank images of ``shape``."""
    images = np.zeros((2, *shape), dtype=np.uint8)
    return Bunch(images=images, source=source, pixel_max=pixel_max)


def test_cnn_pipeline_reshapes_scales_and_classifies():
    pipeline = _models.cnn_pipeline(
        _bunch(shape=(28, 28)), Printer(True), epochs=4, random_state=3
    )
    assert [name for name, _ in pipeline.steps] == [
        "imagereshaper",
        "pixelscaler",
        "cnnclassifier",
    ]
    reshaper, scaler, cnn = pipeline
    assert isinstance(reshaper, ImageReshaper) and reshaper.image_shape == (28, 28)
    assert isinstance(scaler, PixelScaler) and scaler.max_value == 16
    assert isinstance(cnn, CNNClassifier)
    params = cnn.get_params()
    assert (params["epochs"], params["random_state"]) == (4, 3)
    defaults = CNNClassifier().get_params()
    for name in ("rotation", "shift", "horizontal_flip", "fit__callbacks"):
        assert params.get(name) == defaults.get(name), name


def test_colour_images_keep_their_channels():
    pipeline = _models.cnn_pipeline(
        _bunch(source="cifar10", shape=(32, 32, 3), pixel_max=255), Printer(True)
    )
    assert pipeline[0].image_shape == (32, 32, 3)
    assert pipeline[1].max_value == 255


def test_cifar10_gets_augmentation_that_parameters_override():
    cifar = _bunch(source="cifar10", shape=(32, 32, 3), pixel_max=255)
    params = _models.cnn_pipeline(cifar, Printer(True))[-1].get_params()
    assert (params["rotation"], params["shift"], params["horizontal_flip"]) == (
        10 / 360,
        0.1,
        True,
    )
    params = _models.cnn_pipeline(cifar, Printer(True), shift=0.0)[-1].get_params()
    assert (params["rotation"], params["shift"]) == (10 / 360, 0.0)
    for source in ("digits", "sample", "full", "/some/folder"):
        params = _models.cnn_pipeline(_bunch(source=source), Printer(True))
        assert params[-1].get_params()["shift"] == CNNClassifier().shift


def test_only_a_talking_printer_adds_the_epoch_logger():
    quiet = _models.cnn_pipeline(_bunch(), Printer(True))
    assert "fit__callbacks" not in quiet[-1].get_params()
    talking = _models.cnn_pipeline(_bunch(), Printer(False))
    (callback,) = talking[-1].get_params()["fit__callbacks"]
    assert type(callback).__name__ == "EpochLogger"


def _clock(monkeypatch, *readings):
    """Make the logger's clock read ``readings`` in turn."""
    ticks = iter(readings)
    monkeypatch.setattr(
        _models, "time", SimpleNamespace(perf_counter=lambda: next(ticks))
    )


def test_epoch_logger_reports_sorted_metrics_and_elapsed_time(monkeypatch):
    said = []
    logger = _models.epoch_logger(said.append)
    logger.set_params({"epochs": 3})
    _clock(monkeypatch, 100.0, 101.25, 112.5)
    logger.on_train_begin()
    logger.on_epoch_end(
        0, {"val_loss": 0.75, "loss": 0.5, "accuracy": 0.25, "learning_rate": 0.01}
    )
    logger.on_epoch_end(1, None)
    assert said == [
        "    epoch 1/3  accuracy 0.2500  loss 0.5000  val_loss 0.7500  (1.2 s)",
        "    epoch 2/3    (12.5 s)",
    ]


def test_epoch_logger_pickles_as_a_plain_callback():
    from skcnn._engine.runtime import keras

    said = []
    logger = _models.epoch_logger(said.append)
    restored = pickle.loads(pickle.dumps(logger))
    assert type(restored) is keras.callbacks.Callback
    restored.on_epoch_end(0, {"loss": 1.0})  # does nothing
    assert said == []


@pytest.mark.parametrize("name", list(_models.BASELINES))
def test_baselines_scale_then_classify(name):
    pipeline = _models.baseline(name, _bunch(pixel_max=16), random_state=5)
    scaler, estimator = (step for _, step in pipeline.steps)
    assert isinstance(scaler, PixelScaler) and scaler.max_value == 16
    assert type(estimator).__name__ == _models.BASELINES[name]
    # The seed goes to the baselines that draw at random with their defaults
    # (LogisticRegression's lbfgs and SVC without probabilities do not).
    seed = estimator.get_params().get("random_state")
    assert seed == (5 if name in ("rf", "mlp") else None)


def test_baseline_settings():
    bunch = _bunch()
    rf = _models.baseline("rf", bunch, 0)[-1]
    assert (rf.n_estimators, rf.n_jobs) == (200, -1)
    mlp = _models.baseline("mlp", bunch, 0)[-1]
    assert mlp.hidden_layer_sizes == (128,) and mlp.early_stopping
    assert _models.baseline("logreg", bunch, 0)[-1].max_iter == 1000
    with pytest.raises(KeyError):
        _models.baseline("forest", bunch, 0)


def test_a_baseline_predicts_as_its_estimator_on_scaled_pixels():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 17, size=(40, 64)).astype(np.uint8)
    y = np.arange(40) % 4
    pipeline = _models.baseline("knn", _bunch(pixel_max=16), 0).fit(X[:30], y[:30])
    reference = KNeighborsClassifier().fit(X[:30] / 16, y[:30])
    np.testing.assert_array_equal(
        pipeline.predict(X[30:]), reference.predict(X[30:] / 16)
    )
    np.testing.assert_allclose(
        pipeline.predict_proba(X[30:]), reference.predict_proba(X[30:] / 16)
    )
