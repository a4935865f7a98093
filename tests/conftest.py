import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    """300 of scikit-learn's 8x8 digits as uint8 pixels 0-255 and labels."""
    data = load_digits()
    X = np.round(data.data[:300] * (255 / 16)).astype(np.uint8)
    return X, data.target[:300]


@pytest.fixture(scope="session")
def digits_scaled(digits):
    """The same digits as float32 pixels in [0, 1]."""
    X, y = digits
    return (X / 255).astype(np.float32), y


def small_cnn(**params):
    """A CNNClassifier small enough for tests (seconds per fit)."""
    from skcnn import CNNClassifier

    defaults = dict(
        filters=(8,),
        dense_units=32,
        epochs=3,
        batch_size=32,
        learning_rate=0.01,
        shift=0.0,  # augmentation has its own tests; 8x8 digits barely shift
        random_state=0,
    )
    defaults.update(params)
    return CNNClassifier(**defaults)
