"""The network-building functions."""

import ast
import inspect
import json

import numpy as np
import numpydoc.docscrape as numpydoc
import pytest

from skcnn import CNNClassifier
from skcnn._param_validation import InvalidParameterError
from skcnn.architectures import (
    BACKBONE_HYPERPARAMETERS,
    CNN_HYPERPARAMETERS,
    augmentation_layers,
    build_cnn,
    build_tutorial_mnist_cnn,
)
from skcnn.classifier import TRAINING_HYPERPARAMETERS
from tests._helpers import augment, without_augmentation

AUGMENTATION = {"RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom"}


def _kinds(model):
    return [type(layer).__name__ for layer in model.layers]


# A valid value other than the default for every declared hyperparameter of
# the network: a new hyperparameter needs one here too.
NON_DEFAULT = {
    "filters": (4, 6),
    "kernel_size": 5,
    "pool_size": 3,
    "dense_units": 7,
    "dropout": 0.2,
    "dense_dropout": 0.5,
    "batch_norm": False,
    "rotation": 0.05,
    "shift": 0.2,
    "zoom": 0.1,
    "horizontal_flip": True,
    "precision": "mixed_bfloat16",
}


def _config(**hyperparameters):
    """The network's layers and their settings, without Keras's numbered names."""
    model = build_cnn((12, 12, 1), 3, seed=0, **hyperparameters)
    layers = [
        (
            type(layer).__name__,
            {k: v for k, v in layer.get_config().items() if k != "name"},
        )
        for layer in model.layers
    ]
    return json.dumps(layers, sort_keys=True, default=str)


def test_every_declared_hyperparameter_is_used_by_the_builder():
    assert set(NON_DEFAULT) == set(CNN_HYPERPARAMETERS)
    default = _config()
    for name, value in NON_DEFAULT.items():
        assert _config(**{name: value}) != default, f"build_cnn ignores {name}"
    # Giving the declared defaults is the same as giving nothing.
    defaults = {name: spec.default for name, spec in CNN_HYPERPARAMETERS.items()}
    assert _config(**defaults) == default


def test_the_builder_takes_only_declared_hyperparameters():
    with pytest.raises(TypeError, match="unexpected hyperparameters \\['fliters'\\]"):
        build_cnn((8, 8, 1), 2, fliters=(4,))
    with pytest.raises(InvalidParameterError, match="'dropout' parameter of build_cnn"):
        build_cnn((8, 8, 1), 2, dropout=1.0)


def test_declarations_signature_constraints_docstring_and_builder_agree():
    declared = CNNClassifier._hyperparameters
    assert list(declared) == [
        *CNN_HYPERPARAMETERS,
        *BACKBONE_HYPERPARAMETERS,
        *TRAINING_HYPERPARAMETERS,
    ]
    signature = inspect.signature(CNNClassifier).parameters
    names = [name for name in signature if name != "kwargs"]
    # The signature is the declarations, in order, with their defaults.
    assert names == list(declared)
    for name in names:
        assert signature[name].default == declared[name].default, name
    # scikit-learn's constraints cover exactly the signature.
    assert set(CNNClassifier._parameter_constraints) == set(names)
    # The docstring documents each with the declared default.
    documented = {}
    for param in numpydoc.ClassDoc(CNNClassifier)["Parameters"]:
        if "default=" in param.type:
            documented[param.name] = param.type.split("default=", 1)[1].strip()
    for name in names:
        assert name in documented, f"{name} has no documented default"
        assert ast.literal_eval(documented[name]) == declared[name].default, name


def test_the_classifier_hands_the_builder_every_network_hyperparameter(
    monkeypatch, digits_scaled
):
    seen = {}

    def spy(input_shape, n_classes, *, seed=None, **hyperparameters):
        seen.update(hyperparameters, seed=seed)
        return build_cnn(input_shape, n_classes, seed=seed, **hyperparameters)

    monkeypatch.setattr("skcnn.classifier.build_cnn", spy)
    X, y = digits_scaled
    params = {**NON_DEFAULT, "precision": "float32", "filters": (4,)}
    CNNClassifier(**params, epochs=1, random_state=0).initialize(X[:40], y[:40])
    assert seen.pop("seed") is not None
    assert seen == params


def test_blocks_follow_filters():
    model = build_cnn((28, 28, 1), 10, filters=(4, 6), dense_units=0, batch_norm=True)
    kinds = _kinds(model)
    assert kinds.count("Conv2D") == 2 and kinds.count("BatchNormalization") == 2
    assert kinds.count("Dense") == 1
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize("shape", [(1, 20, 1), (20, 1, 1), (1, 1, 3)])
def test_no_augmentation_on_strips(shape):
    """Rows of tabular data are not images: nothing to shift, turn or flip."""
    model = build_cnn(shape, 3, shift=0.1, rotation=0.1, zoom=0.1, horizontal_flip=True)
    assert not AUGMENTATION & set(_kinds(model))


def test_augmentation_on_images():
    model = build_cnn(
        (8, 8, 1), 3, shift=0.1, rotation=0.1, zoom=0.1, horizontal_flip=True
    )
    assert AUGMENTATION <= set(_kinds(model))


ALL_AUGMENTATION = {"rotation": 0.1, "shift": 0.3, "zoom": 0.2, "horizontal_flip": True}


def test_augmentation_draws_anew_on_every_call_and_repeats_with_its_seed(
    digits_scaled,
):
    X, _ = digits_scaled
    batch = X[:32].reshape(-1, 8, 8, 1)

    def three_calls(seed):
        model = build_cnn((8, 8, 1), 10, seed=seed, **ALL_AUGMENTATION)
        return [augment(model, batch) for _ in range(3)]

    first = three_calls(0)
    for i, out in enumerate(first):
        assert out.shape == batch.shape
        # Every image of every call is transformed, and differently each time.
        assert np.all(np.any(out != batch, axis=(1, 2, 3)))
        for other in first[i + 1 :]:
            assert np.all(np.any(out != other, axis=(1, 2, 3)))
    # The same seed repeats the whole sequence; another seed does not.
    for out, again in zip(first, three_calls(0), strict=True):
        np.testing.assert_array_equal(out, again)
    assert not np.array_equal(first[0], three_calls(1)[0])


def test_augmentation_is_the_identity_at_inference(digits_scaled):
    X, _ = digits_scaled
    images = X[:50].reshape(-1, 8, 8, 1)
    model = build_cnn(
        (8, 8, 1), 10, filters=(4,), dense_units=8, seed=0, **ALL_AUGMENTATION
    )
    np.testing.assert_array_equal(augment(model, images, training=False), images)
    plain = without_augmentation(model, filters=(4,), dense_units=8, seed=1)
    expected = np.asarray(plain(images, training=False))
    for _ in range(2):
        np.testing.assert_array_equal(
            np.asarray(model(images, training=False)), expected
        )
    # The layers are there and do act while training.
    assert not np.array_equal(augment(model, images), images)


def test_each_augmentation_layer_has_its_own_seed():
    layers = augmentation_layers(
        rotation=0.1, shift=0.1, zoom=0.1, horizontal_flip=True, seed=3
    )
    seeds = [layer.seed for layer in layers]
    assert len(set(seeds)) == len(seeds) == 4
    again = augmentation_layers(
        rotation=0.1, shift=0.1, zoom=0.1, horizontal_flip=True, seed=3
    )
    assert [layer.seed for layer in again] == seeds


def test_same_seed_same_initial_weights_and_none_without_global_state():
    first = build_cnn((8, 8, 1), 3, seed=5).get_weights()
    second = build_cnn((8, 8, 1), 3, seed=5).get_weights()
    other = build_cnn((8, 8, 1), 3, seed=6).get_weights()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    "input_shape, pool_size, expected",
    # expected: pooling layer name -> (pool size, output height and width)
    [
        # A one-row strip is pooled along its width only, in every block.
        (
            (1, 16, 1),
            2,
            {
                "pool1": ((1, 2), (1, 8)),
                "pool2": ((1, 2), (1, 4)),
                "pool3": ((1, 2), (1, 2)),
            },
        ),
        # Two rows: pooled both ways once, then along the width only.
        (
            (2, 16, 1),
            2,
            {
                "pool1": ((2, 2), (1, 8)),
                "pool2": ((1, 2), (1, 4)),
                "pool3": ((1, 2), (1, 2)),
            },
        ),
        # Pools of 3: a 9x4 image pools both ways, then along the height only,
        # then not at all (block 3 has no pooling layer).
        ((9, 4, 1), 3, {"pool1": ((3, 3), (3, 1)), "pool2": ((3, 1), (1, 1))}),
        # A single pixel is never pooled.
        ((1, 1, 3), 2, {}),
    ],
    ids=["one-row", "two-rows", "pool-3", "one-pixel"],
)
def test_pooling_is_skipped_where_an_axis_would_vanish(
    input_shape, pool_size, expected
):
    model = build_cnn(
        input_shape, 2, filters=(4, 4, 4), pool_size=pool_size, dense_units=0
    )
    pools = {
        la.name: (tuple(la.pool_size), tuple(la.output.shape[1:3]))
        for la in model.layers
        if type(la).__name__ == "MaxPooling2D"
    }
    assert pools == expected
    # Every block keeps 4 channels; the last spatial size is what is flattened.
    last = list(expected.values())[-1][1] if expected else input_shape[:2]
    assert model.get_layer("flatten").output.shape[1] == 4 * last[0] * last[1]
    assert model.output_shape == (None, 2)


def test_mixed_precision_keeps_float32_outputs():
    model = build_cnn((8, 8, 1), 3, precision="mixed_bfloat16")
    assert model.layers[-1].dtype_policy.compute_dtype == "float32"
    conv = next(la for la in model.layers if type(la).__name__ == "Conv2D")
    assert conv.dtype_policy.compute_dtype == "bfloat16"


def test_tutorial_network_matches_the_reference():
    model = build_tutorial_mnist_cnn()
    assert model.count_params() == 225034
    assert _kinds(model).count("Dropout") == 3
