"""TrainingHistoryDisplay: loss and accuracy of a network per epoch."""

import numpy as np

from ._base import fitted_attribute, pyplot
from ._docstrings import fill_doc


@fill_doc()
class TrainingHistoryDisplay:
    """Loss and accuracy of a network per training epoch.

    Create one with :meth:`from_estimator` or :meth:`from_history`. All
    parameters are stored as attributes.

    Parameters
    ----------
    {history}

    Attributes
    ----------
    lines_ : dict of str to list of matplotlib Line2D
        Lines of each panel, ``"loss"`` and (when drawn) ``"accuracy"``: the
        training line, then the validation line if there is one.
    ax_ : ndarray of matplotlib Axes
        The loss panel, then the accuracy panel if there is one.
    figure_ : matplotlib Figure
        Figure holding the panels.

    Examples
    --------
    >>> from skcnn.plotting import TrainingHistoryDisplay
    >>> history = {"loss": [1.2, 0.8, 0.6], "accuracy": [0.5, 0.7, 0.8]}
    >>> display = TrainingHistoryDisplay.from_history(history)
    >>> len(display.ax_), list(display.lines_)
    (2, ['loss', 'accuracy'])
    """

    def __init__(self, history):
        self.history = history

    def plot(self, *, ax=None):
        """Draw a loss panel and, if there is an accuracy entry, an accuracy panel.

        Each panel has a training line and, when the history has the
        matching ``val_`` entry, a validation line. When the history has a
        ``"phase"`` entry (a fit around a pretrained backbone), a dashed
        vertical line marks where fine-tuning starts.

        Parameters
        ----------
        {panel_ax}

        {plot_returns}
        """
        from matplotlib.ticker import MaxNLocator

        history = self.history
        if "loss" not in history:
            raise ValueError(
                f"history must have a 'loss' entry, got entries {sorted(history)}."
            )
        panels = ["loss"] + (["accuracy"] if "accuracy" in history else [])
        fig, axes = _panel_axes(ax, panels)

        self.lines_ = {}
        for key, panel in zip(panels, axes, strict=True):
            self.lines_[key] = []
            for name, label in ((key, "training"), ("val_" + key, "validation")):
                if name in history:
                    values = np.asarray(history[name], dtype=float)
                    epochs = np.arange(1, len(values) + 1)
                    line = panel.plot(epochs, values, marker=".", label=label)
                    self.lines_[key].extend(line)
            start = _fine_tuning_start(history)
            if start is not None:
                self.lines_[key].append(
                    panel.axvline(
                        start - 0.5, color="0.5", linestyle="--", label="fine-tuning"
                    )
                )
            panel.set(title=key.capitalize(), xlabel="epoch", ylabel=key)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            panel.legend()
        self.ax_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_history(cls, history, *, ax=None):
        """Draw a history dict such as :attr:`~skcnn.CNNClassifier.history_`.

        Parameters
        ----------
        {history}
        {panel_ax}

        {from_returns}
        """
        return cls(dict(history)).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Draw the training history of a fitted classifier.

        The drawing is that of :meth:`from_history` for its ``history_``.

        Parameters
        ----------
        {estimator}
        {panel_ax}

        {from_returns}
        """
        return cls.from_history(fitted_attribute(estimator, "history_"), ax=ax)


def _fine_tuning_start(history):
    """The 1-based epoch where phase 2 starts, or None."""
    phases = np.asarray(history.get("phase", []), dtype=float)
    second = np.flatnonzero(phases == 2)
    return int(second[0]) + 1 if second.size else None


def _panel_axes(ax, panels):
    """``(figure, axes)``: one new or given Axes per panel, in a row."""
    if ax is None:
        fig, axes = pyplot().subplots(
            1,
            len(panels),
            figsize=(5 * len(panels), 3.8),
            squeeze=False,
            layout="constrained",
        )
        return fig, axes[0]
    axes = np.asarray(ax, dtype=object).reshape(-1)
    if axes.size != len(panels):
        raise ValueError(
            f"ax must hold {len(panels)} Axes, one per panel "
            f"({', '.join(panels)}), got {axes.size}."
        )
    return axes[0].figure, axes
