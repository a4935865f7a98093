"""SearchHeatmapDisplay: a search score over two hyperparameters, as a heat map."""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import single_axes
from ._docstrings import fill_doc


@fill_doc(cmap="viridis", cmap_of="the scores")
class SearchHeatmapDisplay:
    """Heat map of a search score over two hyperparameters.

    Create one with :meth:`from_search` or :meth:`from_cv_results`. All
    parameters are stored as attributes.

    Parameters
    ----------
    scores : array-like of shape (n_y_values, n_x_values)
        Score of each pair of values; NaN where there is none.
    x_values : list, default=None
        Values of the parameter along the x axis (columns), shown as tick
        labels. None numbers the columns from 0.
    y_values : list, default=None
        Values of the parameter along the y axis (rows). None numbers the
        rows from 0.
    x_name : str, default=None
        Name of the x parameter, the x axis label. None draws no label.
    y_name : str, default=None
        Name of the y parameter, the y axis label. None draws no label.
    score_name : str, default=None
        Name of the score, used as the title. None draws no title.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heat map.
    text_ : ndarray of shape (n_y_values, n_x_values), dtype=object
        Text annotating each cell with its score.
    colorbar_ : matplotlib Colorbar
        Colour scale of the scores.
    ax_ : matplotlib Axes
        Axes with the heat map.
    figure_ : matplotlib Figure
        Figure holding the heat map.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn.plotting import SearchHeatmapDisplay
    >>> scores = np.array([[0.80, 0.85], [0.82, 0.90]])
    >>> display = SearchHeatmapDisplay(
    ...     scores, x_values=[(8,), (16,)], y_values=[0.0, 0.25],
    ...     x_name="filters", y_name="dropout", score_name="accuracy",
    ... ).plot()
    >>> display.text_[1, 1].get_text()
    '0.900'
    """

    def __init__(
        self,
        scores,
        *,
        x_values=None,
        y_values=None,
        x_name=None,
        y_name=None,
        score_name=None,
    ):
        self.scores = scores
        self.x_values = x_values
        self.y_values = y_values
        self.x_name = x_name
        self.y_name = y_name
        self.score_name = score_name

    def plot(self, *, cmap="viridis", values_format=".3f", ax=None):
        """Draw the heat map.

        Parameters
        ----------
        {cmap}
        {values_format}
        {ax}

        {plot_returns}
        """
        scores = np.asarray(self.scores, dtype=float)
        if scores.ndim != 2:
            raise ValueError(
                "scores must have shape (n_y_values, n_x_values), got an array "
                f"of shape {scores.shape}."
            )
        x_ticks = _tick_labels(self.x_values, scores.shape[1], "x_values", "columns")
        y_ticks = _tick_labels(self.y_values, scores.shape[0], "y_values", "rows")
        fig, ax = single_axes(ax)
        self.im_ = ax.imshow(scores, cmap=cmap, interpolation="nearest")
        finite = scores[np.isfinite(scores)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        low_color, high_color = self.im_.cmap(0.0), self.im_.cmap(1.0)
        self.text_ = np.empty(scores.shape, dtype=object)
        for (i, j), value in np.ndenumerate(scores):
            color = high_color if value < middle else low_color
            text = format(value, values_format)
            self.text_[i, j] = ax.text(
                j, i, text, ha="center", va="center", color=color
            )
        self.colorbar_ = fig.colorbar(self.im_, ax=ax)
        ax.set_xticks(np.arange(scores.shape[1]))
        ax.set_xticklabels(x_ticks)
        ax.set_yticks(np.arange(scores.shape[0]))
        ax.set_yticklabels(y_ticks)
        ax.set(
            xlabel=self.x_name or "",
            ylabel=self.y_name or "",
            title=self.score_name or "",
        )
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        *,
        x,
        y,
        score="mean_test_score",
        cmap="viridis",
        ax=None,
    ):
        """Draw a score of search results over two of the searched parameters.

        Each cell holds the mean of ``cv_results[score]`` over the candidates
        with that pair of values, whatever their other parameters; NaN where
        no candidate has the pair. Numeric values are sorted, others kept in
        the order first seen and labelled by their ``str``.

        Parameters
        ----------
        cv_results : dict or pandas DataFrame
            Results of a search, as in its ``cv_results_``: a ``"params"``
            entry with the parameters of each candidate, and the scores.
        {search}
        {cmap}
        {ax}

        {from_returns}
        """
        try:
            has_params = "params" in cv_results
        except TypeError:  # not a container
            has_params = False
        if not has_params:
            raise ValueError(
                "cv_results must have a 'params' entry, as a search's cv_results_ "
                f"has; got {type(cv_results).__name__}."
            )
        if score not in cv_results:
            valid = sorted(key for key in cv_results if key.startswith("mean_"))
            raise ValueError(f"{score!r} is not a key of cv_results_; try {valid}.")
        params = list(cv_results["params"])
        names = []
        for candidate in params:
            names.extend(key for key in candidate if key not in names)
        x, y = _resolve_param(x, names), _resolve_param(y, names)
        if x == y:
            raise ValueError(f"x and y must be different parameters, both are {x!r}.")

        x_values, x_keys = _distinct_values(params, x)
        y_values, y_keys = _distinct_values(params, y)
        cells = [[[] for _ in x_values] for _ in y_values]
        values = np.asarray(cv_results[score], dtype=float)
        for candidate, value in zip(params, values, strict=True):
            if x in candidate and y in candidate:
                i = y_keys.index(repr(candidate[y]))
                j = x_keys.index(repr(candidate[x]))
                cells[i][j].append(value)
        scores = np.array([[np.mean(c) if c else np.nan for c in row] for row in cells])
        display = cls(
            scores,
            x_values=x_values,
            y_values=y_values,
            x_name=x,
            y_name=y,
            score_name=score,
        )
        return display.plot(cmap=cmap, ax=ax)

    @classmethod
    def from_search(
        cls,
        search,
        *,
        x,
        y,
        score="mean_test_score",
        cmap="viridis",
        ax=None,
    ):
        """Draw a fitted search's score over two of its parameters.

        The drawing is that of :meth:`from_cv_results` for the search's
        ``cv_results_``.

        Parameters
        ----------
        search : GridSearchCV or RandomizedSearchCV
            A fitted search.
        {search}
        {cmap}
        {ax}

        {from_returns}
        """
        check_is_fitted(search, "cv_results_")
        return cls.from_cv_results(
            search.cv_results_,
            x=x,
            y=y,
            score=score,
            cmap=cmap,
            ax=ax,
        )


def _tick_labels(values, n_ticks, name, items):
    """Tick labels: the ``str`` of each value, or the positions for None."""
    if values is None:
        return [str(i) for i in range(n_ticks)]
    if len(values) != n_ticks:
        raise ValueError(
            f"{name} has {len(values)} entries but there are {n_ticks} {items}."
        )
    return [str(v) for v in values]


def _resolve_param(name, names):
    """Full parameter name for ``name``: itself, or a unique ``__`` ending."""
    if name in names:
        return name
    matches = [key for key in names if key.endswith("__" + name)]
    if len(matches) == 1:
        return matches[0]
    found = f" (it ends {matches})" if matches else ""
    raise ValueError(
        f"{name!r} is not a searched parameter{found}; valid names are {names}."
    )


def _distinct_values(params, name):
    """Values of ``name`` in first-seen order (sorted if numbers), and their keys."""
    values, keys = [], []
    for candidate in params:
        if name in candidate and repr(candidate[name]) not in keys:
            keys.append(repr(candidate[name]))
            values.append(candidate[name])
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        values = sorted(values)
        keys = [repr(v) for v in values]
    return values, keys
