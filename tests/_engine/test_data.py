"""Training data handed to TensorFlow (shared memory, a seeded order) and the
stratified, seeded validation hold-out.
"""

import numpy as np
import pytest

from skcnn import ImageReshaper, PixelScaler
from skcnn._engine import data as _tensors
from skcnn._engine.data import as_tensor, training_dataset, validation_split
from tests._helpers import small_cnn


def _batches(dataset, steps, n_epochs):
    """The index order of each epoch, recovered from the labels column."""
    labels = [np.asarray(batch[1]) for batch in dataset]
    assert len(labels) == steps * n_epochs
    return [
        np.concatenate(labels[e * steps : (e + 1) * steps]) for e in range(n_epochs)
    ]


def test_aligned_array_is_shared_not_copied():
    X = PixelScaler().fit_transform(np.arange(64, dtype=np.uint8).reshape(1, 8, 8, 1))
    tensor = as_tensor(X)
    X[0, 0, 0, 0] = 0.5
    assert float(tensor[0, 0, 0, 0]) == 0.5


def test_training_dataset_skips_the_graph_rewrites_that_copy_the_images():
    # With tf.data's default rewrites the pipeline is serialised with the
    # images in it: on 60,000 MNIST-shaped images a fit held a second copy of
    # the data (peak extra memory 2.25 times its float32 size instead of
    # about 1.2 in the memory benchmark). The effect needs large arrays and
    # is measured there; here the dataset must carry the option.
    X = PixelScaler().fit_transform(np.zeros((8, 2, 2, 1), dtype=np.uint8))
    dataset, _ = training_dataset(
        X, np.arange(8), None, batch_size=2, seed=0, first_epoch=0, n_epochs=1
    )
    optimization = dataset.options().experimental_optimization
    assert optimization.apply_default_optimizations is False


def test_unshareable_arrays_are_copied_or_left_to_keras():
    X = np.arange(64, dtype=np.float32).reshape(1, 8, 8, 1)
    unaligned = np.frombuffer(
        np.empty(X.nbytes + 4, np.uint8)[4 : 4 + X.nbytes], np.float32
    ).reshape(X.shape)
    unaligned[...] = X
    np.testing.assert_array_equal(np.asarray(as_tensor(unaligned)), X)
    as64 = X.astype(np.float64)
    assert as_tensor(as64) is as64


@pytest.mark.parametrize("n_samples, batch_size", [(10, 3), (12, 4), (5, 8)])
def test_each_epoch_visits_every_sample_once(n_samples, batch_size):
    y = np.arange(n_samples)
    X = np.zeros((n_samples, 2, 2, 1), np.float32)
    dataset, steps = training_dataset(
        X, y, None, batch_size=batch_size, seed=0, first_epoch=0, n_epochs=3
    )
    assert steps == -(-n_samples // batch_size)
    orders = _batches(dataset, steps, 3)
    for order in orders:
        np.testing.assert_array_equal(np.sort(order), y)
    assert not all(np.array_equal(orders[0], o) for o in orders[1:])


def test_order_follows_seed_and_epoch_only():
    y = np.arange(50)
    X = np.zeros((50, 2, 2, 1), np.float32)

    def orders(seed, first_epoch, n_epochs):
        dataset, steps = training_dataset(
            X,
            y,
            None,
            batch_size=7,
            seed=seed,
            first_epoch=first_epoch,
            n_epochs=n_epochs,
        )
        return _batches(dataset, steps, n_epochs)

    three = orders(1, 0, 3)
    np.testing.assert_array_equal(orders(1, 0, 3), three)
    # A fit that continues at epoch 2 (warm start) gets epoch 2's order.
    np.testing.assert_array_equal(orders(1, 2, 1)[0], three[2])
    assert not np.array_equal(orders(2, 0, 1)[0], three[0])


def test_without_shuffle_the_order_is_the_data_order():
    y = np.arange(9)
    dataset, steps = training_dataset(
        np.zeros((9, 1, 1, 1), np.float32),
        y,
        None,
        batch_size=4,
        seed=0,
        first_epoch=0,
        n_epochs=2,
        shuffle=False,
    )
    for order in _batches(dataset, steps, 2):
        np.testing.assert_array_equal(order, y)


def test_rows_stay_together():
    n = 20
    X = np.arange(n, dtype=np.float32).reshape(n, 1, 1, 1)
    y = np.arange(n)
    weights = np.arange(n, dtype=np.float32) * 2
    dataset, _ = training_dataset(
        X, y, weights, batch_size=6, seed=3, first_epoch=0, n_epochs=1
    )
    for images, labels, w in dataset:
        np.testing.assert_array_equal(np.asarray(images).ravel(), np.asarray(labels))
        np.testing.assert_array_equal(np.asarray(w), np.asarray(labels) * 2)


def test_scaled_pixels_reach_tensorflow_without_a_copy(digits, monkeypatch):
    """Keras trains on PixelScaler's own buffer: writing to it shows through."""
    X, y = digits
    scaled = PixelScaler().fit_transform(ImageReshaper().fit_transform(X))
    seen = []
    original = _tensors.as_tensor

    def spy(array):
        tensor = original(array)
        seen.append(tensor)
        return tensor

    monkeypatch.setattr(_tensors, "as_tensor", spy)
    small_cnn(epochs=1).fit(scaled, y)
    tensor = seen[0]
    assert not isinstance(tensor, np.ndarray)
    assert tensor.dtype.name == "float32"
    scaled[0] = 0.5
    np.testing.assert_array_equal(np.asarray(tensor[0]), scaled[0])


def test_fit_shuffle_false_is_honoured(digits_scaled, monkeypatch):
    X, y = digits_scaled
    seen = []
    original = _tensors.training_dataset

    def spy(*args, **kwargs):
        seen.append(kwargs["shuffle"])
        return original(*args, **kwargs)

    monkeypatch.setattr("skcnn._engine.data.training_dataset", spy)
    small_cnn(epochs=1, fit__shuffle=False).fit(X, y)
    small_cnn(epochs=1).fit(X, y)
    assert seen == [False, True]


def test_hold_out_is_stratified_and_aligned(digits_scaled):
    X, y = digits_scaled
    X_fit, y_fit, _, (X_val, y_val) = validation_split(
        X, y, None, 0.2, np.random.RandomState(0)
    )
    assert len(X_val) == 60 and len(X_fit) == 240
    assert np.abs(np.bincount(y_val) - np.bincount(y) / 5).max() <= 1
    for part in (X_fit, X_val):
        assert part.ctypes.data % 64 == 0 and part.flags.c_contiguous


def test_same_generator_state_same_split(digits_scaled):
    X, y = digits_scaled
    first = validation_split(X, y, None, 0.2, np.random.RandomState(4))
    second = validation_split(X, y, None, 0.2, np.random.RandomState(4))
    other = validation_split(X, y, None, 0.2, np.random.RandomState(5))
    np.testing.assert_array_equal(first[1], second[1])
    np.testing.assert_array_equal(first[3][0], second[3][0])
    assert not np.array_equal(first[3][0], other[3][0])


def test_weights_follow_their_samples():
    X = np.arange(20, dtype=np.float32).reshape(20, 1, 1, 1)
    y = np.arange(20) % 2
    w = np.arange(20, dtype=np.float32)
    X_fit, _, w_fit, (X_val, _, w_val) = validation_split(
        X, y, w, 0.25, np.random.RandomState(0)
    )
    np.testing.assert_array_equal(X_fit.ravel(), w_fit)
    np.testing.assert_array_equal(X_val.ravel(), w_val)


def test_falls_back_to_unstratified_when_classes_are_too_small():
    X = np.zeros((6, 1, 1, 1), np.float32)
    y = np.array([0, 0, 0, 0, 0, 1])
    X_fit, _, _, (X_val, _) = validation_split(
        X, y, None, 0.5, np.random.RandomState(0)
    )
    assert len(X_fit) == len(X_val) == 3


def test_nothing_left_is_a_clear_error():
    X = np.zeros((1, 1, 1, 1), np.float32)
    with pytest.raises(ValueError, match="leaves no training or no validation"):
        validation_split(X, np.array([0]), None, 0.5, np.random.RandomState(0))


def test_sorted_labels_still_validate_on_every_class(digits_scaled):
    # Keras's own validation_split takes the last samples: on data sorted by
    # label it would validate on one class only (val_accuracy stuck at 0).
    X, y = digits_scaled
    order = np.argsort(y, kind="stable")
    clf = small_cnn(epochs=4, validation_split=0.3).fit(X[order], y[order])
    assert clf.history_["val_accuracy"][-1] > 0.3
