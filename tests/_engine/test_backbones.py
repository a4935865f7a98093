"""Backbones: their four forms, their checks, the input adaptation, the blocks.

Offline: Keras applications are built with random weights (``weights=None``)
at 32 pixels, the smallest size Keras builds them for. The input adaptation
is compared with Keras's own ``preprocess_input`` of each family, which is
what the pretrained weights expect.
"""

import itertools
import random
import re

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression

from skcnn import CNNClassifier
from skcnn._engine.adaptation import adaptation_layers, pixel_range
from skcnn._engine.backbones import (
    FAMILIES,
    Backbone,
    backbone_kind,
    block_patterns,
    check_backbone,
    image_size_of,
    resolve_backbone,
)
from skcnn._engine.freezing import unfreeze_top
from skcnn._engine.runtime import keras, tf
from skcnn._param_validation import InvalidParameterError
from skcnn.architectures import build_feature_extractor

OWNER = "CNNClassifier"
SIZE = 32

# The keras.applications module whose preprocess_input each family's
# pretrained weights expect.
PREPROCESS_MODULES = {
    "mobilenet_v2": "mobilenet_v2",
    "mobilenet_v3_small": "mobilenet_v3",
    "mobilenet_v3_large": "mobilenet_v3",
    "efficientnet_b0": "efficientnet",
    "efficientnet_v2_b0": "efficientnet_v2",
    "resnet50": "resnet50",
    "convnext_tiny": "convnext",
}

# Families whose blocks are checked in the quick run; the others are slow
# (each build takes a second or two).
QUICK_FAMILIES = ("mobilenet_v2", "mobilenet_v3_small")


def _slow_unless_quick(names):
    return [
        name if name in QUICK_FAMILIES else pytest.param(name, marks=pytest.mark.slow)
        for name in names
    ]


@pytest.fixture(scope="module")
def app():
    """``app(name)``: the family's backbone at 32 pixels, random weights, built once.

    Tests may change its layers' ``trainable`` flags (``unfreeze_top``
    resets them all) but not its weights.
    """
    built = {}

    def build(name):
        if name not in built:
            built[name] = resolve_backbone(name, None, SIZE, seed=0, owner=OWNER)
        return built[name]

    return build


@pytest.fixture(scope="module")
def gray_images(digits):
    """16 digits as uint8 images (16, 8, 8, 1)."""
    X, _ = digits
    return X[:16].reshape(-1, 8, 8, 1)


@pytest.fixture(scope="module")
def rgb_images(gray_images):
    """16 uint8 RGB images whose three channels differ (BGR flips show)."""
    g = gray_images
    return np.concatenate([g, g[:, :, ::-1], 255 - g], axis=-1)


@pytest.fixture(scope="module")
def saved_cnn(pretrained_cnn, tmp_path_factory):
    """The pretrained CNN's network saved as a .keras file."""
    path = tmp_path_factory.mktemp("saved") / "cnn.keras"
    pretrained_cnn.model_.save(path)
    return path


def _layers(model):
    """The layers of ``model`` (not nested ones), its input layer left out."""
    return [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _block(name, pattern):
    """The block a layer named ``name`` is in: the pattern's group, or its match."""
    match = re.search(pattern, name)
    return None if match is None else match.group(1) or match.group(0)


def _small_model(input_shape=(8, 8, 1), flat=False):
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(3, 3, padding="same", name="conv")(inputs)
    if flat:
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, x, name="small")


def _feature_maps(model, X):
    """The output of the pretrained network's last feature map (relu2)."""
    maps = keras.Model(model.input, model.get_layer("relu2").output)
    return np.asarray(maps(X, training=False))


# ----------------------------------------------------------------------
# The table of Keras applications


def test_every_family_names_a_keras_application():
    assert set(FAMILIES) == set(PREPROCESS_MODULES)
    for name, family in FAMILIES.items():
        assert callable(getattr(keras.applications, family.constructor)), name
        assert family.preprocessing in ("caffe", "tf", "builtin")
        assert (family.native_size, family.min_size) == (224, 32)
        re.compile(family.block_pattern)


def test_backbone_kind():
    assert backbone_kind("resnet50") == "name"
    assert backbone_kind("weights/cnn.keras") == "path"
    assert backbone_kind(_small_model()) == "model"
    assert backbone_kind(FrozenEstimator(CNNClassifier())) == "estimator"


# ----------------------------------------------------------------------
# check_backbone: before anything is built


@pytest.mark.parametrize("name", list(FAMILIES))
def test_known_names_pass(name):
    check_backbone(name, OWNER)


def test_an_unknown_name_suggests_the_closest_and_lists_them_all():
    with pytest.raises(InvalidParameterError) as raised:
        check_backbone("mobilenetv2", OWNER)
    message = str(raised.value)
    assert "'backbone' parameter of CNNClassifier" in message
    assert "Did you mean 'mobilenet_v2'?" in message
    assert all(name in message for name in FAMILIES)


def test_a_name_like_no_known_one_gets_no_suggestion():
    with pytest.raises(InvalidParameterError, match="Known names") as raised:
        check_backbone("xyz", OWNER)
    assert "Did you mean" not in str(raised.value)


def test_a_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "missing.keras"
    with pytest.raises(InvalidParameterError, match="No such file"):
        check_backbone(str(missing), OWNER)
    with pytest.raises(InvalidParameterError, match="No such file"):
        check_backbone(missing, OWNER)


def test_a_path_to_a_file_that_is_not_a_keras_file(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"HDF5")
    with pytest.raises(InvalidParameterError, match=r"saved \.keras model"):
        check_backbone(str(path), OWNER)


def test_an_existing_keras_file_passes_the_check(saved_cnn):
    check_backbone(str(saved_cnn), OWNER)
    check_backbone(saved_cnn, OWNER)


def test_models_of_images_to_maps_or_vectors_pass():
    check_backbone(_small_model(), OWNER)
    check_backbone(_small_model(flat=True), OWNER)


def test_a_model_whose_output_is_neither_maps_nor_vectors():
    inputs = keras.Input((8, 8, 1))
    outputs = keras.layers.Reshape((64, 1))(inputs)
    with pytest.raises(
        InvalidParameterError, match=r"outputs of shapes \[\(None, 64, 1\)\]"
    ):
        check_backbone(keras.Model(inputs, outputs), OWNER)


def test_a_model_of_two_inputs():
    first, second = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
    outputs = keras.layers.Add()([first, second])
    with pytest.raises(InvalidParameterError, match="one input of images"):
        check_backbone(keras.Model([first, second], outputs), OWNER)


def test_a_model_of_rows_rather_than_images():
    inputs = keras.Input((64,))
    model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
    with pytest.raises(InvalidParameterError, match="one input of images"):
        check_backbone(model, OWNER)


def test_a_classifier_must_be_fitted_and_frozen(pretrained_cnn):
    check_backbone(FrozenEstimator(pretrained_cnn), OWNER)
    with pytest.raises(InvalidParameterError, match="wrap.*FrozenEstimator"):
        check_backbone(pretrained_cnn, OWNER)
    with pytest.raises(InvalidParameterError, match="not fitted: fit it first"):
        check_backbone(FrozenEstimator(CNNClassifier()), OWNER)


@pytest.mark.parametrize(
    "backbone",
    [3, LogisticRegression(), FrozenEstimator(LogisticRegression())],
    ids=["int", "estimator", "frozen-estimator"],
)
def test_anything_else_is_refused(backbone):
    with pytest.raises(InvalidParameterError, match="a Keras application name"):
        check_backbone(backbone, OWNER)


# ----------------------------------------------------------------------
# Image sizes


def test_image_size_defaults_to_the_native_size_or_the_model_s():
    assert image_size_of("resnet50", None, OWNER) == (224, 224)
    assert image_size_of(None, None, OWNER) is None


@pytest.mark.parametrize(
    "size, expected", [(32, (32, 32)), ((32, 48), (32, 48)), ([40, 33], (40, 33))]
)
def test_image_size_of_an_int_or_a_pair(size, expected):
    assert image_size_of("mobilenet_v2", size, OWNER) == expected


@pytest.mark.parametrize("size", [31, (32, 16)])
def test_keras_applications_take_32_pixels_or_more(size):
    with pytest.raises(InvalidParameterError, match="at least 32 pixels"):
        image_size_of("efficientnet_b0", size, OWNER)


def test_models_take_any_size():
    assert image_size_of(None, 8, OWNER) == (8, 8)


# ----------------------------------------------------------------------
# Pixel ranges


@pytest.mark.parametrize(
    "X, expected",
    [
        (np.array([0, 3], np.uint8), (0, 255)),
        (np.array([0, 255], np.uint8), (0, 255)),
        (np.array([0.0, 0.5, 1.0], np.float32), (0, 1)),
        (np.zeros(3), (0, 1)),
        (np.array([0.0, 1.5]), (0, 255)),
        (np.array([0.0, 255.0], np.float32), (0, 255)),
        (np.array([0, 200], np.int64), (0, 255)),
    ],
)
def test_pixel_range(X, expected):
    assert pixel_range(X, OWNER) == expected


@pytest.mark.parametrize(
    "X, seen",
    [(np.array([-0.5, 1.0]), "from -0.5 to 1"), (np.array([0.0, 256.0]), "to 256")],
)
def test_pixels_out_of_both_ranges_are_refused(X, seen):
    with pytest.raises(ValueError) as raised:
        pixel_range(X, OWNER)
    message = str(raised.value)
    assert "[0, 255]" in message and "[0, 1]" in message and seen in message


# ----------------------------------------------------------------------
# The input adaptation: what Keras's preprocess_input does, inside the network


def _stand_in_backbone(name):
    """A backbone of ``name``'s family around a one-layer model (fast to build).

    The adaptation layers depend on the family, the size and the channels
    only, not on the application's layers.
    """
    inputs = keras.Input((SIZE, SIZE, 3))
    outputs = keras.layers.Conv2D(2, 3, name="conv")(inputs)
    model = keras.Model(inputs, outputs, name="backbone")
    return Backbone(model, FAMILIES[name], (SIZE, SIZE), 3, "average")


def _adaptation(network):
    """``network`` from its images to the end of its input adaptation."""
    names = [layer.name for layer in network.layers]
    last = "preprocess" if "preprocess" in names else "resize"
    return keras.Model(network.input, network.get_layer(last).output)


def _reference(images_255, name):
    """Keras's own preprocessing of ``images_255`` resized to 32 pixels."""
    if images_255.shape[-1] == 1:
        images_255 = np.repeat(images_255, 3, axis=-1)
    resized = tf.image.resize(
        images_255.astype(np.float32), (SIZE, SIZE), method="bilinear"
    ).numpy()
    module = getattr(keras.applications, PREPROCESS_MODULES[name])
    return np.asarray(module.preprocess_input(resized.copy()))


@pytest.mark.parametrize("top", [255, 1], ids=["0-255", "0-1"])
@pytest.mark.parametrize("colour", ["gray", "rgb"])
@pytest.mark.parametrize("name", list(FAMILIES))
def test_the_adaptation_is_keras_preprocessing(
    name, colour, top, gray_images, rgb_images
):
    images = gray_images if colour == "gray" else rgb_images
    pixels = images if top == 255 else (images / 255).astype(np.float32)
    network = build_feature_extractor(
        images.shape[1:], _stand_in_backbone(name), pixel_range=(0, top)
    )
    adapted = np.asarray(
        _adaptation(network)(pixels.astype(np.float32), training=False)
    )
    np.testing.assert_allclose(adapted, _reference(images, name), rtol=0, atol=1e-3)


# One of the four input variants per family for the real applications (the
# quick test covers all four, for every family, with a stand-in backbone).
VARIANTS = dict(
    zip(
        FAMILIES,
        itertools.cycle([("gray", 255), ("rgb", 1), ("rgb", 255), ("gray", 1)]),
    )
)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_family_in_a_classifier(name, gray_images, rgb_images):
    """The real application: the classifier's network adapts the images as
    Keras preprocesses them, and its random weights repeat with the seed."""
    colour, top = VARIANTS[name]
    images = gray_images if colour == "gray" else rgb_images
    pixels = images if top == 255 else (images / 255).astype(np.float32)
    y = np.arange(len(pixels)) % 2

    def initialized():
        return CNNClassifier(
            backbone=name,
            backbone_weights=None,
            backbone_image_size=SIZE,
            random_state=3,
        ).initialize(pixels, y)

    clf = initialized()
    assert clf.pixel_range_ == (0, top)
    adapted = np.asarray(
        _adaptation(clf.model_)(pixels.astype(np.float32), training=False)
    )
    np.testing.assert_allclose(adapted, _reference(images, name), rtol=0, atol=1e-3)
    random.random()  # what Keras draws its default seeds from
    again = initialized()
    first = clf.model_.get_layer("backbone").weights
    second = again.model_.get_layer("backbone").weights
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


def test_builtin_families_need_no_preprocessing_of_rgb_0_255():
    names = [n for n, f in FAMILIES.items() if f.preprocessing == "builtin"]
    assert names
    for name in names:
        assert [
            layer.name
            for layer in adaptation_layers(3, _stand_in_backbone(name), (0, 255))
        ] == ["resize"]


def test_the_preprocessing_layer_is_frozen_and_serialisable():
    (_, preprocess) = adaptation_layers(1, _stand_in_backbone("resnet50"), (0, 1))
    assert isinstance(preprocess, keras.layers.Dense)
    assert not preprocess.trainable and not preprocess.trainable_weights


def test_a_model_backbone_is_fed_as_given(digits):
    """No rescaling for a model: only the channels it takes and its size."""
    model = _small_model((8, 8, 3))
    backbone = Backbone(model, None, None, 3, "flatten")
    (repeat,) = adaptation_layers(1, backbone, (0, 1))
    kernel, bias = repeat.get_weights()
    np.testing.assert_array_equal(kernel, np.ones((1, 3)))
    np.testing.assert_array_equal(bias, np.zeros(3))
    assert adaptation_layers(3, backbone, (0, 255)) == []
    sized = Backbone(model, None, (16, 16), 3, "flatten")
    assert [type(layer).__name__ for layer in adaptation_layers(3, sized, (0, 1))] == [
        "Resizing"
    ]


def test_channels_that_cannot_become_the_backbone_s_are_refused():
    with pytest.raises(ValueError, match="images of 2 channels"):
        adaptation_layers(2, _stand_in_backbone("resnet50"), (0, 255))


# ----------------------------------------------------------------------
# resolve_backbone: the four forms


def test_a_name_builds_the_application_without_its_top(app):
    backbone = app("mobilenet_v3_small")
    assert backbone.family is FAMILIES["mobilenet_v3_small"]
    assert backbone.image_size == (SIZE, SIZE) and backbone.channels == 3
    assert backbone.pooling == "average"
    assert backbone.model.name == "backbone"
    assert backbone.model.input_shape == (None, SIZE, SIZE, 3)
    assert len(backbone.model.output_shape) == 4


@pytest.mark.slow
def test_random_weights_differ_with_the_seed(app):
    first = app("mobilenet_v3_small").model  # seed 0
    other = resolve_backbone("mobilenet_v3_small", None, SIZE, seed=4, owner=OWNER)
    kernels = [
        (a.numpy(), b.numpy())
        for a, b in zip(first.weights, other.model.weights, strict=True)
        if "kernel" in a.path
    ]
    assert kernels and all(not np.array_equal(a, b) for a, b in kernels)


def test_a_non_square_size():
    backbone = resolve_backbone("mobilenet_v2", None, (32, 48), seed=0, owner=OWNER)
    assert backbone.image_size == (32, 48)
    assert backbone.model.input_shape == (None, 32, 48, 3)


def test_a_model_is_copied_with_its_weights():
    model = _small_model()
    backbone = resolve_backbone(model, None, None, seed=0, owner=OWNER)
    assert backbone.family is None and backbone.channels == 1
    assert backbone.image_size == (8, 8) and backbone.pooling == "flatten"
    copy_layers, own_layers = _layers(backbone.model), _layers(model)
    assert not {id(layer) for layer in copy_layers} & {
        id(layer) for layer in own_layers
    }
    before = [w.copy() for w in model.get_weights()]
    for a, b in zip(backbone.model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    backbone.model.set_weights([np.zeros_like(w) for w in before])
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_model_of_vectors_is_not_pooled():
    backbone = resolve_backbone(
        _small_model(flat=True), None, None, seed=0, owner=OWNER
    )
    assert backbone.pooling is None


def test_a_model_of_any_size_takes_the_size_asked_for():
    model = _small_model((None, None, 1))
    assert resolve_backbone(model, None, None, seed=0, owner=OWNER).image_size is None
    sized = resolve_backbone(model, None, 16, seed=0, owner=OWNER)
    assert sized.image_size == (16, 16)


def test_a_size_other_than_the_model_s_is_refused():
    with pytest.raises(InvalidParameterError, match=r"None or \(8, 8\)"):
        resolve_backbone(_small_model(), None, 16, seed=0, owner=OWNER)


def _check_cut(backbone, pretrained_cnn, X):
    names = [layer.name for layer in _layers(backbone.model)]
    assert names == [
        "conv1",
        "pool1",
        "batch_norm1",
        "relu1",
        "conv2",
        "pool2",
        "batch_norm2",
        "relu2",
    ]
    assert backbone.family is None and backbone.pooling == "flatten"
    assert backbone.image_size == (8, 8) and backbone.channels == 1
    np.testing.assert_allclose(
        np.asarray(backbone.model(X, training=False)),
        _feature_maps(pretrained_cnn.model_, X),
        rtol=0,
        atol=1e-6,
    )
    own = {id(layer) for layer in pretrained_cnn.model_.layers}
    assert not own & {id(layer) for layer in backbone.model.layers}


def test_a_saved_file_is_cut_after_its_last_feature_map(
    saved_cnn, pretrained_cnn, digits_scaled
):
    """Its augmentation layer (RandomTranslation) is left out of the cut."""
    assert any(
        type(layer).__name__ == "RandomTranslation"
        for layer in pretrained_cnn.model_.layers
    )
    X = digits_scaled[0][:8].reshape(-1, 8, 8, 1)
    backbone = resolve_backbone(str(saved_cnn), None, None, seed=0, owner=OWNER)
    _check_cut(backbone, pretrained_cnn, X)
    _check_cut(
        resolve_backbone(saved_cnn, None, None, seed=0, owner=OWNER), pretrained_cnn, X
    )


def test_a_frozen_classifier_is_cut_the_same_way(pretrained_cnn, digits_scaled):
    X = digits_scaled[0][:8].reshape(-1, 8, 8, 1)
    backbone = resolve_backbone(
        FrozenEstimator(pretrained_cnn), None, None, seed=0, owner=OWNER
    )
    _check_cut(backbone, pretrained_cnn, X)


def test_a_file_that_is_not_a_keras_model(tmp_path):
    path = tmp_path / "x.keras"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="could not load") as raised:
        resolve_backbone(str(path), None, None, seed=0, owner=OWNER)
    assert str(path) in str(raised.value)


def test_a_saved_model_without_feature_maps(tmp_path):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    path = tmp_path / "dense.keras"
    keras.Model(inputs, keras.layers.Dense(3)(x), name="dense").save(path)
    with pytest.raises(ValueError, match="no layer of it outputs a feature map"):
        resolve_backbone(str(path), None, None, seed=0, owner=OWNER)


def test_weights_from_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        resolve_backbone(
            "mobilenet_v2", str(tmp_path / "w.weights.h5"), SIZE, seed=0, owner=OWNER
        )


def test_weights_from_a_file_keras_cannot_read(tmp_path):
    path = tmp_path / "w.bin"
    path.write_bytes(b"weights")
    with pytest.raises(ValueError, match="expected a file ending in"):
        resolve_backbone("mobilenet_v2", str(path), SIZE, seed=0, owner=OWNER)


@pytest.mark.slow
def test_weights_from_a_file_of_the_application(tmp_path):
    """A local no-top weights file is loaded as it is (no reseeding)."""
    reference = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(SIZE, SIZE, 3)
    )
    path = tmp_path / "mobilenet_v2_no_top.weights.h5"
    reference.save_weights(path)
    backbone = resolve_backbone("mobilenet_v2", str(path), SIZE, seed=0, owner=OWNER)
    for a, b in zip(backbone.model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------
# Fine-tuning: unfreeze_top and the blocks


def test_block_patterns():
    assert block_patterns("resnet50") == (FAMILIES["resnet50"].block_pattern,)
    others = block_patterns(_small_model())
    assert others == block_patterns("weights/cnn.keras")
    assert {f.block_pattern for f in FAMILIES.values()} <= set(others)
    assert any(re.search(p, "conv2") for p in others)


@pytest.mark.parametrize("name", _slow_unless_quick(["resnet50", *QUICK_FAMILIES]))
def test_fraction_0_unfreezes_nothing(app, name):
    model = app(name).model
    assert unfreeze_top(model, 0.0, block_patterns(name)) == 0
    assert not model.trainable_weights
    assert not any(layer.trainable for layer in _all_layers(model))


@pytest.mark.parametrize("name", _slow_unless_quick(["resnet50", "mobilenet_v2"]))
def test_fraction_1_unfreezes_every_layer_but_batch_norm(app, name):
    model = app(name).model
    layers = _layers(model)
    assert unfreeze_top(model, 1.0, block_patterns(name)) == len(layers)
    for layer in _all_layers(model):
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        assert layer.trainable != is_bn, layer.name
    bn_variables = {
        id(v)
        for layer in _all_layers(model)
        if isinstance(layer, keras.layers.BatchNormalization)
        for v in layer.weights
    }
    assert bn_variables
    assert not bn_variables & {id(v) for v in model.trainable_weights}


FRACTIONS = (0.02, 0.1, 0.25, 0.4, 0.5, 0.7, 0.9)


@pytest.mark.parametrize("name", _slow_unless_quick(["resnet50", "mobilenet_v2"]))
def test_batch_norm_stays_frozen_and_the_span_trains(app, name):
    model = app(name).model
    layers = _layers(model)
    for fraction in FRACTIONS:
        n = unfreeze_top(model, fraction, block_patterns(name))
        assert n >= int(np.ceil(fraction * len(layers)))
        start = len(layers) - n
        for i, layer in enumerate(layers):
            is_bn = isinstance(layer, keras.layers.BatchNormalization)
            assert layer.trainable == (i >= start and not is_bn), (fraction, layer.name)


@pytest.mark.parametrize("name", _slow_unless_quick(["resnet50", "mobilenet_v2"]))
def test_the_boundary_is_the_first_layer_of_its_block(app, name):
    model = app(name).model
    layers = _layers(model)
    pattern = FAMILIES[name].block_pattern
    for fraction in FRACTIONS:
        start = len(layers) - unfreeze_top(model, fraction, block_patterns(name))
        block = _block(layers[start].name, pattern)
        assert block is not None, (fraction, layers[start].name)
        assert _block(layers[start - 1].name, pattern) != block, fraction


@pytest.mark.parametrize("name", _slow_unless_quick(list(FAMILIES)))
def test_whole_blocks_are_unfrozen(app, name):
    """No layer left frozen shares its block with a layer unfrozen."""
    model = app(name).model
    layers = _layers(model)
    pattern = FAMILIES[name].block_pattern
    for fraction in FRACTIONS:
        start = len(layers) - unfreeze_top(model, fraction, block_patterns(name))
        unfrozen = {_block(layer.name, pattern) for layer in layers[start:]} - {None}
        split = [
            layer.name
            for layer in layers[:start]
            if _block(layer.name, pattern) in unfrozen
        ]
        assert not split, f"fraction {fraction}: {split} left frozen"


@pytest.mark.parametrize("name", _slow_unless_quick(["resnet50", "mobilenet_v2"]))
def test_more_fraction_unfreezes_more(app, name):
    model = app(name).model
    previous, previous_n = set(), 0
    for fraction in (0.0, *FRACTIONS, 1.0):
        n = unfreeze_top(model, fraction, block_patterns(name))
        trainable = {layer.name for layer in _layers(model) if layer.trainable}
        assert n >= previous_n and trainable >= previous, fraction
        previous, previous_n = trainable, n


@pytest.mark.parametrize(
    "fraction, first", [(0.3, "conv2"), (0.5, "conv2"), (0.6, "conv1"), (1.0, "conv1")]
)
def test_skcnn_networks_unfreeze_whole_blocks(pretrained_cnn, fraction, first):
    """A cut skcnn network's blocks are conv<i>, pool<i>, batch_norm<i>, relu<i>."""
    frozen = FrozenEstimator(pretrained_cnn)
    model = resolve_backbone(frozen, None, None, seed=0, owner=OWNER).model
    layers = _layers(model)
    start = len(layers) - unfreeze_top(model, fraction, block_patterns(frozen))
    assert layers[start].name == first
    assert [layer.name for layer in layers if layer.trainable] == [
        layer.name
        for layer in layers[start:]
        if not isinstance(layer, keras.layers.BatchNormalization)
    ]


def test_efficientnet_from_a_weights_file_computes_as_keras_s_imagenet_build(
    tmp_path,
):
    """Keras adds a stem rescaling only when it loads "imagenet" itself."""
    from unittest import mock

    from keras.src.applications import efficientnet

    from skcnn._engine.runtime import keras

    source = keras.applications.EfficientNetB0(
        include_top=False, weights=None, input_shape=(32, 32, 3)
    )
    stem = next(
        layer
        for layer in source.layers
        if isinstance(layer, keras.layers.Normalization)
    )
    # The ImageNet file's stem statistics: the means and squared deviations.
    mean, _, count = stem.get_weights()
    stem.set_weights(
        [np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225]) ** 2, count]
    )
    path = tmp_path / "efficientnetb0_notop.weights.h5"
    source.save_weights(path)
    # Keras's own ImageNet build, its download replaced by the file above.
    with mock.patch.object(efficientnet.file_utils, "get_file", return_value=path):
        reference = keras.applications.EfficientNetB0(
            include_top=False, weights="imagenet", input_shape=(32, 32, 3)
        )
    built = FAMILIES["efficientnet_b0"].build((32, 32), str(path))
    images = np.random.RandomState(0).uniform(0, 255, (2, 32, 32, 3)).astype("f4")
    # Compared after the stem, where the outputs are far from zero.
    after_stem = [
        keras.Model(model.inputs, model.get_layer("stem_conv").output)
        for model in (reference, built)
    ]
    np.testing.assert_allclose(
        after_stem[1](images).numpy(), after_stem[0](images).numpy(), atol=1e-4
    )
