"""Tests for ImageReshaper (skcnn.preprocessing._reshaper)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from skcnn import ImageReshaper, PixelScaler


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.int32, np.float16, np.float32, np.float64]
)
def test_reshaper_flat_rows_channels_last_view(dtype):
    X = (np.arange(3 * 784) % 251).astype(dtype).reshape(3, 784)
    out = ImageReshaper().fit_transform(X)
    assert out.shape == (3, 28, 28, 1)
    assert out.dtype == dtype
    assert np.shares_memory(out, X)
    np.testing.assert_array_equal(out, X.reshape(3, 28, 28, 1))


def test_reshaper_flat_rgb_rows_are_channels_last():
    X = np.arange(2 * 48, dtype=np.uint8).reshape(2, 48)
    reshaper = ImageReshaper().fit(X)
    assert reshaper.image_shape_ == (4, 4, 3)
    assert reshaper.n_features_in_ == 48
    out = reshaper.transform(X)
    assert out.shape == (2, 4, 4, 3)
    # Channels are interleaved: the first three values are pixel (0, 0).
    np.testing.assert_array_equal(out[0, 0, 0], [0, 1, 2])
    np.testing.assert_array_equal(out[1, 3, 3], X[1, -3:])


def test_reshaper_digits(digits):
    X, _ = digits
    out = ImageReshaper().fit_transform(X)
    assert out.shape == (len(X), 8, 8, 1)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[5, 2, 3, 0], X[5, 2 * 8 + 3])


def test_reshaper_strip_for_non_square():
    X = np.arange(10, dtype=np.float32).reshape(2, 5)
    reshaper = ImageReshaper().fit(X)
    assert reshaper.image_shape_ == (1, 5, 1)
    np.testing.assert_array_equal(reshaper.transform(X)[:, 0, :, 0], X)


def test_reshaper_grayscale_3d_gains_channel_axis():
    X = np.arange(2 * 3 * 5, dtype=np.uint8).reshape(2, 3, 5)
    reshaper = ImageReshaper().fit(X)
    assert reshaper.image_shape_ == (3, 5, 1)
    out = reshaper.transform(X)
    assert out.shape == (2, 3, 5, 1)
    assert out.dtype == np.uint8
    assert np.shares_memory(out, X)
    np.testing.assert_array_equal(out[..., 0], X)


def test_reshaper_4d_passes_through():
    X = np.random.default_rng(0).random((2, 3, 5, 2)).astype(np.float32)
    reshaper = ImageReshaper().fit(X)
    assert reshaper.image_shape_ == (3, 5, 2)
    out = reshaper.transform(X)
    assert out.shape == X.shape
    assert out.dtype == np.float32
    assert np.shares_memory(out, X)
    np.testing.assert_array_equal(out, X)


@pytest.mark.parametrize(
    "image_shape, expected", [((4, 16), (4, 16, 1)), ((4, 4, 4), (4, 4, 4))]
)
def test_reshaper_explicit_image_shape(image_shape, expected):
    X = np.arange(2 * 64, dtype=np.uint8).reshape(2, 64)
    reshaper = ImageReshaper(image_shape=image_shape).fit(X)
    assert reshaper.image_shape_ == expected
    # The parameter itself is left as given (scikit-learn convention).
    assert reshaper.get_params()["image_shape"] == image_shape
    out = reshaper.transform(X)
    assert out.shape == (2, *expected)
    np.testing.assert_array_equal(out, X.reshape(2, *expected))


def test_reshaper_explicit_image_shape_as_list():
    X = np.zeros((2, 12))
    assert ImageReshaper(image_shape=[3, 4]).fit(X).image_shape_ == (3, 4, 1)


def test_reshaper_image_shape_inconsistent_with_rows():
    X = np.zeros((2, 64))
    with pytest.raises(ValueError) as excinfo:
        ImageReshaper(image_shape=(5, 5)).fit(X)
    message = str(excinfo.value)
    assert "25" in message
    assert "64" in message


def test_reshaper_image_shape_inconsistent_with_4d():
    X = np.zeros((2, 4, 4, 3))
    with pytest.raises(ValueError, match=r"\(4, 4, 3\)"):
        ImageReshaper(image_shape=(4, 4, 1)).fit(X)
    with pytest.raises(ValueError, match=r"\(4, 4, 3\)"):
        ImageReshaper(image_shape=(2, 8, 3)).fit(X)


def test_reshaper_image_shape_consistent_with_4d():
    X = np.zeros((2, 4, 4, 3))
    assert ImageReshaper(image_shape=(4, 4, 3)).fit(X).image_shape_ == (4, 4, 3)


def test_reshaper_channels_first_4d():
    X = np.arange(2 * 3 * 4 * 5, dtype=np.uint8).reshape(2, 3, 4, 5)
    reshaper = ImageReshaper(channels_first=True).fit(X)
    assert reshaper.image_shape_ == (4, 5, 3)
    out = reshaper.transform(X)
    expected = np.transpose(X, (0, 2, 3, 1))
    assert out.shape == (2, 4, 5, 3)
    assert out.dtype == np.uint8
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, expected)


def test_reshaper_channels_first_flat_rows():
    images_chw = np.arange(2 * 3 * 4 * 4, dtype=np.uint8).reshape(2, 3, 4, 4)
    X = images_chw.reshape(2, -1)
    reshaper = ImageReshaper(channels_first=True).fit(X)
    assert reshaper.image_shape_ == (4, 4, 3)
    out = reshaper.transform(X)
    np.testing.assert_array_equal(out, np.transpose(images_chw, (0, 2, 3, 1)))
    assert out.dtype == np.uint8


def test_reshaper_channels_first_flat_rows_explicit_shape():
    # image_shape is always given channels-last, even with channels_first.
    images_chw = np.arange(2 * 2 * 3 * 5, dtype=np.float32).reshape(2, 2, 3, 5)
    X = images_chw.reshape(2, -1)
    reshaper = ImageReshaper(image_shape=(3, 5, 2), channels_first=True).fit(X)
    out = reshaper.transform(X)
    np.testing.assert_array_equal(out, np.transpose(images_chw, (0, 2, 3, 1)))


@pytest.mark.parametrize("channels_first", [False, True])
@pytest.mark.parametrize("n_features", [64, 48, 5])
def test_reshaper_inverse_transform_round_trip(channels_first, n_features):
    X = np.arange(3 * n_features, dtype=np.uint8).reshape(3, n_features)
    reshaper = ImageReshaper(channels_first=channels_first).fit(X)
    images = reshaper.transform(X)
    back = reshaper.inverse_transform(images)
    assert back.shape == X.shape
    assert back.dtype == X.dtype
    np.testing.assert_array_equal(back, X)


def test_reshaper_inverse_transform_channels_first_4d_input():
    X = np.arange(2 * 3 * 4 * 4, dtype=np.uint8).reshape(2, 3, 4, 4)
    reshaper = ImageReshaper(channels_first=True).fit(X)
    back = reshaper.inverse_transform(reshaper.transform(X))
    np.testing.assert_array_equal(back, X.reshape(2, -1))


def test_reshaper_inverse_transform_rejects_wrong_shape():
    reshaper = ImageReshaper().fit(np.zeros((2, 64)))
    with pytest.raises(ValueError, match="8, 8, 1"):
        reshaper.inverse_transform(np.zeros((2, 4, 4, 1)))
    with pytest.raises(ValueError):
        reshaper.inverse_transform(np.zeros((2, 64)))


def test_reshaper_transform_other_n_features():
    reshaper = ImageReshaper().fit(np.zeros((2, 64)))
    with pytest.raises(ValueError) as excinfo:
        reshaper.transform(np.zeros((2, 16)))
    message = str(excinfo.value)
    assert "16" in message
    assert "64" in message


def test_reshaper_transform_other_image_shape():
    reshaper = ImageReshaper().fit(np.zeros((2, 8, 8, 1)))
    expected = "expected images of shape (8, 8, 1) as in fit, got (4, 4, 1)"
    with pytest.raises(ValueError) as excinfo:
        reshaper.transform(np.zeros((2, 4, 4, 1)))
    assert expected in str(excinfo.value)
    # Grayscale 3-D input of another shape is reported the same way.
    with pytest.raises(ValueError) as excinfo:
        reshaper.transform(np.zeros((2, 4, 4)))
    assert expected in str(excinfo.value)


def test_reshaper_transform_same_size_other_image_shape():
    # Same number of values per sample, but not the same images.
    reshaper = ImageReshaper().fit(np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"\(8, 8, 1\).*\(4, 4, 4\)"):
        reshaper.transform(np.zeros((2, 4, 4, 4)))


def test_reshaper_transform_other_image_shape_channels_first():
    reshaper = ImageReshaper(channels_first=True).fit(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError) as excinfo:
        reshaper.transform(np.zeros((2, 3, 2, 8)))
    message = str(excinfo.value)
    assert "(4, 4, 3)" in message
    assert "(2, 8, 3)" in message


def test_reshaper_transform_images_after_fit_on_rows():
    X = np.arange(2 * 64, dtype=np.uint8).reshape(2, 64)
    reshaper = ImageReshaper().fit(X)
    images = X.reshape(2, 8, 8)
    np.testing.assert_array_equal(reshaper.transform(images), X.reshape(2, 8, 8, 1))
    with pytest.raises(ValueError, match=r"\(8, 8, 1\)"):
        reshaper.transform(X.reshape(2, 4, 16))


def test_reshaper_rejects_5d():
    with pytest.raises(ValueError, match="5 dimensions"):
        ImageReshaper().fit(np.zeros((2, 2, 2, 2, 1)))
    reshaper = ImageReshaper().fit(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="5 dimensions"):
        reshaper.transform(np.zeros((2, 2, 2, 2, 1)))


@pytest.mark.parametrize("make_sparse", [sparse.csr_matrix, sparse.csr_array])
def test_reshaper_rejects_sparse(make_sparse):
    X = make_sparse(np.eye(4))
    with pytest.raises(TypeError, match="sparse"):
        ImageReshaper().fit(X)
    reshaper = ImageReshaper().fit(np.eye(4))
    with pytest.raises(TypeError, match="sparse"):
        reshaper.transform(X)


def test_reshaper_rejects_string_array():
    X = np.array([["1", "2", "3", "4"]])
    with pytest.raises(TypeError, match="numeric"):
        ImageReshaper().fit(X)


@pytest.mark.parametrize(
    "X", [[["a", "b", "c", "d"]], np.array([["a", "b", "c", "d"]], dtype=object)]
)
def test_reshaper_rejects_strings_in_lists_and_object_arrays(X):
    # These reach scikit-learn's own conversion, which raises ValueError rather
    # than the TypeError raised for string ndarrays.
    with pytest.raises((TypeError, ValueError)):
        ImageReshaper().fit(X)


def test_reshaper_list_of_lists():
    X = [[0, 1, 2, 3], [4, 5, 6, 7]]
    out = ImageReshaper().fit_transform(X)
    assert out.shape == (2, 2, 2, 1)
    np.testing.assert_array_equal(out[1, :, :, 0], [[4, 5], [6, 7]])


def test_reshaper_object_array_becomes_float32():
    X = np.array([[0, 1, 2, 3]], dtype=object)
    out = ImageReshaper().fit_transform(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.ravel(), [0, 1, 2, 3])


def test_reshaper_dataframe_sets_feature_names():
    X = np.arange(2 * 12, dtype=np.uint8).reshape(2, 12)
    columns = [f"pixel{i}" for i in range(12)]
    df = pd.DataFrame(X, columns=columns)
    reshaper = ImageReshaper().fit(df)
    np.testing.assert_array_equal(reshaper.feature_names_in_, columns)
    assert reshaper.n_features_in_ == 12
    out = reshaper.transform(df)
    assert out.shape == (2, 2, 2, 3)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, X.reshape(2, 2, 2, 3))
    # Columns in another order are refused, as everywhere in scikit-learn.
    with pytest.raises(ValueError, match="feature names"):
        reshaper.transform(df[columns[::-1]])


def test_reshaper_no_feature_names_for_arrays():
    reshaper = ImageReshaper().fit(np.zeros((2, 4)))
    assert not hasattr(reshaper, "feature_names_in_")


def test_reshaper_allows_nan():
    X = np.arange(8, dtype=np.float64).reshape(2, 4)
    X[0, 1] = np.nan
    reshaper = ImageReshaper().fit(X)
    out = reshaper.transform(X)
    assert np.isnan(out[0, 0, 1, 0])
    assert np.isnan(out).sum() == 1
    np.testing.assert_array_equal(out, X.reshape(2, 2, 2, 1))


def test_reshaper_rejects_inf():
    X = np.ones((2, 4))
    X[1, 2] = np.inf
    with pytest.raises(ValueError):
        ImageReshaper().fit(X)


def test_reshaper_not_fitted():
    reshaper = ImageReshaper()
    with pytest.raises(NotFittedError):
        reshaper.transform(np.zeros((2, 4)))
    with pytest.raises(NotFittedError):
        reshaper.inverse_transform(np.zeros((2, 2, 2, 1)))


@pytest.mark.parametrize("channels_first", [False, True])
def test_reshaper_pickle_round_trip(channels_first):
    X = np.arange(3 * 48, dtype=np.uint8).reshape(3, 48)
    reshaper = ImageReshaper(channels_first=channels_first).fit(X)
    restored = pickle.loads(pickle.dumps(reshaper))
    assert restored.image_shape_ == reshaper.image_shape_
    assert restored.n_features_in_ == 48
    np.testing.assert_array_equal(restored.transform(X), reshaper.transform(X))
    assert restored.transform(X).dtype == np.uint8


def test_reshaper_in_pipeline_with_clone(digits):
    X, _ = digits
    pipe = Pipeline([("reshape", ImageReshaper()), ("scale", PixelScaler())])
    cloned = clone(pipe)
    assert not hasattr(cloned.named_steps["reshape"], "image_shape_")
    out = cloned.fit_transform(X)
    assert out.shape == (len(X), 8, 8, 1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, X.reshape(-1, 8, 8, 1) / 255, rtol=1e-6)
    # The original pipeline is untouched by fitting the clone.
    assert not hasattr(pipe.named_steps["reshape"], "image_shape_")
    assert cloned.named_steps["reshape"].image_shape_ == (8, 8, 1)


def test_reshaper_fit_returns_self_and_keeps_params():
    reshaper = ImageReshaper(image_shape=(2, 2), channels_first=False)
    assert reshaper.fit(np.zeros((2, 4))) is reshaper
    assert reshaper.get_params() == {"image_shape": (2, 2), "channels_first": False}


@pytest.mark.parametrize(
    "params",
    [
        {"image_shape": (0, 4)},
        {"image_shape": (2, 2, 2, 2)},
        {"image_shape": "2x2"},
        {"image_shape": 4},
        {"channels_first": "yes"},
    ],
)
def test_reshaper_invalid_params_raise_in_fit_not_init(params):
    reshaper = ImageReshaper(**params)  # must not raise
    for name, value in params.items():
        assert getattr(reshaper, name) is value
    with pytest.raises(ValueError):
        reshaper.fit(np.zeros((2, 4)))
