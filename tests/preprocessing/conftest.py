"""Fixtures shared by the preprocessing tests."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def rgb_images(rng):
    """Twenty 4x4 RGB uint8 images with clearly different channel statistics."""
    X = np.empty((20, 4, 4, 3), dtype=np.uint8)
    X[..., 0] = rng.integers(0, 50, size=(20, 4, 4))
    X[..., 1] = rng.integers(100, 256, size=(20, 4, 4))
    X[..., 2] = rng.integers(0, 256, size=(20, 4, 4))
    return X
