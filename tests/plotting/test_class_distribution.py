"""ClassDistributionDisplay: bar heights, tick labels, train and test groups."""

import numpy as np
import pytest

from skcnn.plotting import ClassDistributionDisplay


def test_class_distribution_train_only(digits):
    _, y = digits
    display = ClassDistributionDisplay.from_labels(y)
    assert len(display.bars_) == 1
    heights = [bar.get_height() for bar in display.bars_[0]]
    assert heights == list(np.bincount(y))
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == list(
        map(str, range(10))
    )
    assert display.ax_.get_legend() is None
    assert display.ax_.get_ylabel() == "number of images"
    assert display.ax_.get_title() == "Class distribution"


def test_class_distribution_train_and_test():
    y = ["cat", "dog", "dog", "cat", "dog"]
    y_test = ["dog", "bird"]
    display = ClassDistributionDisplay.from_labels(
        y, y_test=y_test, class_names={"bird": "Bird"}
    )
    assert len(display.bars_) == 2
    assert [b.get_height() for b in display.bars_[0]] == [0, 2, 3]
    assert [b.get_height() for b in display.bars_[1]] == [1, 0, 1]
    train_x = [b.get_x() + b.get_width() / 2 for b in display.bars_[0]]
    test_x = [b.get_x() + b.get_width() / 2 for b in display.bars_[1]]
    assert all(a < b for a, b in zip(train_x, test_x, strict=True))
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == ["Bird", "cat", "dog"]
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["train", "test"]


def test_class_distribution_empty_labels():
    with pytest.raises(ValueError, match="at least one label"):
        ClassDistributionDisplay.from_labels([])


def test_constructor_without_labels_numbers_the_classes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    display = ClassDistributionDisplay([4, 0, 2]).plot(ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
    assert [b.get_height() for b in display.bars_[0]] == [4, 0, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]


def test_constructor_arguments_after_counts_are_keyword_only():
    with pytest.raises(TypeError):
        ClassDistributionDisplay([1, 2], ["a", "b"])
    with pytest.raises(TypeError):
        ClassDistributionDisplay.from_labels([0, 1], [1, 1])


def test_constructor_lengths_checked():
    with pytest.raises(ValueError, match="labels has 3 entries .* 2 classes"):
        ClassDistributionDisplay([1, 2], labels=["a", "b", "c"]).plot()
    with pytest.raises(ValueError, match="counts_test has 1 entries .* 2 classes"):
        ClassDistributionDisplay([1, 2], counts_test=[1]).plot()
