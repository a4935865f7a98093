"""TrainingHistoryDisplay: panels, lines per epoch, given Axes and errors."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skcnn.plotting import TrainingHistoryDisplay
from tests._helpers import small_cnn


def check_history_panels(display, history):
    assert [ax.get_title() for ax in display.ax_] == ["Loss", "Accuracy"]
    assert all(ax.get_xlabel() == "epoch" for ax in display.ax_)
    for key, ax in zip(["loss", "accuracy"], display.ax_, strict=True):
        lines = display.lines_[key]
        assert len(lines) == 2 and ax.get_lines() == lines
        n_epochs = len(history[key])
        for line, name in zip(lines, [key, "val_" + key], strict=True):
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, n_epochs + 1))
            np.testing.assert_allclose(line.get_ydata(), history[name])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["training", "validation"]


def test_history_from_estimator(fitted):
    display = TrainingHistoryDisplay.from_estimator(fitted)
    assert display.ax_.shape == (2,)
    assert set(display.lines_) == {"loss", "accuracy"}
    check_history_panels(display, fitted.history_)


def test_history_from_pipeline(fitted):
    pipe = Pipeline([("identity", FunctionTransformer()), ("cnn", fitted)])
    check_history_panels(TrainingHistoryDisplay.from_estimator(pipe), fitted.history_)


def test_from_estimator_delegates_to_from_history(fitted, spy):
    calls = spy(TrainingHistoryDisplay, "from_history")
    _, axes = plt.subplots(1, 2)
    display = TrainingHistoryDisplay.from_estimator(fitted, ax=axes)
    assert calls == [((fitted.history_,), {"ax": axes})]
    assert display.history == fitted.history_
    assert display.figure_ is axes[0].figure


def test_history_loss_only_on_given_axes():
    _, ax = plt.subplots()
    display = TrainingHistoryDisplay.from_history({"loss": [3.0, 2.0, 1.5]}, ax=ax)
    assert list(display.lines_) == ["loss"] and len(display.ax_) == 1
    assert display.ax_[0] is ax
    (line,) = display.lines_["loss"]
    np.testing.assert_array_equal(line.get_ydata(), [3.0, 2.0, 1.5])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training"]


def test_arguments_after_history_are_keyword_only():
    _, ax = plt.subplots()
    with pytest.raises(TypeError):
        TrainingHistoryDisplay({"loss": [1.0]}, ax)
    with pytest.raises(TypeError):
        TrainingHistoryDisplay.from_history({"loss": [1.0]}, ax)
    with pytest.raises(TypeError):
        TrainingHistoryDisplay({"loss": [1.0]}).plot(ax)


def test_history_errors():
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(small_cnn())
    with pytest.raises(ValueError, match="'loss' entry"):
        TrainingHistoryDisplay.from_history({"accuracy": [0.5]})
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must hold 2 Axes"):
        TrainingHistoryDisplay.from_history({"loss": [1], "accuracy": [0]}, ax=ax)


def test_fine_tuning_start_is_marked():
    history = {
        "loss": [3.0, 2.0, 1.5, 1.0],
        "accuracy": [0.2, 0.5, 0.7, 0.8],
        "phase": [1.0, 1.0, 2.0, 2.0],
    }
    display = TrainingHistoryDisplay.from_history(history)
    for key, ax in zip(["loss", "accuracy"], display.ax_, strict=True):
        training, marker = display.lines_[key]
        np.testing.assert_allclose(training.get_ydata(), history[key])
        # Between the last epoch of the head (2) and the first fine-tuned one.
        np.testing.assert_allclose(marker.get_xdata(), [2.5, 2.5])
        assert marker.get_linestyle() == "--"
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["training", "fine-tuning"]
    # One phase only: nothing to mark.
    display = TrainingHistoryDisplay.from_history({**history, "phase": [1.0] * 4})
    assert [len(lines) for lines in display.lines_.values()] == [1, 1]
