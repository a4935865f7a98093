"""Plotting fixtures: figures closed after each test, models fitted once."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from tests._helpers import small_cnn  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="package")
def fitted(digits_scaled):
    """A small CNN fitted on the digits, with a validation history."""
    X, y = digits_scaled
    return small_cnn(validation_split=0.2, filters=(4,)).fit(X, y)


@pytest.fixture(scope="package")
def search(digits_scaled):
    """A fitted 2x2 grid search over filters and dropout."""
    X, y = digits_scaled
    grid = {"filters": [(4,), (6,)], "dropout": [0.0, 0.25]}
    return GridSearchCV(small_cnn(epochs=1), grid, cv=2).fit(X[:120], y[:120])


@pytest.fixture
def spy(monkeypatch):
    """``spy(cls, name)`` records the calls of a class method, which still runs.

    Returns the list that each call appends its ``(args, kwargs)`` to.
    """

    def install(cls, name):
        calls = []
        original = getattr(cls, name).__func__

        def recorder(klass, *args, **kwargs):
            calls.append((args, kwargs))
            return original(klass, *args, **kwargs)

        monkeypatch.setattr(cls, name, classmethod(recorder))
        return calls

    return install
