"""The network-building functions."""

import inspect

import numpy as np
import pytest

from skcnn import CNNClassifier
from skcnn.architectures import (
    augmentation_layers,
    build_cnn,
    build_tutorial_mnist_cnn,
)

AUGMENTATION = {"RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom"}


def _kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def test_build_cnn_defaults_are_the_classifier_defaults():
    """One set of defaults: the function's keyword defaults equal the estimator's."""
    estimator = CNNClassifier().get_params()
    for name, parameter in inspect.signature(build_cnn).parameters.items():
        if parameter.kind is parameter.KEYWORD_ONLY and name in estimator:
            assert parameter.default == estimator[name], name


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


def test_pooling_is_skipped_where_an_axis_would_vanish():
    model = build_cnn((1, 16, 1), 2, filters=(4, 4, 4))
    pools = [la for la in model.layers if type(la).__name__ == "MaxPooling2D"]
    assert all(pool.pool_size[0] == 1 for pool in pools)
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
