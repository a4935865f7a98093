"""What every loader shares: the Bunch, the canonical split, the stratified order."""

import numpy as np
import pytest

from skcnn import datasets
from skcnn.datasets import _base
from skcnn.datasets._base import (
    DIGIT_NAMES,
    make_bunch,
    split_train_test,
    stratified_order,
)

BUNCH_KEYS = {
    "data",
    "images",
    "target",
    "target_names",
    "n_train",
    "source",
    "pixel_max",
    "DESCR",
}


def _bunch(n_train=3, **params):
    """Five 2 x 3 images whose pixels count up, one label each."""
    images = np.arange(5 * 2 * 3).reshape(5, 2, 3)
    defaults = dict(n_train=n_train, source="toy", descr="Toy.", return_X_y=False)
    return make_bunch(images, [0, 1, 0, 1, 1], **{**defaults, **params})


def test_public_name():
    assert _base.__all__ == ["split_train_test"]
    assert datasets.split_train_test is split_train_test


def test_digit_names():
    assert DIGIT_NAMES == ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def test_make_bunch_holds_every_shared_field():
    bunch = _bunch(pixel_max=16)
    assert set(bunch) == BUNCH_KEYS
    assert bunch.images.dtype == np.uint8 and bunch.data.dtype == np.uint8
    np.testing.assert_array_equal(bunch.images, np.arange(30).reshape(5, 2, 3))
    np.testing.assert_array_equal(bunch.data, np.arange(30).reshape(5, 6))
    assert np.shares_memory(bunch.data, bunch.images)  # one set of pixels
    assert bunch.target.dtype == np.int64
    assert bunch.target.tolist() == [0, 1, 0, 1, 1]
    assert bunch.target_names.tolist() == list(DIGIT_NAMES)
    assert (bunch.n_train, bunch.source, bunch.pixel_max, bunch.DESCR) == (
        3,
        "toy",
        16,
        "Toy.",
    )


def test_make_bunch_converts_what_it_is_given():
    # Float pixels, a column of labels, a transposed (not C-ordered) array and
    # a NumPy integer as n_train.
    images = np.asfortranarray(np.array([[[0.0, 255.0]], [[7.0, 128.0]]]))
    target = np.array([[3], [1]], dtype=np.int32)
    bunch = make_bunch(
        images,
        target,
        n_train=np.int64(1),
        source="s",
        descr="",
        return_X_y=False,
        target_names=["cat", "dog", "owl", "yak"],
        pixel_max=255,
    )
    assert bunch.images.flags.c_contiguous
    assert bunch.images.tolist() == [[[0, 255]], [[7, 128]]]
    assert bunch.data.tolist() == [[0, 255], [7, 128]]
    assert np.shares_memory(bunch.data, bunch.images)
    assert bunch.target.tolist() == [3, 1] and bunch.target.dtype == np.int64
    assert type(bunch.n_train) is int and bunch.n_train == 1
    assert bunch.target_names.tolist() == ["cat", "dog", "owl", "yak"]
    assert bunch.target_names[bunch.target].tolist() == ["yak", "dog"]


def test_make_bunch_return_x_y_gives_flat_rows_and_labels():
    X, y = _bunch(return_X_y=True)
    np.testing.assert_array_equal(X, np.arange(30).reshape(5, 6))
    assert X.dtype == np.uint8 and y.dtype == np.int64
    assert y.tolist() == [0, 1, 0, 1, 1]
    bunch = _bunch()
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_split_train_test_cuts_at_n_train():
    bunch = _bunch(n_train=3)
    X_train, X_test, y_train, y_test = split_train_test(bunch)
    np.testing.assert_array_equal(X_train, np.arange(18).reshape(3, 6))
    np.testing.assert_array_equal(X_test, np.arange(18, 30).reshape(2, 6))
    assert y_train.tolist() == [0, 1, 0] and y_test.tolist() == [1, 1]
    images_train, images_test, y_train_2, y_test_2 = split_train_test(
        bunch, images=True
    )
    np.testing.assert_array_equal(images_train, bunch.images[:3])
    np.testing.assert_array_equal(images_test, bunch.images[3:])
    assert images_train.shape == (3, 2, 3) and images_test.shape == (2, 2, 3)
    assert y_train_2.tolist() == [0, 1, 0] and y_test_2.tolist() == [1, 1]


def test_split_train_test_returns_views():
    bunch = _bunch(n_train=2)
    for images, X in ((False, bunch.data), (True, bunch.images)):
        wholes = [X, X, bunch.target, bunch.target]
        parts = split_train_test(bunch, images=images)
        for part, whole in zip(parts, wholes, strict=True):
            assert np.shares_memory(part, whole)
    X_train, _, y_train, _ = split_train_test(bunch)
    X_train[0, 0] = 99
    y_train[1] = 7
    assert bunch.data[0, 0] == 99 == bunch.images[0, 0, 0]
    assert bunch.target[1] == 7


@pytest.mark.parametrize("n_train, sizes", [(0, (0, 5)), (5, (5, 0)), (4, (4, 1))])
def test_split_train_test_at_the_ends(n_train, sizes):
    X_train, X_test, y_train, y_test = split_train_test(_bunch(n_train=n_train))
    assert (len(X_train), len(X_test)) == sizes == (len(y_train), len(y_test))


def _sorted_labels():
    """60 labels sorted by class, as raw dataset files are: 10, 20, 30."""
    return np.repeat([0, 1, 2], [10, 20, 30])


def test_stratified_order_is_a_permutation_with_a_stratified_head():
    target = _sorted_labels()
    order = stratified_order(target, 30)
    assert sorted(order.tolist()) == list(range(60))
    assert np.bincount(target[order[:30]]).tolist() == [5, 10, 15]
    assert np.bincount(target[order[30:]]).tolist() == [5, 10, 15]


def test_stratified_order_is_fixed_by_its_seed():
    target = _sorted_labels()
    order = stratified_order(target, 30)
    np.testing.assert_array_equal(stratified_order(target, 30), order)
    np.testing.assert_array_equal(stratified_order(target, 30, seed=0), order)
    other = stratified_order(target, 30, seed=1)
    assert not np.array_equal(other, order)
    assert np.bincount(target[other[:30]]).tolist() == [5, 10, 15]


def test_stratified_order_shuffles_the_training_set():
    # A class-sorted training set would leave a tail validation split with a
    # single class; shuffled, the last fifth of it holds several.
    target = _sorted_labels()
    train = target[stratified_order(target, 30)[:30]]
    assert np.any(np.diff(train) < 0)
    assert len(set(train[-6:].tolist())) > 1


def test_stratified_order_needs_room_for_every_class():
    with pytest.raises(ValueError):
        stratified_order(_sorted_labels(), 2)  # fewer places than classes
