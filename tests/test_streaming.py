"""CNNClassifier on ImageStreams: the same fit as in memory, batch by batch."""

import pickle

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageLoader, PixelScaler
from skcnn.preprocessing import ImageStream

SMALL = {"filters": (4,), "dense_units": 16, "epochs": 2, "random_state": 0}


@pytest.fixture(scope="module")
def digit_files(tmp_path_factory):
    """120 digits as 8x8 grayscale PNG files, with their labels."""
    X, y = load_digits(return_X_y=True)
    folder = tmp_path_factory.mktemp("digits")
    paths = []
    for i in range(120):
        path = folder / f"{i:03d}.png"
        Image.fromarray((X[i].reshape(8, 8) * 16).astype(np.uint8)).save(path)
        paths.append(str(path))
    return np.array(paths), y[:120]


def _pipeline(stream, **params):
    return make_pipeline(
        ImageLoader(stream=stream), PixelScaler(), CNNClassifier(**SMALL, **params)
    )


@pytest.mark.parametrize("params", [{}, {"validation_split": 0.2}])
def test_streamed_fit_equals_the_fit_in_memory(digit_files, params):
    paths, y = digit_files
    in_memory = _pipeline(False, **params).fit(paths, y)
    streamed = _pipeline(True, **params).fit(paths, y)
    assert isinstance(streamed[:-1].transform(paths), ImageStream)
    np.testing.assert_array_equal(
        streamed.predict_proba(paths), in_memory.predict_proba(paths)
    )
    assert streamed[-1].history_ == in_memory[-1].history_
    assert streamed[-1].input_shape_ == (8, 8, 1)
    assert streamed[-1].n_features_in_ == 64
    assert streamed.score(paths, y) == in_memory.score(paths, y)


def test_streamed_pipeline_pickles_and_predicts_arrays_alike(digit_files):
    paths, y = digit_files
    streamed = _pipeline(True).fit(paths, y)
    loaded = pickle.loads(pickle.dumps(streamed))
    np.testing.assert_array_equal(
        loaded.predict_proba(paths), streamed.predict_proba(paths)
    )
    # The classifier itself takes the decoded array as well as the stream.
    stream = streamed[:-1].transform(paths)
    np.testing.assert_array_equal(
        streamed[-1].predict_proba(stream.read()), streamed[-1].predict_proba(stream)
    )


@pytest.mark.slow
def test_grid_search_over_paths_with_a_streamed_pipeline(digit_files):
    paths, y = digit_files
    grid = {"cnnclassifier__dense_units": [8, 16]}
    streamed = GridSearchCV(_pipeline(True), grid, cv=2).fit(paths, y)
    in_memory = GridSearchCV(_pipeline(False), grid, cv=2).fit(paths, y)
    # The folds slice the paths before the loader: the same fits.
    np.testing.assert_array_equal(
        streamed.cv_results_["mean_test_score"],
        in_memory.cv_results_["mean_test_score"],
    )
    assert streamed.best_estimator_.predict(paths[:5]).shape == (5,)


def test_stream_of_other_images_is_refused_at_predict(digit_files, tmp_path):
    paths, y = digit_files
    model = _pipeline(True).fit(paths, y)
    other = ImageLoader(image_size=(10, 8), stream=True).fit_transform(paths[:3])
    with pytest.raises(ValueError, match=r"expected images of shape \(8, 8, 1\)"):
        model[-1].predict(other)


def test_corrupt_file_while_streaming_is_named(digit_files, tmp_path):
    paths, y = digit_files
    paths = list(paths)
    broken = tmp_path / "broken.png"
    broken.write_bytes(Image.open(paths[0]).tobytes()[:10])
    loader = ImageLoader(stream=True).fit(paths)
    paths[7] = str(broken)
    stream = PixelScaler().fit_transform(loader.transform(paths))
    with pytest.raises(OSError, match="broken.png"):
        CNNClassifier(**SMALL).fit(stream, y)


def test_backbone_on_a_stream(digit_files):
    paths, y = digit_files
    model = make_pipeline(
        ImageLoader(stream=True),
        CNNClassifier(
            backbone="mobilenet_v3_small",
            backbone_weights=None,
            backbone_image_size=32,
            shift=0.0,
            dense_units=8,
            epochs=2,
            random_state=0,
        ),
    ).fit(paths, y)
    assert model[-1].pixel_range_ == (0, 255)
    stream = model[:-1].transform(paths)
    np.testing.assert_allclose(
        model[-1].predict_proba(stream),
        model[-1].predict_proba(stream.read()),
        atol=1e-6,
    )


def test_embedder_on_a_stream(digit_files):
    from skcnn import ImageEmbedder

    paths, _ = digit_files
    stream = ImageLoader(stream=True).fit_transform(paths[:20])
    embedder = ImageEmbedder(
        backbone="mobilenet_v3_small", weights=None, image_size=32, random_state=0
    )
    streamed = embedder.fit(stream).transform(stream)
    np.testing.assert_allclose(streamed, embedder.transform(stream.read()), atol=1e-6)
    assert streamed.shape == (20, embedder.get_feature_names_out().size)


def test_cached_stream_trains_as_the_files_do(digit_files, tmp_path):
    paths, y = digit_files
    cached = make_pipeline(
        ImageLoader(stream=True, cache_dir=tmp_path / "pixels"),
        PixelScaler(),
        CNNClassifier(**SMALL),
    ).fit(paths, y)
    assert len(list((tmp_path / "pixels").glob("*.npy"))) == len(paths)
    np.testing.assert_array_equal(
        cached.predict_proba(paths), _pipeline(True).fit(paths, y).predict_proba(paths)
    )
