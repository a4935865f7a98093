"""scikit-learn's digits as images, and the canonical split."""

import numpy as np

from skcnn.datasets import load_digits_images, split_train_test


def test_digits_images():
    digits = load_digits_images()
    assert digits.images.shape == (1797, 8, 8)
    assert digits.data.shape == (1797, 64)
    assert digits.images.dtype == np.uint8 and digits.data.dtype == np.uint8
    assert digits.images.max() == 16 == digits.pixel_max
    assert np.shares_memory(digits.images, digits.data)
    assert digits.n_train == 1437 and digits.source == "digits"
    assert list(digits.target_names) == [str(d) for d in range(10)]
    assert "1,797 8x8" in digits.DESCR
    X, y = load_digits_images(return_X_y=True)
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)


def test_split_train_test_returns_views_of_the_canonical_split():
    digits = load_digits_images()
    X_train, X_test, y_train, y_test = split_train_test(digits)
    assert X_train.shape == (1437, 64) and X_test.shape == (360, 64)
    assert np.shares_memory(X_train, digits.data)
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), digits.target)
    images_train, images_test, _, _ = split_train_test(digits, images=True)
    assert images_train.shape == (1437, 8, 8) and images_test.shape == (360, 8, 8)
    # Stratified: every class in both parts, in the same proportions.
    assert np.abs(np.bincount(y_train) / 1437 - np.bincount(y_test) / 360).max() < 0.01
