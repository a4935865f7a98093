"""ImageEmbedder: pooled features of a pretrained network, as a transformer.

Offline: every backbone has random weights (seeded) or weights the tests
write themselves, and the images are 32x32, the smallest size the Keras
applications take. Each fit builds a network (about a second on a CPU), so
fitted embedders are shared where a test only reads them.
"""

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import get_tags

import skcnn
from skcnn import CNNClassifier, ImageEmbedder, ImageLoader
from skcnn._compat import InvalidParameterError
from skcnn._engine import backbones
from skcnn._engine.runtime import keras
from skcnn.preprocessing import _embedder

REPO_ROOT = Path(__file__).resolve().parents[2]
SIZE = 32


def small_embedder(**params):
    """The quickest named backbone, random seeded weights, 32x32 inputs."""
    defaults = dict(
        backbone="mobilenet_v3_small", weights=None, image_size=SIZE, random_state=0
    )
    return ImageEmbedder(**{**defaults, **params})


def assert_same_features(actual, expected, rtol=1e-4):
    """Equal up to ``rtol`` of the largest feature (random weights make tiny ones)."""
    scale = float(np.abs(expected).max())
    assert scale > 0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


@pytest.fixture(scope="module")
def images():
    """Twelve 32x32 RGB uint8 images: six reddish, six bluish."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 120, size=(12, SIZE, SIZE, 3), dtype=np.uint8)
    X[:6, ..., 0] += 120
    X[6:, ..., 2] += 120
    return X


@pytest.fixture(scope="module")
def labels():
    return np.repeat([0, 1], 6)


@pytest.fixture(scope="module")
def fitted(images):
    """A small embedder fitted on ``images``, with their features."""
    embedder = small_embedder().fit(images)
    return embedder, embedder.transform(images)


def test_exported_lazily_from_both_packages():
    assert skcnn.ImageEmbedder is skcnn.preprocessing.ImageEmbedder
    assert skcnn.ImageEmbedder is _embedder.ImageEmbedder
    assert "ImageEmbedder" in skcnn.__all__ and "ImageEmbedder" in dir(skcnn)
    assert "ImageEmbedder" in skcnn.preprocessing.__all__


def test_the_other_transformers_still_import_without_tensorflow():
    code = (
        "import sys, skcnn, skcnn.preprocessing; dir(skcnn); "
        "dir(skcnn.preprocessing); skcnn.ImageLoader(); "
        "print('tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_features_are_float32_rows_of_the_backbone_width(fitted, images):
    embedder, features = fitted
    assert features.shape == (len(images), 576)  # MobileNetV3Small's channels
    assert features.dtype == np.float32
    assert np.isfinite(features).all()
    assert embedder.input_shape_ == (SIZE, SIZE, 3)
    assert embedder.pixel_range_ == (0, 255)
    assert embedder.n_features_in_ == SIZE * SIZE * 3


def test_batches_give_the_same_features(fitted, images):
    embedder, features = fitted
    batched = clone(embedder).set_params(batch_size=5).fit(images)
    assert_same_features(batched.transform(images), features, rtol=1e-5)


def test_the_same_seed_gives_the_same_weights(fitted, images):
    embedder, features = fitted
    np.testing.assert_array_equal(clone(embedder).fit_transform(images), features)


def test_feature_names(fitted):
    embedder, features = fitted
    names = embedder.get_feature_names_out()
    assert len(names) == features.shape[1]
    assert list(names[:2]) == ["imageembedder0", "imageembedder1"]


def test_pandas_output(fitted, images):
    pytest.importorskip("pandas")
    embedder, features = fitted
    frame = clone(embedder).set_output(transform="pandas").fit_transform(images)
    assert list(frame.columns) == list(embedder.get_feature_names_out())
    assert_same_features(frame.to_numpy(), features, rtol=1e-6)


def test_pipeline_from_png_files(tmp_path, images, labels):
    paths = []
    for i, image in enumerate(images):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(image).save(paths[-1])
    model = make_pipeline(
        ImageLoader(), small_embedder(), LogisticRegression(max_iter=200)
    )
    model.fit(paths, labels)
    assert model.predict(paths).shape == (len(paths),)
    # The PNG files hold the images exactly.
    assert_same_features(model[:2].transform(paths), model[1].transform(images))


def test_grayscale_images_in_every_layout(fitted, images):
    embedder, _ = fitted
    gray = images[..., 0]
    gray_embedder = small_embedder().fit(gray)
    assert gray_embedder.input_shape_ == (SIZE, SIZE, 1)
    features = gray_embedder.transform(gray)
    assert_same_features(gray_embedder.transform(gray[..., None]), features, 1e-6)
    # A grayscale channel is repeated to three inside the network.
    rgb = np.repeat(gray[..., None], 3, axis=-1)
    assert_same_features(embedder.transform(rgb), features)


@pytest.fixture(scope="module")
def scaled(images):
    """A small embedder fitted on ``images`` scaled to [0, 1]."""
    return small_embedder().fit((images / 255).astype(np.float32))


def test_both_pixel_ranges_give_the_same_features(fitted, scaled, images):
    _, features = fitted
    assert scaled.pixel_range_ == (0, 1)
    assert_same_features(scaled.transform(images / 255), features)


@pytest.mark.parametrize("low, high", [(-1.0, 10.0), (0.0, 300.0)])
def test_pixels_outside_both_ranges_are_refused(low, high):
    X = np.full((2, SIZE, SIZE, 3), high, dtype=np.float32)
    X[0, 0, 0, 0] = low
    with pytest.raises(ValueError, match=r"pixel values in \[0, 255\]"):
        small_embedder().fit(X)


def test_transform_refuses_pixels_on_another_scale(fitted, scaled, images):
    embedder, _ = fitted
    with pytest.raises(ValueError, match=r"fitted on pixels in \[0, 255\]"):
        embedder.transform(images.astype(np.float32) * 2)
    with pytest.raises(ValueError, match=r"fitted on pixels in \[0, 1\].* to 2"):
        scaled.transform(np.full((1, SIZE, SIZE, 3), 2, dtype=np.uint8))


@pytest.mark.parametrize(
    "shape, hint",
    [
        ((3, 64), r"ImageReshaper\(image_shape=\(8, 8\)\).*X\.reshape\(-1, 8, 8\)"),
        ((3, 3 * 32 * 32), r"image_shape=\(32, 32, 3\).*X\.reshape\(-1, 32, 32, 3\)"),
        ((3, 10), r"image_shape=\(height, width\)"),
    ],
)
def test_flat_rows_are_refused_with_how_to_reshape_them(shape, hint):
    with pytest.raises(ValueError, match=rf"flat pixel rows of shape.*{hint}"):
        small_embedder().fit(np.zeros(shape, dtype=np.uint8))


def test_flat_rows_are_refused_at_transform_too(fitted):
    embedder, _ = fitted
    with pytest.raises(ValueError, match="flat pixel rows"):
        embedder.transform(np.zeros((2, 3 * 32 * 32), dtype=np.uint8))


def test_images_of_another_shape_are_refused_at_transform(fitted):
    embedder, _ = fitted
    with pytest.raises(ValueError, match=r"\(32, 32, 3\) as in fit, got \(32, 32, 1\)"):
        embedder.transform(np.zeros((2, SIZE, SIZE), dtype=np.uint8))


def test_four_channels_are_refused():
    with pytest.raises(ValueError, match=r"4 channels.*X\[\.\.\., :3\]"):
        small_embedder().fit(np.zeros((2, SIZE, SIZE, 4), dtype=np.uint8))


def test_transform_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        small_embedder().transform(np.zeros((1, SIZE, SIZE, 3), np.uint8))


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"backbone": "mobilenetv2"},
            r"'backbone' parameter of ImageEmbedder.*Did you mean 'mobilenet_v2'",
        ),
        (
            {"image_size": 16},
            r"'image_size' parameter of ImageEmbedder must be at least 32 pixels"
            r", the smallest input MobileNetV3Small takes",
        ),
        ({"weights": "imagenett"}, r"'weights' parameter of ImageEmbedder.*exist"),
        ({"pooling": "max"}, r"'pooling' parameter of ImageEmbedder"),
        ({"batch_size": 0}, r"'batch_size' parameter of ImageEmbedder"),
        (
            {"backbone": CNNClassifier()},
            r"'backbone' parameter.*FrozenEstimator",
        ),
    ],
)
def test_bad_parameters_are_refused_before_any_data(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        small_embedder(**params).fit("not even images")


def test_tags():
    tags = get_tags(ImageEmbedder())
    assert tags.requires_fit
    assert not tags.input_tags.two_d_array and tags.input_tags.three_d_array
    assert not tags.input_tags.sparse and not tags.input_tags.allow_nan
    assert tags.transformer_tags.preserves_dtype == ["float32"]
    assert get_tags(ImageEmbedder(weights=None)).non_deterministic
    assert not get_tags(ImageEmbedder()).non_deterministic


def test_pickle_keeps_random_weights(fitted, images):
    embedder, features = fitted
    data = pickle.dumps(embedder)
    assert len(data) > 1_000_000  # the network, with its weights
    loaded = pickle.loads(data)
    np.testing.assert_array_equal(loaded.transform(images), features)


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A MobileNetV3Small no-top weights file for 32x32 inputs, random weights."""
    path = tmp_path_factory.mktemp("weights") / "w.weights.h5"
    keras.applications.MobileNetV3Small(
        include_top=False, weights=None, input_shape=(SIZE, SIZE, 3)
    ).save_weights(path)
    return path


def test_pickle_leaves_imagenet_weights_out(weights_file, monkeypatch, images):
    requested = []

    def cached_weights(family, image_size):
        requested.append((family, image_size))
        return weights_file

    monkeypatch.setattr(backbones, "imagenet_weights_file", cached_weights)
    embedder = small_embedder(weights="imagenet").fit(images)
    features = embedder.transform(images)
    data = pickle.dumps(embedder)
    assert len(data) < 20_000
    loaded = pickle.loads(data)
    assert "_network" not in vars(loaded)
    np.testing.assert_array_equal(loaded.transform(images), features)
    assert requested == [("mobilenet_v3_small", SIZE)] * 2
    # The features are those of the weights in the file.
    reference = keras.applications.MobileNetV3Small(
        include_top=False, weights=str(weights_file), input_shape=(SIZE, SIZE, 3)
    )
    expected = reference(images.astype(np.float32)).numpy().mean(axis=(1, 2))
    assert_same_features(features, expected)


@pytest.mark.slow
def test_pickle_keeps_the_network_of_a_weights_file(weights_file, images):
    embedder = small_embedder(weights=weights_file).fit(images)
    features = embedder.transform(images)
    data = pickle.dumps(embedder)
    assert len(data) > 1_000_000
    np.testing.assert_array_equal(pickle.loads(data).transform(images), features)


def _tiny_model(size=16):
    inputs = keras.Input((size, size, 3))
    outputs = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    return keras.Model(inputs, outputs, name="tiny")


def test_a_keras_model_backbone(images):
    model = _tiny_model()
    X = images[:, :16, :16]
    embedder = ImageEmbedder(backbone=model)
    features = embedder.fit_transform(X)
    assert features.shape == (len(X), 14 * 14 * 4)  # flattened, as it is cut
    expected = model(X.astype(np.float32)).numpy().reshape(len(X), -1)
    assert_same_features(features, expected, rtol=1e-6)
    assert ImageEmbedder(backbone=model, pooling="average").fit_transform(X).shape == (
        len(X),
        4,
    )
    copy = clone(embedder)
    assert copy.backbone is not model  # clone deep-copies a model parameter
    assert_same_features(copy.fit_transform(X), features, rtol=1e-6)
    data = pickle.dumps(embedder)
    assert_same_features(pickle.loads(data).transform(X), features, rtol=1e-6)
    with pytest.raises(InvalidParameterError, match=r"'image_size' parameter.*16"):
        ImageEmbedder(backbone=model, image_size=SIZE).fit(X)


def test_a_saved_model_backbone_survives_its_file(tmp_path, images):
    path = tmp_path / "tiny.keras"
    _tiny_model().save(path)
    X = images[:, :16, :16]
    embedder = ImageEmbedder(backbone=path)
    features = embedder.fit_transform(X)
    assert features.shape == (len(X), 14 * 14 * 4)
    copy = clone(embedder)
    assert copy.backbone == path
    data = pickle.dumps(embedder)
    path.unlink()
    assert_same_features(pickle.loads(data).transform(X), features, rtol=1e-6)


@pytest.mark.slow
def test_a_frozen_classifier_backbone(digits):
    X, y = digits
    X = X[:100].reshape(-1, 8, 8)
    classifier = CNNClassifier(filters=(4,), dense_units=0, epochs=1, random_state=0)
    frozen = FrozenEstimator(classifier.fit(X, y[:100]))
    embedder = ImageEmbedder(backbone=frozen)
    features = embedder.fit_transform(X)
    assert embedder.input_shape_ == (8, 8, 1)
    assert features.shape == (len(X), 4 * 4 * 4)  # its last 4x4x4 feature map
    assert clone(embedder).backbone is frozen
    loaded = pickle.loads(pickle.dumps(embedder))
    assert_same_features(loaded.transform(X), features, rtol=1e-6)


@pytest.mark.slow
def test_grid_search_over_backbones(images, labels):
    model = make_pipeline(small_embedder(), LogisticRegression(max_iter=200))
    search = GridSearchCV(
        model,
        {"imageembedder__backbone": ["mobilenet_v3_small", "mobilenet_v2"]},
        cv=2,
    )
    search.fit(images, labels)
    assert len(search.cv_results_["params"]) == 2
    widths = {"mobilenet_v3_small": 576, "mobilenet_v2": 1280}
    best = search.best_params_["imageembedder__backbone"]
    assert search.best_estimator_[0].transform(images[:2]).shape == (2, widths[best])
