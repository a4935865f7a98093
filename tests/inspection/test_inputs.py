"""saliency on the inputs a classifier takes: files, streams, flat rows, backbones."""

import numpy as np
import pytest
from PIL import Image
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline, make_pipeline

from benchmarks.bench_saliency import textured_patches
from skcnn import CNNClassifier, ImageLoader, ImageReshaper, PixelScaler
from skcnn.inspection import METHODS, saliency
from skcnn.inspection._saliency import explained_images

#: Integer labels that are not indices: class 3 is classes_[0].
CLASSES = np.array([3, 7, 9])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """30 grayscale 16x16 PNG files of textured patches, and their labels."""
    folder = tmp_path_factory.mktemp("patches")
    X, y, _ = textured_patches(30, 2, size=16, patch=6)
    paths = []
    for i, image in enumerate(X[..., 0]):
        paths.append(str(folder / f"{i:02d}.png"))
        Image.fromarray(np.round(255 * image).astype(np.uint8)).save(paths[-1])
    return paths, CLASSES[y]


@pytest.fixture(scope="module")
def pipeline(files):
    paths, y = files
    clf = CNNClassifier(filters=(4,), dense_units=0, epochs=2, random_state=0)
    return make_pipeline(ImageLoader(), PixelScaler(), clf).fit(paths, y)


def test_a_pipeline_on_image_files(pipeline, files):
    paths, _ = files
    maps = saliency(pipeline, paths[:5])
    assert maps.shape == (5, 16, 16) and maps.dtype == np.float32
    classifier, images = explained_images(pipeline, paths[:5])
    assert classifier is pipeline[-1]
    assert images.shape == (5, 16, 16, 1)
    np.testing.assert_array_equal(images, pipeline[:-1].transform(paths[:5]))
    np.testing.assert_array_equal(maps, saliency(classifier, images))


def test_integer_labels_are_labels_not_indices(pipeline, files):
    paths = files[0][:4]
    np.testing.assert_array_equal(
        saliency(pipeline, paths, method="gradients", target=3),
        saliency(pipeline, paths, method="gradients", target=np.array([3] * 4)),
    )
    assert saliency(pipeline, paths, target=9).shape == (4, 16, 16)
    with pytest.raises(ValueError, match=r"target=0 is not a class.*\[3, 7, 9\].*"):
        saliency(pipeline, paths, target=0)


def test_a_stream_gives_the_maps_of_the_images_in_memory(pipeline, files):
    paths, _ = files
    streaming = Pipeline(
        [
            ("loader", ImageLoader(stream=True).fit(paths)),
            ("scaler", pipeline[1]),
            ("classifier", pipeline[-1]),
        ]
    )
    stream = streaming[:-1].transform(paths)
    assert type(stream).__name__ == "ImageStream"
    for method in METHODS:
        np.testing.assert_allclose(
            saliency(streaming, paths, method=method, batch_size=8),
            saliency(pipeline, paths, method=method),
            rtol=1e-5,
            atol=1e-7,
        )
    classifier, images = explained_images(streaming, paths)
    assert isinstance(images, np.ndarray) and images.shape == (30, 16, 16, 1)
    np.testing.assert_array_equal(images, pipeline[:-1].transform(paths))


def test_flat_rows_reshaped_by_the_classifier_or_a_reshaper(files):
    X, y, _ = textured_patches(60, 3, size=16, patch=6)
    flat = X.reshape(60, -1)
    clf = CNNClassifier(filters=(4,), dense_units=0, epochs=1, random_state=0)
    clf.fit(flat, y)
    maps = saliency(clf, flat[:4])
    assert maps.shape == (4, 16, 16)
    np.testing.assert_array_equal(maps, saliency(clf, X[:4, :, :, 0]))
    reshaped = Pipeline(
        [("reshaper", ImageReshaper(image_shape=(16, 16)).fit(flat)), ("cnn", clf)]
    )
    np.testing.assert_array_equal(saliency(reshaped, flat[:4]), maps)


@pytest.fixture(scope="module")
def transfer(pretrained_cnn, digits_scaled):
    """A classifier on 16x16 digits around a cut 8x8 network: it resizes inside."""
    X, y = digits_scaled
    big = np.kron(X.reshape(-1, 8, 8), np.ones((2, 2), np.float32))
    clf = CNNClassifier(
        backbone=FrozenEstimator(pretrained_cnn),
        dense_units=8,
        epochs=1,
        random_state=0,
    )
    return clf.fit(big, y), big


def test_a_backbone_that_resizes_inside_the_network(transfer):
    clf, X = transfer
    assert clf.model_.get_layer("resize").output.shape[1:3] == (8, 8)
    for method in METHODS:
        maps = saliency(clf, X[:3], method=method)
        assert maps.shape == (3, 16, 16), method
        assert (maps >= 0).all() and maps.max() > 0, method


def test_layers_inside_the_backbone_by_path_or_own_name(transfer):
    from skcnn._engine.saliency import saliency_network

    clf, X = transfer
    network = saliency_network(clf.model_, clf.input_shape_)
    assert network.default_layer == ("backbone", "conv2")  # the last convolution
    assert "backbone/relu1" in network.layer_names()
    default = saliency(clf, X[:3], method="hirescam")
    np.testing.assert_array_equal(
        default, saliency(clf, X[:3], method="hirescam", layer="conv2")
    )
    np.testing.assert_array_equal(
        saliency(clf, X[:3], method="hirescam", layer="relu1"),
        saliency(clf, X[:3], method="hirescam", layer="backbone/relu1"),
    )
    # The backbone's output: after the last block's pooling, another map.
    whole = saliency(clf, X[:3], method="hirescam", layer="backbone")
    assert whole.shape == (3, 16, 16) and not np.allclose(whole, default)
    with pytest.raises(ValueError, match="'backbone/conv9' is not a layer"):
        saliency(clf, X[:3], method="hirescam", layer="backbone/conv9")


@pytest.mark.slow
def test_a_keras_application_backbone():
    X, y, _ = textured_patches(32, 4)
    clf = CNNClassifier(
        backbone="mobilenet_v3_small",
        backbone_weights=None,
        backbone_image_size=48,
        dense_units=0,
        epochs=1,
        random_state=0,
    ).fit(X, y)
    for method in METHODS:
        maps = saliency(clf, X[:2], method=method, batch_size=64)
        assert maps.shape == (2, 32, 32) and (maps >= 0).all(), method
