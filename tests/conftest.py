import os

import numpy as np
import pytest
from hypothesis import settings
from sklearn.datasets import load_digits

# Property tests run a fixed, derandomized set of examples by default (and in
# CI), so that every run checks the same cases. For a local search for new
# counterexamples, run with HYPOTHESIS_PROFILE=explore: random examples, and
# many more of them. The profiles hold the example budgets; a test that needs
# a larger or smaller share asks for a multiple of the loaded profile's budget
# (budget in tests/_helpers.py), so that it scales with the profile too.
settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None, print_blob=True
)
settings.register_profile(
    "explore", max_examples=1000, derandomize=False, deadline=None, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


@pytest.fixture(scope="session")
def pretrained_cnn(digits_scaled):
    """A small CNNClassifier fitted on the scaled digits, to use as a backbone.

    Two blocks (4 and 8 filters), so that fine-tuning has a block to unfreeze
    and one to keep frozen, with BatchNormalization statistics learnt from
    data (a random-weight Keras application's give vanishing gradients in
    inference mode), and the default shift augmentation, which a cut leaves
    out. Tests must not change it.
    """
    from tests._helpers import small_cnn

    X, y = digits_scaled
    return small_cnn(filters=(4, 8), dense_units=16, epochs=2, shift=0.1).fit(X, y)
