"""Pixel arrays TensorFlow can use in place (NumPy only, no TensorFlow).

TensorFlow copies a NumPy array when it turns it into a tensor, twice over
when the array's memory is not aligned to 64 bytes (NumPy aligns to 16). A
64-byte aligned, C-contiguous array can instead be handed over without any
copy (through DLPack), so skcnn allocates the arrays it produces for training
(``PixelScaler``'s output, validation splits) that way.
"""

import numpy as np

#: Byte alignment TensorFlow's CPU kernels require of a buffer they share.
ALIGNMENT = 64


def is_aligned(array):
    """Whether ``array``'s data starts on an :data:`ALIGNMENT`-byte boundary.

    An empty array holds no data and counts as aligned.
    """
    return array.size == 0 or array.ctypes.data % ALIGNMENT == 0


def aligned_empty(shape, dtype):
    """An uninitialised C-contiguous array whose data is 64-byte aligned."""
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    buffer = np.empty(n_bytes + ALIGNMENT, dtype=np.uint8)
    offset = -buffer.ctypes.data % ALIGNMENT
    return buffer[offset : offset + n_bytes].view(dtype).reshape(shape)


def aligned_copy(array, dtype=None):
    """A 64-byte aligned C-contiguous copy of ``array`` (cast to ``dtype``)."""
    array = np.asarray(array)
    out = aligned_empty(array.shape, array.dtype if dtype is None else dtype)
    np.copyto(out, array, casting="unsafe")
    return out


def aligned_take(array, indices):
    """``array[indices]`` along the first axis, into an aligned array."""
    out = aligned_empty((len(indices),) + array.shape[1:], array.dtype)
    np.take(array, indices, axis=0, out=out)
    return out
