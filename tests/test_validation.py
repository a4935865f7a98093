"""Tests for skcnn._validation: the image-shape rule and the pixel checks.

Nothing here imports TensorFlow.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skcnn import ImageReshaper, PixelScaler
from skcnn._param_validation import InvalidParameterError
from skcnn._validation import (
    check_image_shape,
    check_pixels,
    resolve_image_shape,
    sample_shape,
    to_images,
)
from skcnn.preprocessing import infer_image_shape
from tests._helpers import budget

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


@given(st.integers(1, 20000))
@budget(5 / 3)
def test_inferred_shape_holds_every_value(n_features):
    h, w, c = infer_image_shape(n_features)
    assert h * w * c == n_features
    assert c in (1, 3)
    assert h == w or (h, c) == (1, 1)


@pytest.mark.parametrize("n_features", [0, -3, 2.5, "784", None])
def test_infer_image_shape_rejects_invalid(n_features):
    with pytest.raises(ValueError, match="positive integer"):
        infer_image_shape(n_features)


# --------------------------------------------------------------------------
# check_image_shape, sample_shape, resolve_image_shape, to_images
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
    result = check_image_shape(image_shape, "X")
    assert result == expected
    if result is not None:
        assert isinstance(result, tuple)
        assert all(type(v) is int for v in result)


@pytest.mark.parametrize(
    "image_shape",
    [(0, 8), (8,), (1, 2, 3, 4), (8, 8.0), (8, True), (-1, 4, 1), ()],
)
def test_check_image_shape_invalid_value(image_shape):
    with pytest.raises(InvalidParameterError, match="'image_shape' parameter of X"):
        check_image_shape(image_shape, "X")


@pytest.mark.parametrize("image_shape", ["88", 8, b"ab"])
def test_check_image_shape_invalid_type(image_shape):
    with pytest.raises(InvalidParameterError, match="'image_shape' parameter of X"):
        check_image_shape(image_shape, "X")


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


# --------------------------------------------------------------------------
# check_pixels
# --------------------------------------------------------------------------


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


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("shape", [(2, 6), (2, 2, 3), (2, 2, 3, 1)])
def test_check_pixels_non_finite_message_as_check_array(bad, shape):
    # Plain NumPy arrays skip check_array; the error must be the one it raises.
    from sklearn.utils.validation import check_array

    X = np.ones(shape, dtype=np.float32)
    X.flat[3] = bad
    est = PixelScaler()
    with pytest.raises(ValueError) as expected:
        check_array(X, allow_nd=True, estimator=est, input_name="X")
    with pytest.raises(ValueError) as got:
        check_pixels(est, X, reset=True)
    assert str(got.value) == str(expected.value)
    if np.isnan(bad):
        assert check_pixels(est, X, reset=True, allow_nan=True) is X


def test_check_pixels_array_subclasses_and_lists_go_through_check_array():
    est = PixelScaler()
    X = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert check_pixels(est, X, reset=True) is X
    masked = np.ma.masked_array(X)
    out = check_pixels(est, masked, reset=True)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, X)
    out = check_pixels(est, X.tolist(), reset=True)
    assert type(out) is np.ndarray and out.shape == (3, 4)
