"""ClassDistributionDisplay: the number of images per class, as bars."""

import numpy as np
from sklearn.utils.validation import column_or_1d

from ._base import check_length, label_text, single_axes
from ._docstrings import fill_doc


@fill_doc()
class ClassDistributionDisplay:
    """Bar chart of the number of images per class.

    Create one with :meth:`from_labels`. All parameters are stored as
    attributes.

    Parameters
    ----------
    counts : array-like of shape (n_classes,)
        Number of (training) images of each class.
    labels : array-like of shape (n_classes,), default=None
        Tick label of each class. None numbers the classes from 0.
    counts_test : array-like of shape (n_classes,), default=None
        Number of test images of each class, drawn as a second group of bars.

    Attributes
    ----------
    bars_ : list of matplotlib BarContainer
        One container per group of bars: training, then test.
    ax_ : matplotlib Axes
        Axes with the chart.
    figure_ : matplotlib Figure
        Figure holding the chart.

    Examples
    --------
    >>> from skcnn.plotting import ClassDistributionDisplay
    >>> display = ClassDistributionDisplay.from_labels([0, 1, 1], y_test=[1, 2])
    >>> [float(bar.get_height()) for bar in display.bars_[1]]
    [0.0, 1.0, 1.0]
    >>> display = ClassDistributionDisplay([5, 3], labels=["cat", "dog"]).plot()
    >>> [tick.get_text() for tick in display.ax_.get_xticklabels()]
    ['cat', 'dog']
    """

    def __init__(self, counts, *, labels=None, counts_test=None):
        self.counts = counts
        self.labels = labels
        self.counts_test = counts_test

    def plot(self, *, ax=None):
        """Draw the bar chart.

        Parameters
        ----------
        {ax}

        {plot_returns}
        """
        from matplotlib.ticker import MaxNLocator

        counts = column_or_1d(self.counts)
        n_classes = len(counts)
        labels = check_length(self.labels, n_classes, "labels", items="classes")
        if labels is None:
            labels = np.arange(n_classes)
        counts_test = check_length(
            self.counts_test, n_classes, "counts_test", items="classes"
        )
        fig, ax = single_axes(ax, figsize=(max(4.0, 0.6 * n_classes + 2), 3.5))
        x = np.arange(n_classes)
        if counts_test is None:
            self.bars_ = [ax.bar(x, counts, width=0.8)]
        else:
            self.bars_ = [
                ax.bar(x - 0.2, counts, width=0.4, label="train"),
                ax.bar(x + 0.2, counts_test, width=0.4, label="test"),
            ]
            ax.legend()
        ax.set_xticks(x)
        ax.set_xticklabels([str(label) for label in labels])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(ylabel="number of images", title="Class distribution")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_labels(cls, y, *, y_test=None, class_names=None, ax=None):
        """Count the images of each class and draw the counts.

        Classes are the sorted union of the labels in ``y`` and ``y_test``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels of the (training) images.
        y_test : array-like of shape (n_test_samples,), default=None
            Labels of the test images, drawn as a second group of bars.
        {class_names}
        {ax}

        {from_returns}
        """
        y = column_or_1d(y)
        if len(y) == 0:
            raise ValueError("y must hold at least one label.")
        y_test = None if y_test is None else column_or_1d(y_test)
        classes = np.unique(y if y_test is None else np.concatenate([y, y_test]))
        counts = np.array([np.sum(y == c) for c in classes])
        counts_test = None
        if y_test is not None:
            counts_test = np.array([np.sum(y_test == c) for c in classes])
        labels = [label_text(c, class_names) for c in classes]
        display = cls(counts, labels=labels, counts_test=counts_test)
        return display.plot(ax=ax)
