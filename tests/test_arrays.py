"""Tests for skcnn._arrays: 64-byte aligned arrays TensorFlow can share."""

import numpy as np
import pytest

from skcnn._arrays import (
    ALIGNMENT,
    aligned_copy,
    aligned_empty,
    aligned_take,
    is_aligned,
)

SHAPES = [(0,), (1,), (3, 5), (2, 3, 4, 1), (0, 4), (7, 0, 2)]
DTYPES = [np.uint8, np.int16, np.float16, np.float32, np.float64, np.complex128]


def test_alignment_is_64_bytes():
    assert ALIGNMENT == 64


def test_is_aligned_sees_the_offset():
    buffer = aligned_empty((256,), np.uint8)
    assert is_aligned(buffer)
    for offset in (1, 8, 16, 32, 63):
        assert not is_aligned(buffer[offset:])
    assert is_aligned(buffer[64:])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_aligned_empty(shape, dtype):
    out = aligned_empty(shape, dtype)
    assert out.shape == shape
    assert out.dtype == np.dtype(dtype)
    assert out.flags.c_contiguous and out.flags.writeable
    assert is_aligned(out)  # an empty array holds no data: aligned too
    out[...] = 1  # every element can be written
    assert np.all(out == 1)


def test_aligned_empty_arrays_do_not_overlap():
    first = aligned_empty((10, 10), np.float32)
    second = aligned_empty((10, 10), np.float32)
    assert not np.shares_memory(first, second)


@pytest.mark.parametrize("dtype", DTYPES)
def test_aligned_empty_accepts_an_int_and_dtype_names(dtype):
    assert aligned_empty(5, np.dtype(dtype).name).shape == (5,)


@pytest.mark.parametrize("dtype", [None, np.float32, np.float64, np.uint8])
def test_aligned_copy_copies_and_casts(dtype):
    X = np.arange(24, dtype=np.int16).reshape(2, 3, 4)
    out = aligned_copy(X, dtype)
    assert out.dtype == (X.dtype if dtype is None else np.dtype(dtype))
    assert out.shape == X.shape
    assert is_aligned(out) and out.flags.c_contiguous
    assert not np.shares_memory(out, X)
    np.testing.assert_array_equal(out, X)
    out[0, 0, 0] = 99
    assert X[0, 0, 0] == 0


@pytest.mark.parametrize(
    "make_layout",
    [
        np.asfortranarray,
        lambda X: X[:, ::2],
        lambda X: X.transpose(1, 0, 2),
        lambda X: X[::-1],
    ],
    ids=["fortran", "strided", "transposed", "reversed"],
)
def test_aligned_copy_of_any_layout_is_c_contiguous(make_layout):
    X = make_layout(np.arange(60, dtype=np.float32).reshape(3, 4, 5))
    out = aligned_copy(X)
    assert out.flags.c_contiguous and is_aligned(out)
    np.testing.assert_array_equal(out, X)


def test_aligned_copy_of_lists_and_scalars():
    out = aligned_copy([[1, 2], [3, 4]], np.float32)
    np.testing.assert_array_equal(out, [[1, 2], [3, 4]])
    assert out.dtype == np.float32 and is_aligned(out)
    scalar = aligned_copy(3.5)
    assert scalar.shape == () and scalar == 3.5


def test_aligned_copy_casts_unsafely_as_documented():
    # The caller chooses the dtype; values are cast as NumPy's astype would.
    X = np.array([1.7, 255.0, -1.0])
    np.testing.assert_array_equal(aligned_copy(X, np.float16), X.astype(np.float16))
    np.testing.assert_array_equal(aligned_copy(X, np.int32), [1, 255, -1])


@pytest.mark.parametrize(
    "indices",
    [[0, 2, 4], [4, 0, 4, 1], [], np.array([3]), np.arange(5)[::-1], [-1, -5]],
    ids=["sorted", "repeated", "empty", "array", "reversed", "negative"],
)
def test_aligned_take(indices):
    X = np.arange(5 * 3 * 2, dtype=np.float32).reshape(5, 3, 2)
    out = aligned_take(X, indices)
    expected = X[np.asarray(indices, dtype=np.intp)]
    assert out.shape == expected.shape
    assert out.dtype == X.dtype
    assert out.flags.c_contiguous
    assert is_aligned(out) or out.size == 0  # see test_aligned_empty
    assert not np.shares_memory(out, X)
    np.testing.assert_array_equal(out, expected)


def test_aligned_take_from_a_non_contiguous_array():
    X = np.asfortranarray(np.arange(40, dtype=np.uint8).reshape(10, 4))[::2]
    out = aligned_take(X, [4, 1])
    np.testing.assert_array_equal(out, X[[4, 1]])
    assert is_aligned(out)


def test_aligned_take_out_of_range_is_an_index_error():
    with pytest.raises(IndexError):
        aligned_take(np.zeros((3, 2)), [0, 3])


def test_empty_arrays_count_as_aligned():
    assert is_aligned(np.empty((0, 3), np.float32)[0:0])
    assert is_aligned(aligned_take(np.ones((4, 2), np.float32), np.array([], int)))
