"""The helpers the Displays share: checks, label text, Axes and grids."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skcnn.plotting._base import (
    as_image_stack,
    check_length,
    check_positive_int,
    fitted_attribute,
    grid_axes,
    label_text,
    pyplot,
    single_axes,
)


def test_pyplot_is_matplotlibs():
    assert pyplot() is plt


@pytest.mark.parametrize("value", [0, -1, 1.0, True, "2", None])
def test_check_positive_int_rejects(value):
    with pytest.raises(ValueError, match=r"n_cols must be a positive integer, got"):
        check_positive_int(value, "n_cols")


def test_check_positive_int_accepts_numpy_integers():
    assert check_positive_int(np.int64(3), "n") == 3


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((2, 64), (2, 8, 8, 1)),
        ((2, 48), (2, 4, 4, 3)),
        ((2, 5, 6), (2, 5, 6, 1)),
        ((2, 5, 6, 3), (2, 5, 6, 3)),
    ],
)
def test_as_image_stack_shapes(shape, expected):
    assert as_image_stack(np.zeros(shape)).shape == expected


def test_check_length():
    assert check_length(None, 3, "labels") is None
    np.testing.assert_array_equal(check_length([[1], [2]], 2, "labels"), [1, 2])
    with pytest.raises(ValueError, match="counts has 1 entries but there are 2 bars"):
        check_length([1], 2, "counts", items="bars")
    with pytest.raises(ValueError, match="y_true is required, got None"):
        check_length(None, 2, "y_true", required=True)


def test_label_text():
    assert label_text(3, None) == "3"
    assert label_text(np.int64(1), ["a", "b"]) == "b"
    assert label_text("x", {"x": "ex"}) == "ex" and label_text("y", {}) == "y"
    with pytest.raises(ValueError, match=r"integer labels in \[0, 2\), got 2"):
        label_text(2, ["a", "b"])


def test_single_and_grid_axes():
    fig, ax = single_axes(None, figsize=(3, 2))
    assert tuple(fig.get_size_inches()) == (3, 2) and ax.figure is fig
    assert single_axes(ax) == (fig, ax)
    fig, axes = grid_axes(None, 7, 3, (1, 1))
    assert axes.shape == (3, 3)
    fig, axes = grid_axes(None, 0, 3, (1, 1))
    assert axes.shape == (1, 1)
    given = plt.subplots(1, 2)[1]
    assert grid_axes(given, 2, 5, (1, 1))[1] is given
    assert grid_axes(given[0], 1, 5, (1, 1))[1].shape == (1,)


def test_fitted_attribute():
    dummy = DummyClassifier().fit([[0], [1]], [0, 1])
    pipe = make_pipeline(FunctionTransformer(), dummy)
    assert fitted_attribute(pipe, "classes_") is dummy.classes_
    with pytest.raises(ValueError, match="DummyClassifier has no history_; expected"):
        fitted_attribute(pipe, "history_")
    with pytest.raises(NotFittedError):
        fitted_attribute(DummyClassifier(), "classes_")
