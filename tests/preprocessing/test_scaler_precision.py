"""PixelScaler at the limits of floating point.

Finite pixels never scale into NaN or inf: tiny and huge float64 values are
scaled correctly into every output dtype, results too small for the dtype
become 0, and results too large for it raise a ValueError.
"""

import contextlib
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skcnn import PixelScaler
from skcnn.preprocessing import _scaler
from skcnn.preprocessing._scaler import _channel_mean_std
from tests._helpers import budget

DTYPES = ["float16", "float32", "float64"]
F64 = np.finfo(np.float64)


@contextlib.contextmanager
def _no_warnings():
    """Turn NumPy's floating-point warnings raised in skcnn into errors.

    (scikit-learn's own finiteness check may warn that the sum of huge pixels
    overflows; that is not skcnn's doing.)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=RuntimeWarning, module=r"skcnn\.")
        yield


def _fit_transform(scaler, X):
    """fit_transform with skcnn's floating-point warnings turned into errors."""
    with _no_warnings():
        return scaler.fit_transform(X)


# --------------------------------------------------------------------------
# Tiny and huge pixels
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_found_case_tiny_float64_pixel_minmax(dtype):
    # The learned divisor, 3.89e-49, is 0 in float32: dividing there gave NaN.
    out = _fit_transform(PixelScaler(dtype=dtype), np.array([[[[3.89e-49]]]]))
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1e-300, 1e-49, 1e-40, 1.0, 1e39, 1e300, 1e308])
def test_minmax_any_magnitude(dtype, size):
    X = np.array([[0.0, 0.25, 0.5, 1.0]]) * size
    out = _fit_transform(PixelScaler(dtype=dtype), X)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, [[0.0, 0.25, 0.5, 1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_minmax_subnormal_pixels(dtype):
    tiny = F64.smallest_subnormal
    out = _fit_transform(PixelScaler(dtype=dtype), np.array([[0.0, tiny, 2 * tiny]]))
    np.testing.assert_array_equal(out, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("max_value", [1e-40, 1e-300, 1e39, 1e300])
def test_minmax_divisor_outside_float32(dtype, max_value):
    X = np.array([[max_value, max_value / 4]])
    scaler = PixelScaler(max_value=max_value, dtype=dtype)
    np.testing.assert_array_equal(_fit_transform(scaler, X), [[1.0, 0.25]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1e-300, 1e-49, 1e-40, 1.0, 1e39, 1e300])
def test_standard_any_magnitude(dtype, size):
    X = np.array([[-1.0], [1.0], [-1.0], [1.0]]) * size
    scaler = PixelScaler(method="standard", dtype=dtype)
    out = _fit_transform(scaler, X)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, X / size)
    np.testing.assert_allclose(scaler.std_, size, rtol=1e-12)


def test_standard_values_near_float64_max():
    # The sums and squares would overflow float64 without rescaling.
    X = np.array([[F64.max], [-F64.max], [F64.max], [-F64.max]])
    scaler = PixelScaler(method="standard", dtype="float64")
    out = _fit_transform(scaler, X)
    np.testing.assert_array_equal(out.ravel(), [1.0, -1.0, 1.0, -1.0])
    assert scaler.mean_[0] == 0.0
    assert scaler.std_[0] == F64.max


def test_standard_huge_values_with_a_small_spread():
    # float32 pixels near 1e6 differ by 1/16; the mean must not be rounded to
    # float32 before it is subtracted.
    X = (1e6 + np.arange(16, dtype=np.float32) / 16).reshape(16, 1)
    out = PixelScaler(method="standard").fit_transform(X)
    X64 = X.astype(np.float64)
    expected = (X64 - X64.mean()) / X64.std()
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", [1e300, -1e300, 3.89e-49, F64.smallest_subnormal])
def test_standard_constant_channel_of_any_size_scales_to_zero(dtype, value):
    X = np.full((7, 2, 2, 2), value)
    X[..., 1] = np.linspace(0.0, 1.0, 28).reshape(7, 2, 2)
    scaler = PixelScaler(method="standard", dtype=dtype)
    out = _fit_transform(scaler, X)
    assert scaler.mean_[0] == value
    assert scaler.std_[0] == 1.0
    np.testing.assert_array_equal(out[..., 0], 0.0)
    if dtype == "float64":
        np.testing.assert_array_equal(scaler.inverse_transform(out)[..., 0], value)


def test_channel_mean_std_keeps_float64_extremes():
    columns = np.array([[F64.max, 1e-310], [F64.max / 2, 3e-310]])
    mean, std = _channel_mean_std(columns, chunk=1)
    np.testing.assert_allclose(mean, [0.75 * F64.max, 2e-310], rtol=1e-12)
    np.testing.assert_allclose(std, [0.25 * F64.max, 1e-310], rtol=1e-12)


# --------------------------------------------------------------------------
# Underflow and overflow of the output dtype
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, small, max_value",
    [("float16", 1e-8, 1.0), ("float32", 1e-49, 1.0), ("float64", 1e-320, 1e10)],
)
def test_results_below_the_dtype_become_zero(dtype, small, max_value):
    scaler = PixelScaler(max_value=max_value, dtype=dtype)
    out = _fit_transform(scaler, np.array([[small, max_value / 2]]))
    np.testing.assert_array_equal(out, [[0.0, 0.5]])


@pytest.mark.parametrize(
    "make_scaler, X, match",
    [
        (  # a divisor too small for the pixels into float32
            lambda: PixelScaler(max_value=1e-300).fit(np.zeros((1, 2))),
            np.array([[0, 255]], dtype=np.uint8),
            r"reach 2\.55e\+302, more than float32 holds.*dtype='float64' or "
            "pass a max_value",
        ),
        (  # pixels far above the fitted max_value_ into float16
            lambda: PixelScaler(dtype="float16").fit(np.array([[1.0]])),
            np.array([[1e5]]),
            r"reach 1e\+05, more than float16 holds.*dtype='float32'",
        ),
        (  # pixels far from the fitted mean into float32
            lambda: PixelScaler(method="standard").fit(np.array([[0.0], [1.0]])),
            np.array([[1e300]]),
            r"reach 2e\+300, more than float32 holds.*fit the scaler on pixels",
        ),
        (  # beyond float64 itself
            lambda: PixelScaler(max_value=1e-300, dtype="float64").fit([[1.0]]),
            np.array([[1e300]]),
            "go beyond what float64 holds",
        ),
    ],
)
def test_transform_overflow_is_a_clear_error(make_scaler, X, match):
    scaler = make_scaler()
    with pytest.raises(ValueError, match=match) as excinfo:
        scaler.transform(X)
    assert str(excinfo.value).startswith("PixelScaler.transform: the scaled")
    assert "nothing is clipped" in str(excinfo.value)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_inverse_transform_overflow_is_a_clear_error(dtype):
    scaler = PixelScaler(dtype=dtype).fit(np.array([[1e300, 0.0]]))
    scaled = scaler.transform(np.array([[1e300, 5e299]]))
    np.testing.assert_array_equal(scaled, [[1.0, 0.5]])
    match = r"inverse_transform: the unscaled pixels reach 1e\+300.*'float64'"
    with pytest.raises(ValueError, match=match):
        scaler.inverse_transform(scaled)
    back = PixelScaler(dtype="float64").fit([[1e300, 0.0]]).inverse_transform(scaled)
    np.testing.assert_array_equal(back, [[1e300, 5e299]])


def test_overflow_in_a_later_chunk_is_found(monkeypatch):
    monkeypatch.setattr(_scaler, "_CHUNK_VALUES", 4)
    X = np.ones((10, 3))
    X[-1, -1] = 1e6
    scaler = PixelScaler(dtype="float16", max_value=1.0).fit(np.ones((1, 3)))
    with pytest.raises(ValueError, match="float16"):
        scaler.transform(X)
    with pytest.raises(ValueError, match="float16"):
        scaler.transform(np.asfortranarray(X))


# --------------------------------------------------------------------------
# The chunked computation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["minmax", "standard"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("in_dtype", [np.uint8, np.int32, np.float32, np.float64])
def test_chunks_do_not_change_the_result(monkeypatch, method, dtype, in_dtype, rng):
    X = rng.integers(0, 256, size=(6, 5, 4, 3)).astype(in_dtype)
    strided = np.concatenate([X, X], axis=1)[:, ::2]
    layouts = [X, np.asfortranarray(X), strided, X.reshape(6, -1)]
    scaler = PixelScaler(method=method, dtype=dtype).fit(X)
    whole = [scaler.transform(layout) for layout in layouts]
    monkeypatch.setattr(_scaler, "_CHUNK_VALUES", 5)
    for layout, expected in zip(layouts, whole, strict=True):
        out = scaler.transform(layout)
        np.testing.assert_array_equal(out, expected)
        assert out.flags.c_contiguous and out.ctypes.data % 64 == 0
        np.testing.assert_array_equal(
            scaler.inverse_transform(out), scaler.inverse_transform(expected)
        )


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_uint8_pixels_are_rounded_once(dtype):
    X = np.arange(256, dtype=np.uint8).reshape(1, 256)
    out = PixelScaler(dtype=dtype).fit_transform(X)
    np.testing.assert_array_equal(out, (X / 255.0).astype(dtype))


@pytest.mark.parametrize("method", ["minmax", "standard"])
def test_float64_pixels_make_no_float64_copy(method):
    # 3 million float64 pixels: the float32 output takes 4 bytes per value and
    # the chunks a few hundred kilobytes; another float64 copy would take 8.
    X = np.random.default_rng(0).random((1000, 32, 32, 3))
    scaler = PixelScaler(method=method).fit(X)
    scaler.transform(X[:1])  # allocations made once per process
    tracemalloc.start()
    try:
        out = scaler.transform(X)
        transform_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        scaler.inverse_transform(out)
        inverse_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert transform_peak < 5 * X.size
    assert inverse_peak < 9 * X.size


# --------------------------------------------------------------------------
# Properties over the whole float64 range
# --------------------------------------------------------------------------

FINITE = st.floats(-F64.max, F64.max, allow_nan=False, allow_infinity=False)


@st.composite
def float64_pixels(draw, elements=FINITE):
    """(n, h, w, c) float64 pixels anywhere in float64's finite range."""
    shape = (
        draw(st.integers(1, 4)),
        draw(st.integers(1, 3)),
        draw(st.integers(1, 3)),
        draw(st.sampled_from([1, 3])),
    )
    return draw(arrays(np.float64, shape, elements=elements))


@budget(4 / 3)
@given(float64_pixels(elements=st.floats(0, F64.max)), st.sampled_from(DTYPES))
@example(np.array([[[[3.89e-49]]]]), "float32")
@example(np.array([[[[F64.max]]], [[[F64.smallest_subnormal]]]]), "float16")
@example(np.array([[[[1e300]]], [[[1e-300]]]]), "float32")
def test_minmax_maps_any_nonnegative_pixels_into_unit_interval(X, dtype):
    scaler = PixelScaler(dtype=dtype)
    out = _fit_transform(scaler, X)
    assert out.dtype == np.dtype(dtype)
    # Computed in float64, rounded once into dtype.
    np.testing.assert_array_equal(out, (X / scaler.max_value_).astype(dtype))
    assert out.min() >= 0.0 and out.max() <= 1.0


@budget(4 / 3)
@given(float64_pixels(), st.sampled_from(DTYPES))
@example(np.array([[[[3.89e-49]]], [[[0.0]]]]), "float32")
@example(np.array([[[[F64.max]]], [[[-F64.max]]], [[[F64.max]]]]), "float16")
@example(np.array([[[[1e300]]], [[[1e300]]], [[[-1e-300]]]]), "float16")
def test_standard_scales_any_finite_pixels_to_finite_values(X, dtype):
    scaler = PixelScaler(method="standard", dtype=dtype)
    out = _fit_transform(scaler, X)
    assert out.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(out))
    assert np.all(np.isfinite(scaler.mean_)) and np.all(scaler.std_ > 0)
    # No value lies further than sqrt(n) deviations from its channel's mean;
    # the margin covers statistics rounded among subnormal numbers.
    limit = 2 * np.sqrt(out.size / X.shape[-1]) + 1
    assert np.abs(out.astype(np.float64)).max() <= limit


@budget(4 / 3)
@given(
    float64_pixels(),
    st.sampled_from(["minmax", "standard"]),
    st.sampled_from(DTYPES),
)
@example(np.array([[[[1e300]]], [[[5e299]]]]), "minmax", "float32")
@example(np.array([[[[7e4]]], [[[0.0]]]]), "standard", "float16")
@example(np.array([[[[2.9505318e35, 6.4608469e-277, 0.0]]]]), "minmax", "float64")
def test_inverse_transform_restores_pixels_or_says_why_not(X, method, dtype):
    X = np.abs(X) if method == "minmax" else X
    scaler = PixelScaler(method=method, dtype=dtype).fit(X)
    scaled = _fit_transform(scaler, X)
    largest = np.finfo(dtype).max
    if np.abs(X).max() / (1 + 1e-3) > largest:
        match = f"more than {dtype} holds|go beyond what float64 holds"
        with pytest.raises(ValueError, match=match):
            scaler.inverse_transform(scaled)
        return
    with _no_warnings():
        try:
            back = scaler.inverse_transform(scaled)
        except ValueError as error:
            # Only pixels at dtype's very limit may round past it.
            assert np.abs(X).max() > largest * (1 - 1e-2), error
            return
    rtol = {"float16": 4e-3, "float32": 1e-6, "float64": 1e-12}[dtype]
    # minmax divides every channel by one number, standard each by its own.
    peak = np.abs(X).max(axis=None if method == "minmax" else (0, 1, 2))
    error = np.abs(back.astype(np.float64) - X)
    assert np.all(error <= rtol * peak + np.finfo(dtype).tiny)
