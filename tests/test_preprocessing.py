"""Tests for skcnn.preprocessing (ImageReshaper, PixelScaler, infer_image_shape).

Also covers the helpers of skcnn._validation they are built on. Nothing here
imports TensorFlow: these transformers must work without it.
"""

import pickle
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skcnn import ImageReshaper, PixelScaler
from skcnn._validation import (
    check_image_shape,
    check_pixels,
    resolve_image_shape,
    sample_shape,
    to_images,
)
from skcnn.preprocessing import infer_image_shape
from skcnn.preprocessing._transformers import _channel_mean_std

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def rgb_images(rng):
    """Twenty 4x4 RGB uint8 images with clearly different channel statistics."""
    X = np.empty((20, 4, 4, 3), dtype=np.uint8)
    X[..., 0] = rng.integers(0, 50, size=(20, 4, 4))
    X[..., 1] = rng.integers(100, 256, size=(20, 4, 4))
    X[..., 2] = rng.integers(0, 256, size=(20, 4, 4))
    return X


# --------------------------------------------------------------------------
# infer_image_shape
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n_features, expected",
    [
        (784, (28, 28, 1)),
        (3072, (32, 32, 3)),
        (64, (8, 8, 1)),
        (4, (2, 2, 1)),
        (5, (1, 5, 1)),
        (12, (2, 2, 3)),
        (48, (4, 4, 3)),
        (3, (1, 3, 1)),
        (2, (1, 2, 1)),
        (1, (1, 1, 1)),
        (np.int64(784), (28, 28, 1)),
    ],
)
def test_infer_image_shape(n_features, expected):
    shape = infer_image_shape(n_features)
    assert shape == expected
    assert all(type(v) is int for v in shape)
    assert np.prod(shape) == n_features


@pytest.mark.parametrize("n_features", [0, -3, 2.5, "784", None])
def test_infer_image_shape_rejects_invalid(n_features):
    with pytest.raises(ValueError, match="positive integer"):
        infer_image_shape(n_features)


# --------------------------------------------------------------------------
# _validation helpers
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image_shape, expected",
    [
        (None, None),
        ((8, 8), (8, 8, 1)),
        ([8, 8], (8, 8, 1)),
        ((4, 5, 3), (4, 5, 3)),
        ((np.int64(4), np.int32(5)), (4, 5, 1)),
    ],
)
def test_check_image_shape_valid(image_shape, expected):
    result = check_image_shape(image_shape)
    assert result == expected
    if result is not None:
        assert isinstance(result, tuple)
        assert all(type(v) is int for v in result)


@pytest.mark.parametrize(
    "image_shape",
    [(0, 8), (8,), (1, 2, 3, 4), (8, 8.0), (8, True), (-1, 4, 1), ()],
)
def test_check_image_shape_invalid_value(image_shape):
    with pytest.raises(ValueError, match="image_shape"):
        check_image_shape(image_shape)


@pytest.mark.parametrize("image_shape", ["88", 8, b"ab"])
def test_check_image_shape_invalid_type(image_shape):
    with pytest.raises(TypeError, match="image_shape"):
        check_image_shape(image_shape)


def test_sample_shape():
    assert sample_shape(np.zeros((2, 5))) == (5,)
    assert sample_shape(np.zeros((2, 3, 4))) == (3, 4, 1)
    assert sample_shape(np.zeros((2, 3, 4, 2))) == (3, 4, 2)


def test_resolve_image_shape():
    est = ImageReshaper()
    assert resolve_image_shape(est, np.zeros((2, 64)), None) == (8, 8, 1)
    assert resolve_image_shape(est, np.zeros((2, 64)), (4, 16, 1)) == (4, 16, 1)
    assert resolve_image_shape(est, np.zeros((2, 3, 5)), None) == (3, 5, 1)
    assert resolve_image_shape(est, np.zeros((2, 3, 5, 2)), None) == (3, 5, 2)
    assert resolve_image_shape(est, np.zeros((2, 2, 3, 5)), None, True) == (3, 5, 2)
    with pytest.raises(ValueError, match="ImageReshaper"):
        resolve_image_shape(est, np.zeros((2, 64)), (5, 5, 1))
    with pytest.raises(ValueError, match=r"\(3, 5, 2\)"):
        resolve_image_shape(est, np.zeros((2, 3, 5, 2)), (5, 3, 2))


def test_to_images_views_and_copies():
    X = np.arange(2 * 12, dtype=np.uint8).reshape(2, 12)
    out = to_images(X, (2, 2, 3))
    assert out.shape == (2, 2, 2, 3)
    assert np.shares_memory(out, X)
    cf = to_images(X, (2, 2, 3), channels_first=True)
    np.testing.assert_array_equal(cf, X.reshape(2, 3, 2, 2).transpose(0, 2, 3, 1))
    assert cf.flags.c_contiguous
    assert cf.dtype == np.uint8
    X4 = np.zeros((2, 2, 2, 3))
    assert to_images(X4, (2, 2, 3)) is X4


def test_check_pixels_keeps_dtype_without_copy():
    est = ImageReshaper()
    for dtype in (np.uint8, np.float32, np.float16, np.int16):
        X = np.ones((3, 4), dtype=dtype)
        out = check_pixels(est, X, reset=True)
        assert out.dtype == dtype
        assert np.shares_memory(out, X)
        assert est.n_features_in_ == 4


def test_check_pixels_object_and_bool():
    est = PixelScaler()
    out = check_pixels(est, np.array([[1, 2], [3, 4]], dtype=object), reset=True)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
    out = check_pixels(est, np.array([[True, False]]), reset=True)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[1, 0]])


def test_check_pixels_counts_values_per_sample_for_images():
    est = ImageReshaper()
    check_pixels(est, np.zeros((2, 4, 5, 3)), reset=True)
    assert est.n_features_in_ == 60
    with pytest.raises(ValueError, match="60"):
        check_pixels(est, np.zeros((2, 10)), reset=False)


def test_check_pixels_fitted_shape_message():
    est = ImageReshaper()
    check_pixels(est, np.zeros((2, 8, 8)), reset=True)
    with pytest.raises(ValueError, match=r"\(8, 8, 1\).*\(4, 16, 1\)"):
        check_pixels(est, np.zeros((2, 4, 16)), reset=False, fitted_shape=(8, 8, 1))


def test_check_pixels_rejects_empty():
    with pytest.raises(ValueError):
        check_pixels(PixelScaler(), np.zeros((0, 4)), reset=True)


# --------------------------------------------------------------------------
# ImageReshaper
# --------------------------------------------------------------------------


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
    pd = pytest.importorskip("pandas")
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


# --------------------------------------------------------------------------
# PixelScaler: minmax
# --------------------------------------------------------------------------


def test_scaler_minmax_uint8(digits):
    X, _ = digits
    scaler = PixelScaler().fit(X)
    assert scaler.max_value_ == 255.0
    out = scaler.transform(X)
    assert out.dtype == np.float32
    assert out.shape == X.shape
    assert out.min() >= 0.0
    assert out.max() <= 1.0
    assert out.max() == pytest.approx(1.0)
    np.testing.assert_allclose(out, X / 255, rtol=1e-6, atol=1e-7)


def test_scaler_minmax_example():
    X = np.array([[0, 51, 255]], dtype=np.uint8)
    out = PixelScaler().fit_transform(X)
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]], rtol=1e-6)


def test_scaler_minmax_max_value_given():
    X = np.array([[0, 1000, 4095]], dtype=np.uint16)
    scaler = PixelScaler(max_value=4095).fit(X)
    assert scaler.max_value_ == 4095.0
    np.testing.assert_allclose(scaler.transform(X), X / 4095, rtol=1e-6)


def test_scaler_minmax_max_value_overrides_integer_default():
    X = np.array([[0, 50, 100]], dtype=np.uint8)
    scaler = PixelScaler(max_value=100.0).fit(X)
    np.testing.assert_allclose(scaler.transform(X), [[0.0, 0.5, 1.0]], rtol=1e-6)


def test_scaler_minmax_float_learns_max_value():
    X = np.array([[0.0, 2.0], [4.0, 8.0]], dtype=np.float32)
    scaler = PixelScaler().fit(X)
    assert scaler.max_value_ == pytest.approx(8.0)
    np.testing.assert_allclose(scaler.transform(X), X / 8.0, rtol=1e-6)
    # The divisor comes from fit, not from the data being transformed.
    np.testing.assert_allclose(scaler.transform(X * 2), X / 4.0, rtol=1e-6)


def test_scaler_minmax_float_all_zero_does_not_divide_by_zero():
    X = np.zeros((2, 4))
    scaler = PixelScaler().fit(X)
    assert scaler.max_value_ > 0
    out = scaler.transform(X)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out, 0)


@pytest.mark.parametrize(
    "X",
    [
        np.array([[0, 256]], dtype=np.int32),
        np.array([[-1, 10]], dtype=np.int16),
        np.array([[0, 1000]], dtype=np.uint16),
    ],
)
def test_scaler_minmax_integer_out_of_range(X):
    with pytest.raises(ValueError, match="max_value"):
        PixelScaler().fit(X)
    # Giving max_value makes the same data acceptable.
    PixelScaler(max_value=2000).fit(X)


def test_scaler_integer_out_of_range_ok_for_standard():
    X = np.array([[0, 1000], [-5, 300]], dtype=np.int32)
    out = PixelScaler(method="standard").fit_transform(X)
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_scaler_dtype(method, digits):
    X, _ = digits
    assert PixelScaler(method=method).fit_transform(X).dtype == np.float32
    out64 = PixelScaler(method=method, dtype="float64").fit_transform(X)
    assert out64.dtype == np.float64
    out16 = PixelScaler(method=method, dtype="float16").fit_transform(X)
    assert out16.dtype == np.float16
    out_type = PixelScaler(method=method, dtype=np.float64).fit_transform(X)
    assert out_type.dtype == np.float64
    out_np_dtype = PixelScaler(method=method, dtype=np.dtype("float32"))
    assert out_np_dtype.fit_transform(X).dtype == np.float32


@pytest.mark.parametrize("in_dtype", [np.float64, np.float32, np.uint8])
def test_scaler_float32_output_whatever_input(in_dtype):
    X = np.array([[0, 10, 20, 30]], dtype=in_dtype)
    for method in ("minmax", "standard"):
        out = PixelScaler(method=method).fit_transform(X)
        assert out.dtype == np.float32
        assert out.flags.c_contiguous


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_scaler_no_float64_copy_on_the_way(method):
    # 12.3 million uint8 pixels: a float64 copy would need 8 bytes per value,
    # the float32 output 4.
    X = np.random.default_rng(0).integers(0, 256, (4000, 32, 32, 3), dtype=np.uint8)
    scaler = PixelScaler(method=method)
    tracemalloc.start()
    try:
        scaler.fit(X)
        fit_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        out = scaler.transform(X)
        transform_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.dtype == np.float32
    assert fit_peak < 4 * X.size
    assert transform_peak < 6 * X.size


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize("shape", [(5, 64), (3, 7, 9), (2, 5, 5, 3), (1, 1)])
def test_scaler_output_is_aligned_for_tensorflow(method, shape):
    """64-byte aligned, C-contiguous: TensorFlow can use it without a copy."""
    X = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    scaler = PixelScaler(method=method).fit(X)
    for out in (scaler.transform(X), scaler.inverse_transform(scaler.transform(X))):
        assert out.ctypes.data % 64 == 0
        assert out.flags.c_contiguous and out.flags.writeable
        assert out.shape == X.shape


# --------------------------------------------------------------------------
# PixelScaler: standard
# --------------------------------------------------------------------------


def test_scaler_standard_rgb_per_channel(rgb_images):
    X = rgb_images
    scaler = PixelScaler(method="standard").fit(X)
    X64 = X.astype(np.float64)
    assert scaler.mean_.shape == (3,)
    assert scaler.std_.shape == (3,)
    np.testing.assert_allclose(scaler.mean_, X64.mean(axis=(0, 1, 2)), rtol=1e-12)
    np.testing.assert_allclose(scaler.std_, X64.std(axis=(0, 1, 2)), rtol=1e-12)
    # The channels really differ, so a global statistic would not match.
    assert np.ptp(scaler.mean_) > 50
    out = scaler.transform(X)
    assert out.shape == X.shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2), dtype=np.float64), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(0, 1, 2), dtype=np.float64), 1, rtol=1e-5)
    np.testing.assert_allclose(
        out, (X64 - scaler.mean_) / scaler.std_, rtol=1e-5, atol=1e-5
    )


def test_scaler_standard_flat_rgb_rows_are_interleaved(rgb_images):
    X = rgb_images
    n, s = len(X), X.shape[1]
    flat = X.reshape(n, s * s * 3)
    flat_scaler = PixelScaler(method="standard").fit(flat)
    image_scaler = PixelScaler(method="standard").fit(X)
    assert flat_scaler.mean_.shape == (3,)
    np.testing.assert_allclose(flat_scaler.mean_, image_scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(flat_scaler.std_, image_scaler.std_, rtol=1e-12)
    out_flat = flat_scaler.transform(flat)
    assert out_flat.shape == flat.shape
    np.testing.assert_allclose(
        out_flat.reshape(n, s, s, 3), image_scaler.transform(X), rtol=1e-6, atol=1e-6
    )
    # A scaler fitted on images also accepts the same images as flat rows.
    np.testing.assert_allclose(
        image_scaler.transform(flat), out_flat, rtol=1e-6, atol=1e-6
    )


def test_scaler_standard_grayscale_single_channel(digits):
    X, _ = digits
    for data in (X, X.reshape(-1, 8, 8), X.reshape(-1, 8, 8, 1)):
        scaler = PixelScaler(method="standard").fit(data)
        assert scaler.mean_.shape == (1,)
        assert scaler.mean_[0] == pytest.approx(X.astype(np.float64).mean())
        assert scaler.std_[0] == pytest.approx(X.astype(np.float64).std())
        out = scaler.transform(data)
        assert out.shape == data.shape
        assert float(out.mean(dtype=np.float64)) == pytest.approx(0, abs=1e-5)
        assert float(out.std(dtype=np.float64)) == pytest.approx(1, rel=1e-5)


def test_scaler_standard_constant_channel(rgb_images):
    X = rgb_images.copy()
    X[..., 1] = 7
    scaler = PixelScaler(method="standard").fit(X)
    assert scaler.std_[1] == 1.0
    assert scaler.mean_[1] == pytest.approx(7.0)
    with np.errstate(divide="raise", invalid="raise"):
        out = scaler.transform(X)
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out[..., 1], 0)


def test_scaler_standard_all_constant_float():
    X = np.full((10, 3, 3, 3), 0.25, dtype=np.float32)
    scaler = PixelScaler(method="standard").fit(X)
    np.testing.assert_array_equal(scaler.std_, 1.0)
    out = scaler.transform(X)
    np.testing.assert_array_equal(out, 0)


def test_scaler_standard_constant_channel_float_pixels_0_255():
    X = np.random.default_rng(0).uniform(0, 255, (50, 4, 4, 3))
    X[..., 1] = 254.7
    scaler = PixelScaler(method="standard").fit(X)
    assert scaler.std_[1] == 1.0
    shifted = X.copy()
    shifted[..., 1] += 1.0
    assert np.abs(scaler.transform(shifted)[..., 1]).max() < 10


def test_channel_mean_std_chunked_matches_numpy(rng):
    channels = rng.integers(0, 256, size=(1001, 3)).astype(np.uint8)
    mean, std = _channel_mean_std(channels, chunk=7)
    ref = channels.astype(np.float64)
    np.testing.assert_allclose(mean, ref.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(std, ref.std(axis=0), rtol=1e-12)
    assert mean.dtype == np.float64
    assert std.dtype == np.float64
    mean_one_chunk, std_one_chunk = _channel_mean_std(channels)
    np.testing.assert_allclose(mean, mean_one_chunk, rtol=1e-12)
    np.testing.assert_allclose(std, std_one_chunk, rtol=1e-12)


def test_scaler_standard_wrong_number_of_channels(rgb_images):
    scaler = PixelScaler(method="standard").fit(rgb_images)  # 4x4x3 = 48 values
    with pytest.raises(ValueError, match="3 channels"):
        scaler.transform(np.zeros((2, 4, 3, 4)))  # also 48 values, 4 channels
    with pytest.raises(ValueError, match="3 channels"):
        scaler.inverse_transform(np.zeros((2, 4, 3, 4)))
    gray = PixelScaler(method="standard").fit(np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="1 channels"):
        gray.transform(np.zeros((2, 2, 2, 3)))


def test_scaler_standard_grayscale_after_rgb_fit_is_refused(rgb_images):
    scaler = PixelScaler(method="standard").fit(rgb_images)  # 48 values, 3 ch.
    with pytest.raises(ValueError, match="channels"):
        scaler.transform(np.zeros((2, 6, 8)))  # 48 grayscale values


def test_scaler_wrong_number_of_features(digits):
    X, _ = digits
    for method in ("minmax", "standard"):
        scaler = PixelScaler(method=method).fit(X)
        with pytest.raises(ValueError, match="64"):
            scaler.transform(X[:, :16])
        with pytest.raises(ValueError, match="64"):
            scaler.inverse_transform(np.zeros((2, 16), dtype=np.float32))


# --------------------------------------------------------------------------
# PixelScaler: shared behaviour
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scaler_inverse_transform_round_trip(method, dtype, rgb_images):
    for X in (rgb_images, rgb_images.reshape(len(rgb_images), -1)):
        scaler = PixelScaler(method=method, dtype=dtype).fit(X)
        scaled = scaler.transform(X)
        back = scaler.inverse_transform(scaled)
        assert back.shape == X.shape
        assert back.dtype == np.dtype(dtype)
        np.testing.assert_allclose(back, X, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_scaler_does_not_modify_input(method, rgb_images):
    for X in (rgb_images, rgb_images.astype(np.float32), rgb_images.astype(float)):
        original = X.copy()
        scaler = PixelScaler(
            method=method, dtype=X.dtype if X.dtype.kind == "f" else "float32"
        )
        out = scaler.fit_transform(X)
        np.testing.assert_array_equal(X, original)
        assert not np.shares_memory(out, X)
        scaler.inverse_transform(out.copy())
        np.testing.assert_array_equal(X, original)


def test_scaler_inverse_transform_does_not_modify_input(rgb_images):
    scaler = PixelScaler(method="standard").fit(rgb_images)
    scaled = scaler.transform(rgb_images)
    before = scaled.copy()
    back = scaler.inverse_transform(scaled)
    np.testing.assert_array_equal(scaled, before)
    assert not np.shares_memory(back, scaled)


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_scaler_fortran_order_same_as_c_order(method, rgb_images):
    X = rgb_images.astype(np.float32)
    X_f = np.asfortranarray(X)
    assert X_f.flags.f_contiguous and not X_f.flags.c_contiguous
    scaler_c = PixelScaler(method=method).fit(X)
    scaler_f = PixelScaler(method=method).fit(X_f)
    if method == "standard":
        np.testing.assert_allclose(scaler_f.mean_, scaler_c.mean_, rtol=1e-12)
        np.testing.assert_allclose(scaler_f.std_, scaler_c.std_, rtol=1e-12)
    out_c = scaler_c.transform(X)
    out_f = scaler_f.transform(X_f)
    np.testing.assert_allclose(out_f, out_c, rtol=1e-6, atol=1e-6)
    assert out_f.flags.c_contiguous
    # Flat F-ordered rows too.
    flat = X.reshape(len(X), -1)
    np.testing.assert_allclose(
        scaler_c.transform(np.asfortranarray(flat)),
        scaler_c.transform(flat),
        rtol=1e-6,
        atol=1e-6,
    )


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_scaler_rejects_nan_and_inf(method, bad):
    X = np.arange(16, dtype=np.float64).reshape(4, 4)
    X_bad = X.copy()
    X_bad[1, 2] = bad
    with pytest.raises(ValueError):
        PixelScaler(method=method).fit(X_bad)
    scaler = PixelScaler(method=method).fit(X)
    with pytest.raises(ValueError):
        scaler.transform(X_bad)


@pytest.mark.parametrize(
    "params",
    [
        {"method": "robust"},
        {"max_value": -1},
        {"max_value": 0},
        {"dtype": "int32"},
        {"dtype": np.int32},
        {"dtype": "float128-ish"},
    ],
)
def test_scaler_invalid_params_raise_in_fit_not_init(params):
    scaler = PixelScaler(**params)  # must not raise
    for name, value in params.items():
        assert getattr(scaler, name) is value
    assert clone(scaler).get_params()[next(iter(params))] is params[next(iter(params))]
    with pytest.raises(ValueError):
        scaler.fit(np.zeros((2, 4), dtype=np.uint8))


def test_scaler_invalid_method_is_invalid_parameter_error():
    with pytest.raises(InvalidParameterError, match="method"):
        PixelScaler(method="robust").fit(np.zeros((2, 4)))
    with pytest.raises(InvalidParameterError, match="max_value"):
        PixelScaler(max_value=-1).fit(np.zeros((2, 4)))


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


def test_scaler_not_fitted():
    scaler = PixelScaler()
    with pytest.raises(NotFittedError):
        scaler.transform(np.zeros((2, 4)))
    with pytest.raises(NotFittedError):
        scaler.inverse_transform(np.zeros((2, 4)))


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize(
    "shape", [(5, 48), (5, 4, 12), (5, 4, 4, 3), (5, 4, 4, 1), (5, 7)]
)
def test_scaler_keeps_shape(method, shape, rng):
    X = rng.integers(0, 256, size=shape).astype(np.uint8)
    scaler = PixelScaler(method=method).fit(X)
    out = scaler.transform(X)
    assert out.shape == shape
    assert np.all(np.isfinite(out))
    assert scaler.n_features_in_ == int(np.prod(shape[1:]))


def test_scaler_bool_and_list_input():
    out = PixelScaler().fit_transform([[0, 255], [51, 102]])
    np.testing.assert_allclose(out, [[0, 1], [0.2, 0.4]], rtol=1e-6)
    assert out.dtype == np.float32


def test_scaler_dataframe_sets_feature_names():
    pd = pytest.importorskip("pandas")
    X = np.arange(2 * 12, dtype=np.uint8).reshape(2, 12)
    columns = [f"pixel{i}" for i in range(12)]
    df = pd.DataFrame(X, columns=columns)
    scaler = PixelScaler().fit(df)
    np.testing.assert_array_equal(scaler.feature_names_in_, columns)
    out = scaler.transform(df)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, X / 255, rtol=1e-6)


def test_scaler_rejects_sparse_and_strings():
    with pytest.raises(TypeError, match="sparse"):
        PixelScaler().fit(sparse.csr_matrix(np.eye(3)))
    with pytest.raises(TypeError, match="numeric"):
        PixelScaler().fit(np.array([["0", "255"]]))


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_scaler_pickle_round_trip(method, rgb_images):
    scaler = PixelScaler(method=method).fit(rgb_images)
    restored = pickle.loads(pickle.dumps(scaler))
    out = scaler.transform(rgb_images)
    restored_out = restored.transform(rgb_images)
    assert restored_out.dtype == out.dtype
    np.testing.assert_array_equal(restored_out, out)
    np.testing.assert_array_equal(
        restored.inverse_transform(out), scaler.inverse_transform(out)
    )


def test_scaler_fit_returns_self_and_keeps_params():
    scaler = PixelScaler(method="standard", max_value=10, dtype="float64")
    assert scaler.fit(np.ones((2, 4))) is scaler
    assert scaler.get_params() == {
        "method": "standard",
        "max_value": 10,
        "dtype": "float64",
    }


def test_scaler_refit_resets_state(rgb_images, digits):
    X, _ = digits
    scaler = PixelScaler(method="standard").fit(rgb_images)
    assert scaler.mean_.shape == (3,)
    scaler.fit(X)
    assert scaler.mean_.shape == (1,)
    assert scaler.n_features_in_ == 64


def test_pipeline_flat_rgb_rows_to_standardized_images(rgb_images):
    n = len(rgb_images)
    flat = rgb_images.reshape(n, -1)
    pipe = make_pipeline(ImageReshaper(), PixelScaler(method="standard"))
    out = clone(pipe).fit_transform(flat)
    assert out.shape == (n, 4, 4, 3)
    expected = PixelScaler(method="standard").fit_transform(rgb_images)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------
# No TensorFlow
# --------------------------------------------------------------------------


def test_transformers_do_not_import_tensorflow():
    code = (
        "import skcnn, sys; skcnn.ImageReshaper(); skcnn.PixelScaler(); "
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


def test_fit_transform_does_not_import_tensorflow():
    code = (
        "import sys, numpy as np; from skcnn import ImageReshaper, PixelScaler; "
        "X = np.zeros((2, 48), dtype=np.uint8); "
        "PixelScaler(method='standard').fit_transform("
        "ImageReshaper().fit_transform(X)); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False False"
