"""Handing pixel arrays to TensorFlow: without copies, in a seeded order.

Keras turns a NumPy array into one constant tensor before training or
predicting: a full copy, two when the array is not 64-byte aligned. A
C-contiguous, writeable, aligned array (``PixelScaler``'s output is one) is
handed over through DLPack instead, without a copy.

Keras also shuffles the training samples with TensorFlow's global random
state, which a seeded fit must not touch (other threads may be using it).
:func:`training_dataset` feeds Keras batches in an order drawn from the
fit's own seed instead, with TensorFlow's stateless shuffle.
"""

import math

import numpy as np

from ._arrays import aligned_copy, is_aligned
from ._keras import tf

__all__ = ["as_tensor", "training_dataset"]

# NumPy dtypes TensorFlow can take over through DLPack without a copy.
_SHAREABLE_DTYPES = frozenset(
    np.dtype(t)
    for t in (np.float16, np.float32, np.uint8, np.int8, np.uint16, np.int16, np.int32)
)


def as_tensor(X):
    """``X`` as a tensor for Keras, sharing its memory whenever possible.

    C-contiguous, writeable, 64-byte aligned arrays of the dtypes above are
    shared through DLPack; other arrays of those dtypes get one aligned copy.
    Anything else (float64, which Keras casts to float32 anyway) is returned
    as it is, for Keras to convert.
    """
    if not isinstance(X, np.ndarray) or X.dtype not in _SHAREABLE_DTYPES:
        return X
    if not (X.flags.c_contiguous and X.flags.writeable and is_aligned(X)):
        X = aligned_copy(X)
    return tf.experimental.dlpack.from_dlpack(X.__dlpack__())


def training_dataset(
    X, y, sample_weight, *, batch_size, seed, first_epoch, n_epochs, shuffle=True
):
    """Batches for ``n_epochs`` epochs of training, in a seeded order.

    Epoch ``e`` visits the samples in the order of a stateless shuffle keyed
    by ``(seed, e)``: the same seed gives the same batches in any process or
    thread, whatever else uses TensorFlow's random state, and a fit that
    continues at ``first_epoch`` (``warm_start``, ``partial_fit``) does not
    repeat the orders of the epochs before it. The images stay one tensor
    (shared with ``X`` when possible); each batch gathers its rows.

    Returns
    -------
    dataset : tf.data.Dataset
        ``(images, labels[, weights])`` batches of all epochs in a row.
    steps_per_epoch : int
        Number of batches per epoch, for ``Model.fit(steps_per_epoch=...)``,
        which then keeps reading the same dataset from one epoch to the next.
    """
    n_samples = len(y)
    columns = (as_tensor(X), tf.convert_to_tensor(y))
    if sample_weight is not None:
        columns += (tf.convert_to_tensor(sample_weight),)
    seed = int(seed)

    def epoch_batches(epoch):
        order = tf.range(n_samples, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.stack([tf.constant(seed, tf.int64), epoch])
            )
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    batches = tf.data.Dataset.range(first_epoch, first_epoch + n_epochs).flat_map(
        epoch_batches
    )
    data = tf.data.Dataset.from_tensors(columns).repeat()
    dataset = tf.data.Dataset.zip((batches, data)).map(
        lambda indices, columns: tuple(tf.gather(c, indices) for c in columns),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    # tf.data's default graph rewrites serialise the pipeline, and with it
    # the captured images: a full copy of the training data for the whole
    # fit. The pipeline is parallel and prefetched as written, so they are
    # switched off for this dataset only.
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False
    dataset = dataset.prefetch(tf.data.AUTOTUNE).with_options(options)
    return dataset, math.ceil(n_samples / batch_size)
