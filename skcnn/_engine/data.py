"""What the network is fed: the one place training data reach TensorFlow.

:func:`fit_inputs` turns the validated training data of a fit into what
``Model.fit`` takes: the seeded batches, the number of steps per epoch and the
validation data. Any new kind of training input (a stream of image files)
is turned into batches here, and nowhere else.

Pixel arrays are handed to TensorFlow without copies and in a seeded order.

Keras turns a NumPy array into one constant tensor before training or
predicting: a full copy, two when the array is not 64-byte aligned. A
C-contiguous, writeable, aligned array (``PixelScaler``'s output is one) is
handed over through DLPack instead, without a copy.

Keras also shuffles the training samples with TensorFlow's global random
state, which a seeded fit must not touch (other threads may be using it).
:func:`training_dataset` feeds Keras batches in an order drawn from the
fit's own seed instead, with TensorFlow's stateless shuffle.

Keras's own ``validation_split`` holds out the last samples before
shuffling, which is a single class when the data are sorted by label.
:func:`validation_split` holds out a random, class-stratified fraction drawn
from the fit's own generator instead.
"""

import math

import numpy as np
from sklearn.model_selection import train_test_split

from .._arrays import aligned_copy, aligned_take, is_aligned
from .._validation import is_stream
from .plan import split_generator
from .runtime import tf

__all__ = [
    "as_tensor",
    "fit_inputs",
    "stream_batches",
    "n_training_samples",
    "training_dataset",
    "validation_split",
]

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


def _epoch_orders(n_samples, *, batch_size, seed, first_epoch, n_epochs, shuffle):
    """Batches of sample indices for ``n_epochs`` epochs, in a seeded order."""
    seed = int(seed)

    def epoch_batches(epoch):
        order = tf.range(n_samples, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.stack([tf.constant(seed, tf.int64), epoch])
            )
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    return tf.data.Dataset.range(first_epoch, first_epoch + n_epochs).flat_map(
        epoch_batches
    )


def _unoptimised(dataset):
    # tf.data's default graph rewrites serialise the pipeline, and with it
    # the captured images: a full copy of the training data for the whole
    # fit. The pipeline is parallel and prefetched as written, so they are
    # switched off for this dataset only.
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False
    return dataset.prefetch(tf.data.AUTOTUNE).with_options(options)


def training_dataset(
    X,
    y,
    sample_weight,
    *,
    batch_size,
    seed,
    first_epoch,
    n_epochs,
    shuffle=True,
    errors=None,
):
    """Batches for ``n_epochs`` epochs of training, in a seeded order.

    Epoch ``e`` visits the samples in the order of a stateless shuffle keyed
    by ``(seed, e)``: the same seed gives the same batches in any process or
    thread, whatever else uses TensorFlow's random state, and a fit that
    continues at ``first_epoch`` (``warm_start``, ``partial_fit``) does not
    repeat the orders of the epochs before it. The images stay one tensor
    (shared with ``X`` when possible); each batch gathers its rows. An
    :class:`~skcnn.preprocessing.ImageStream` is decoded batch by batch
    instead, in the same order, by parallel calls into its own decoder:
    only the batches in flight are held in memory.

    TensorFlow reports an exception raised while decoding a stream as an
    error of its own; the original exception is appended to ``errors``
    (a list) when one is given, for the caller to raise as it is.

    Returns
    -------
    dataset : tf.data.Dataset
        ``(images, labels[, weights])`` batches of all epochs in a row.
    steps_per_epoch : int
        Number of batches per epoch, for ``Model.fit(steps_per_epoch=...)``,
        which then keeps reading the same dataset from one epoch to the next.
    """
    n_samples = len(y)
    batches = _epoch_orders(
        n_samples,
        batch_size=batch_size,
        seed=seed,
        first_epoch=first_epoch,
        n_epochs=n_epochs,
        shuffle=shuffle,
    )
    columns = (tf.convert_to_tensor(y),)
    if sample_weight is not None:
        columns += (tf.convert_to_tensor(sample_weight),)
    if is_stream(X):
        read = _stream_reader(X, errors)
        dataset = tf.data.Dataset.zip(
            (batches, tf.data.Dataset.from_tensors(columns).repeat())
        ).map(
            lambda indices, columns: (
                read(indices),
                *(tf.gather(c, indices) for c in columns),
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    else:
        columns = (as_tensor(X), *columns)
        data = tf.data.Dataset.from_tensors(columns).repeat()
        dataset = tf.data.Dataset.zip((batches, data)).map(
            lambda indices, columns: tuple(tf.gather(c, indices) for c in columns),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return _unoptimised(dataset), math.ceil(n_samples / batch_size)


def _stream_reader(stream, errors=None):
    """A TensorFlow function that decodes the images of a batch of indices."""
    dtype = tf.as_dtype(stream.dtype)
    shape = (None, *stream.shape[1:])

    def decode(indices):
        try:
            return stream.read(indices)
        except Exception as exc:
            if errors is not None:
                errors.append(exc)
            raise

    def read(indices):
        images = tf.numpy_function(decode, [indices], dtype, stateful=False)
        images.set_shape(shape)
        return images

    return read


def stream_batches(stream, batch_size, errors=None):
    """A dataset of a stream's images in order, for ``Model.predict``/validation."""
    indices = tf.data.Dataset.range(len(stream)).batch(batch_size)
    return _unoptimised(
        indices.map(_stream_reader(stream, errors), num_parallel_calls=tf.data.AUTOTUNE)
    )


def validation_split(X, y, sample_weight, fraction, random_state):
    """Hold out a shuffled, stratified ``fraction`` of the training data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...)
        Training images.
    y : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Encoded labels (one-hot rows are stratified by their argmax).
    sample_weight : ndarray of shape (n_samples,) or None
        Sample weights, split alongside.
    fraction : float
        Fraction of the samples to hold out, in ``(0, 1)``.
    random_state : numpy.random.RandomState
        Generator of the split.

    Returns
    -------
    X_train, y_train, weight_train, validation_data
        The training part (64-byte aligned, as Keras can share it) and the
        ``(X_val, y_val[, weight_val])`` tuple for ``Model.fit``.
    """
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    indices = np.arange(len(labels))
    n_train = n_training_samples(len(labels), fraction)
    if n_train in (0, len(labels)):
        raise ValueError(
            f"validation_split={fraction} leaves no training or no validation "
            f"samples out of {len(labels)}."
        )
    train, val = _split_indices(indices, labels, fraction, random_state)
    # A stream is indexed into smaller streams; arrays into aligned copies.
    take = (lambda X, rows: X[rows]) if is_stream(X) else aligned_take
    weights = None if sample_weight is None else sample_weight[train]
    validation = (take(X, val), y[val])
    if sample_weight is not None:
        validation += (sample_weight[val],)
    return take(X, train), y[train], weights, validation


def _split_indices(indices, labels, fraction, random_state):
    state = random_state.get_state()
    try:
        return train_test_split(
            indices, test_size=fraction, stratify=labels, random_state=random_state
        )
    except ValueError:  # too few samples per class to stratify
        random_state.set_state(state)
        return train_test_split(indices, test_size=fraction, random_state=random_state)


def _stream_validation(images, rest, batch_size, errors):
    """Validation batches of a stream with its labels (and weights)."""
    columns = tf.data.Dataset.from_tensor_slices(tuple(rest)).batch(batch_size)
    images = stream_batches(images, batch_size, errors)
    return tf.data.Dataset.zip((images, columns)).map(lambda x, columns: (x, *columns))


def n_training_samples(n_samples, fraction):
    """Samples left for training once ``fraction`` of ``n_samples`` is held out."""
    if not fraction:
        return n_samples
    return n_samples - int(np.ceil(fraction * n_samples))


def fit_inputs(X, y, plan, errors=None):
    """What ``Model.fit`` trains on for one fit.

    Parameters
    ----------
    X : ndarray of shape (n_samples, height, width, channels)
        Validated training images.
    y : ndarray
        Encoded labels.
    plan : FitPlan
        The fit's plan: sample weights, routed fit arguments, seeds, epochs.
    errors : list, default=None
        Where the exceptions raised while decoding a stream are appended.

    Returns
    -------
    dataset : tf.data.Dataset
        The training batches of all epochs, in the fit's seeded order.
    steps_per_epoch : int
        Batches per epoch.
    validation_data : tuple or None
        ``(images, labels[, weights])`` for ``Model.fit``: the stratified
        hold-out of ``validation_split``, or the routed ``validation_data``.
    """
    sample_weight = plan.sample_weight
    validation_data = plan.fit_args.get("validation_data")
    if plan.validation_fraction:
        X, y, sample_weight, validation_data = validation_split(
            X, y, sample_weight, plan.validation_fraction, split_generator(plan.seed)
        )
    if isinstance(validation_data, tuple):
        images, *rest = validation_data
        if is_stream(images):
            validation_data = _stream_validation(images, rest, plan.batch_size, errors)
        else:
            validation_data = (as_tensor(images), *rest)
    dataset, steps_per_epoch = training_dataset(
        X,
        y,
        sample_weight,
        batch_size=plan.batch_size,
        seed=plan.shuffle_seed,
        first_epoch=plan.first_epoch,
        n_epochs=plan.epochs,
        shuffle=bool(plan.fit_args.get("shuffle", True)),
        errors=errors,
    )
    return dataset, steps_per_epoch, validation_data
