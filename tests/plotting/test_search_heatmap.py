"""SearchHeatmapDisplay: cells, ticks and labels from a search or its results."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from skcnn.plotting import SearchHeatmapDisplay
from tests._helpers import small_cnn


class FakeSearch(BaseEstimator):
    """Stands in for a fitted search with hand-written ``cv_results_``."""

    def __init__(self, cv_results=None):
        self.cv_results = cv_results

    def fit(self, X=None, y=None):
        self.cv_results_ = self.cv_results
        return self


def test_heatmap_from_grid_search(search):
    display = SearchHeatmapDisplay.from_search(search, x="filters", y="dropout")
    results = search.cv_results_
    expected = np.empty((2, 2))
    for i, dropout in enumerate([0.0, 0.25]):
        for j, filters in enumerate([(4,), (6,)]):
            cell = [
                score
                for params, score in zip(
                    results["params"], results["mean_test_score"], strict=True
                )
                if params == {"filters": filters, "dropout": dropout}
            ]
            expected[i, j] = np.mean(cell)
    np.testing.assert_allclose(display.scores, expected)
    np.testing.assert_allclose(display.im_.get_array(), expected)
    texts = [[t.get_text() for t in row] for row in display.text_]
    assert texts == [[format(v, ".3f") for v in row] for row in expected]
    ax = display.ax_
    assert [t.get_text() for t in ax.get_xticklabels()] == ["(4,)", "(6,)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.0", "0.25"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("filters", "dropout")
    assert ax.get_title() == "mean_test_score"
    assert display.colorbar_.mappable is display.im_


def test_heatmap_averages_other_params_and_resolves_suffixes():
    params = [
        {"cnn__filters": f, "cnn__dropout": d, "cnn__epochs": e}
        for f in [(8, 16), (4,)]
        for d in [0.5, 0.1]
        for e in [1, 2]
        if not (f == (4,) and d == 0.5)
    ]
    scores = np.arange(len(params), dtype=float)
    search = FakeSearch({"params": params, "mean_test_score": scores}).fit()
    display = SearchHeatmapDisplay.from_search(search, x="filters", y="cnn__dropout")
    assert display.x_name == "cnn__filters" and display.y_name == "cnn__dropout"
    # Tuples keep first-seen order; numbers are sorted.
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["(8, 16)", "(4,)"]
    assert display.y_values == [0.1, 0.5]
    expected = np.array([[np.mean(scores[2:4]), np.mean(scores[4:6])], [0.5, np.nan]])
    np.testing.assert_allclose(display.scores, expected)
    assert display.text_[1, 1].get_text() == "nan"


def test_from_search_delegates_to_from_cv_results(search, spy):
    calls = spy(SearchHeatmapDisplay, "from_cv_results")
    _, ax = plt.subplots()
    display = SearchHeatmapDisplay.from_search(
        search, x="filters", y="dropout", cmap="magma", ax=ax
    )
    ((results,), kwargs) = calls[0]
    assert len(calls) == 1 and results is search.cv_results_
    assert kwargs == {
        "x": "filters",
        "y": "dropout",
        "score": "mean_test_score",
        "cmap": "magma",
    } | {"ax": ax}
    assert display.im_.get_cmap().name == "magma" and display.ax_ is ax


def test_from_cv_results_dict_and_dataframe(search):
    expected = SearchHeatmapDisplay.from_search(search, x="filters", y="dropout")
    for results in (search.cv_results_, pd.DataFrame(search.cv_results_)):
        display = SearchHeatmapDisplay.from_cv_results(
            results, x="filters", y="dropout", score="mean_fit_time"
        )
        assert display.score_name == "mean_fit_time"
        assert display.x_values == expected.x_values
        assert display.y_values == expected.y_values
        times = np.asarray(search.cv_results_["mean_fit_time"])
        assert np.isclose(np.nanmean(display.scores), times.mean())


def test_constructor_defaults_number_the_cells():
    display = SearchHeatmapDisplay(np.array([[0.1, 0.2, 0.3]])).plot()
    ax = display.ax_
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("", "", "")


def test_arguments_after_scores_are_keyword_only(search):
    with pytest.raises(TypeError):
        SearchHeatmapDisplay(np.zeros((2, 2)), [1, 2], [3, 4], "a", "b", "score")
    with pytest.raises(TypeError):
        SearchHeatmapDisplay.from_search(search, "filters", "dropout")
    with pytest.raises(TypeError):
        SearchHeatmapDisplay(np.zeros((2, 2))).plot("magma")


def test_heatmap_errors(search):
    with pytest.raises(NotFittedError):
        SearchHeatmapDisplay.from_search(
            GridSearchCV(small_cnn(), {"filters": [(4,)]}), x="filters", y="dropout"
        )
    with pytest.raises(ValueError, match=r"'units' is not .*\['dropout', 'filters'\]"):
        SearchHeatmapDisplay.from_search(search, x="units", y="dropout")
    with pytest.raises(ValueError, match="'mean_test_f1' is not a key"):
        SearchHeatmapDisplay.from_search(
            search, x="filters", y="dropout", score="mean_test_f1"
        )
    with pytest.raises(ValueError, match="different parameters"):
        SearchHeatmapDisplay.from_search(search, x="filters", y="filters")
    ambiguous = FakeSearch({"params": [{"a__c": 1, "b__c": 2}], "s": [0.5]}).fit()
    with pytest.raises(ValueError, match=r"'c' is not .*\['a__c', 'b__c'\]"):
        SearchHeatmapDisplay.from_search(ambiguous, x="c", y="a__c", score="s")


@pytest.mark.parametrize("cv_results", [None, 3, {"mean_test_score": [0.5]}])
def test_cv_results_without_params(cv_results):
    with pytest.raises(ValueError, match="cv_results must have a 'params' entry"):
        SearchHeatmapDisplay.from_cv_results(cv_results, x="a", y="b")


def test_constructor_shapes_checked():
    with pytest.raises(ValueError, match=r"scores must have shape .* \(3,\)"):
        SearchHeatmapDisplay(np.zeros(3)).plot()
    with pytest.raises(ValueError, match="x_values has 3 entries .* 2 columns"):
        SearchHeatmapDisplay(np.zeros((1, 2)), x_values=[1, 2, 3]).plot()
    with pytest.raises(ValueError, match="y_values has 2 entries .* 1 rows"):
        SearchHeatmapDisplay(np.zeros((1, 2)), y_values=[1, 2]).plot()
