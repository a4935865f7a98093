"""Tests for PixelScaler (skcnn.preprocessing._scaler).

The precision limits of the scaling have their own module,
test_scaler_precision.py.
"""

import pickle
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from skcnn import ImageReshaper, PixelScaler
from skcnn._compat import InvalidParameterError
from skcnn.preprocessing._scaler import _channel_mean_std

# --------------------------------------------------------------------------
# minmax
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
# standard
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
# shared behaviour
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
