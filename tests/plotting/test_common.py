"""What holds for every Display: exports, keyword-only arguments, one drawing path."""

import inspect
import subprocess
import sys

import numpy as np
import pytest

from skcnn import plotting
from skcnn.plotting import (
    ClassDistributionDisplay,
    ConvFiltersDisplay,
    ImageGridDisplay,
    SaliencyDisplay,
    SearchHeatmapDisplay,
    TrainingHistoryDisplay,
)

DISPLAYS = [
    ClassDistributionDisplay,
    ConvFiltersDisplay,
    ImageGridDisplay,
    SaliencyDisplay,
    SearchHeatmapDisplay,
    TrainingHistoryDisplay,
]


def test_every_display_is_exported_from_its_own_module():
    exported = {name for name in plotting.__all__ if name.endswith("Display")}
    assert exported == {d.__name__ for d in DISPLAYS} | {"ConfusionMatrixDisplay"}
    modules = {d.__module__ for d in DISPLAYS}
    assert len(modules) == len(DISPLAYS)
    assert all(m.startswith("skcnn.plotting._") for m in modules)


@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_constructor_takes_the_data_then_keywords(display):
    params = list(inspect.signature(display.__init__).parameters.values())[1:]
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:])
    with pytest.raises(TypeError):
        display(*[None] * (len(params) + 1))


@pytest.mark.parametrize("display", DISPLAYS, ids=lambda d: d.__name__)
def test_plot_and_from_methods_take_options_by_keyword(display):
    plot = inspect.signature(display.plot).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(plot)[1:])
    for name in vars(display):
        if name.startswith("from_"):
            ax = inspect.signature(getattr(display, name)).parameters["ax"]
            assert ax.kind is inspect.Parameter.KEYWORD_ONLY, name


def _calls(X, y, fitted, search):
    """One call of every from_* method."""
    return {
        "ImageGridDisplay.from_images": lambda: ImageGridDisplay.from_images(X, y),
        "ImageGridDisplay.from_predictions": lambda: ImageGridDisplay.from_predictions(
            X, y, np.roll(y, 1), only_errors=True
        ),
        "ImageGridDisplay.from_estimator": lambda: ImageGridDisplay.from_estimator(
            fitted, X / 255, y, images=X
        ),
        "ClassDistributionDisplay.from_labels": lambda: (
            ClassDistributionDisplay.from_labels(y[:200], y_test=y[200:])
        ),
        "TrainingHistoryDisplay.from_history": lambda: (
            TrainingHistoryDisplay.from_history(fitted.history_)
        ),
        "TrainingHistoryDisplay.from_estimator": lambda: (
            TrainingHistoryDisplay.from_estimator(fitted)
        ),
        "ConvFiltersDisplay.from_estimator": lambda: ConvFiltersDisplay.from_estimator(
            fitted
        ),
        "ConvFiltersDisplay.from_estimator(image)": lambda: (
            ConvFiltersDisplay.from_estimator(fitted, image=X[0] / 255)
        ),
        "SaliencyDisplay.from_predictions": lambda: SaliencyDisplay.from_predictions(
            X, np.ones((len(X), 8, 8)), y_true=y, y_pred=np.roll(y, 1)
        ),
        "SaliencyDisplay.from_estimator": lambda: SaliencyDisplay.from_estimator(
            fitted, X[:3] / 255, y[:3], n_images=3
        ),
        "SearchHeatmapDisplay.from_search": lambda: SearchHeatmapDisplay.from_search(
            search, x="filters", y="dropout"
        ),
        "SearchHeatmapDisplay.from_cv_results": lambda: (
            SearchHeatmapDisplay.from_cv_results(
                search.cv_results_, x="filters", y="dropout"
            )
        ),
    }


CALL_NAMES = list(_calls(None, None, None, None))


def test_every_from_method_is_called_here():
    methods = {
        f"{d.__name__}.{name}" for d in DISPLAYS for name in vars(d) if "from_" in name
    }
    assert methods == {name.split("(")[0] for name in CALL_NAMES}


@pytest.mark.parametrize("name", CALL_NAMES)
def test_every_from_method_draws_through_plot_once_and_saves(
    name, digits, fitted, search, tmp_path, monkeypatch
):
    X, y = digits
    display = getattr(plotting, name.split(".")[0])
    calls = []
    original = display.plot

    def plot(self, **kwargs):
        calls.append(self)
        return original(self, **kwargs)

    monkeypatch.setattr(display, "plot", plot)
    drawn = _calls(X, y, fitted, search)[name]()
    assert type(drawn) is display and calls == [drawn]
    path = tmp_path / "picture.png"
    drawn.figure_.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_confusion_matrix_display_is_scikit_learns(fitted, digits_scaled):
    import sklearn.metrics

    from skcnn.plotting import ConfusionMatrixDisplay

    assert ConfusionMatrixDisplay is sklearn.metrics.ConfusionMatrixDisplay
    X, y = digits_scaled
    display = ConfusionMatrixDisplay.from_estimator(fitted, X, y)
    assert display.confusion_matrix.sum() == len(y)


@pytest.mark.slow
def test_import_loads_neither_pyplot_nor_tensorflow():
    code = (
        "import sys, skcnn.plotting; "
        "print('matplotlib.pyplot' in sys.modules, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
