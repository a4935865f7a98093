"""Docstring paragraphs that several Displays share, written once.

In a Display's docstrings, a line holding only a key in braces, such as
``{ax}``, stands for the entry of that key in :data:`PARAMETERS` (parameter
descriptions) or :data:`BLOCKS` (other blocks: sections, attributes).
:func:`fill_doc` replaces each such line with the entry, indented as the
line was, so that the finished ``__doc__`` is plain numpydoc. An entry may
hold fields, such as ``{n_cols}`` for its default, that each Display fills
in through :func:`fill_doc`'s keyword arguments.
"""

import inspect
import re
import textwrap

PARAMETERS = {
    "images": (
        "images : array-like of shape (n_images, n_pixels), (n_images, height, "
        "width) or (n_images, height, width, channels)\n"
        "    Images or flat pixel rows; flat rows are reshaped with\n"
        "    :func:`~skcnn.preprocessing.infer_image_shape`. Grayscale images are\n"
        "    drawn with ``cmap``; RGB ones as they are, uint8 pixels unchanged\n"
        "    and float pixels clipped to ``[0, 1]``."
    ),
    "class_names": (
        "class_names : sequence of str or dict, default=None\n"
        "    Names shown instead of the labels: a sequence is indexed by integer\n"
        "    labels, a dict maps labels to names (labels it lacks are shown as\n"
        "    they are)."
    ),
    "n_images": (
        "n_images : int, default=10\n    Number of images drawn, from the first."
    ),
    "only_errors": (
        "only_errors : bool, default=False\n"
        "    Whether to draw only misclassified images. If there are none, the\n"
        '    figure shows the note "no misclassified images" instead of a grid\n'
        "    (no error is raised)."
    ),
    "n_cols": (
        "n_cols : int, default={n_cols}\n"
        "    Number of columns of a new grid (fewer when there are fewer panels)."
    ),
    "cmap": (
        'cmap : str or matplotlib Colormap, default="{cmap}"\n'
        "    Colormap of {cmap_of}."
    ),
    "ax": (
        "ax : matplotlib Axes, default=None\n"
        "    Axes to draw on. None creates a figure."
    ),
    "grid_ax": (
        "ax : array-like of matplotlib Axes, default=None\n"
        "    Axes to draw on, at least one per panel; those left over are\n"
        "    hidden. None creates a figure."
    ),
    "panel_ax": (
        "ax : array-like of matplotlib Axes, default=None\n"
        "    One Axes per panel: loss, then accuracy if the history has it.\n"
        "    None creates a figure."
    ),
    "estimator": (
        "estimator : CNNClassifier or Pipeline\n"
        "    A fitted :class:`~skcnn.CNNClassifier` or a pipeline ending in one."
    ),
    "history": (
        "history : dict of str to list of float\n"
        "    Values per epoch as in :attr:`~skcnn.CNNClassifier.history_`: a\n"
        '    ``"loss"`` entry and optionally ``"accuracy"``, ``"val_loss"`` and\n'
        '    ``"val_accuracy"``.'
    ),
    "x": (
        "x : str\n"
        "    Parameter along the x axis (columns): a key of the candidates'\n"
        '    parameters such as ``"cnnclassifier__filters"``, or its unique\n'
        '    ending after ``"__"`` such as ``"filters"``.'
    ),
    "y": (
        "y : str\n"
        "    Parameter along the y axis (rows), named in the same way as ``x``."
    ),
    "score": (
        'score : str, default="mean_test_score"\n'
        "    Key of the search results that holds the score."
    ),
    "values_format": (
        'values_format : str, default=".3f"\n'
        "    Format of the score written in each cell."
    ),
    "alpha": (
        "alpha : float, default=0.5\n"
        "    Opacity of the maps over the images, from 0 (only the images) to 1\n"
        "    (only the maps)."
    ),
    "colorbar": (
        "colorbar : bool, default=True\n"
        "    Whether to draw the maps' colour bar beside the grid."
    ),
}

# Other blocks: what plot and from_* methods return, attributes of the grids.
BLOCKS = {
    "grid_attributes": (
        "ax_ : ndarray of matplotlib Axes\n"
        "    Axes of the grid; those left over are hidden.\n"
        "figure_ : matplotlib Figure\n"
        "    Figure holding the grid."
    ),
    "plot_returns": (
        "Returns\n-------\ndisplay : {display}\n"
        "    The display, with the figure, the Axes and the drawn artists\n"
        "    stored in attributes ending in ``_``."
    ),
    "from_returns": "Returns\n-------\ndisplay : {display}\n    A new display, drawn.",
}

# Parameters that always come together, in this order.
PARAMETERS["grid_plot"] = "\n".join(
    PARAMETERS[k] for k in ("n_cols", "cmap", "grid_ax")
)
PARAMETERS["search"] = "\n".join(PARAMETERS[k] for k in ("x", "y", "score"))

_PLACEHOLDER = re.compile(r"^(?P<indent>[ ]*)\{(?P<key>\w+)\}[ ]*$", re.MULTILINE)


def fill_doc(**fields):
    """Class decorator putting the shared entries into a Display's docstrings.

    It fills the class docstring and those of the functions, class methods
    and static methods defined in the class. ``fields`` fill the entries'
    own fields (``n_cols``, ``cmap``, ``cmap_of``); ``{display}`` is the
    class name.
    """

    def decorate(cls):
        values = {"display": cls.__name__, **fields}
        if cls.__doc__:
            cls.__doc__ = _fill(cls.__doc__, values, cls.__name__)
        for name, member in vars(cls).items():
            function = getattr(member, "__func__", member)
            if inspect.isfunction(function) and function.__doc__:
                where = f"{cls.__name__}.{name}"
                function.__doc__ = _fill(function.__doc__, values, where)
        return cls

    return decorate


def _fill(doc, values, where):
    """``doc`` with each placeholder line replaced by its indented entry."""

    def replace(match):
        key = match["key"]
        template = PARAMETERS.get(key, BLOCKS.get(key))
        if template is None:
            raise KeyError(f"{where}: no shared docstring entry {key!r}.")
        try:
            entry = template.format(**values)
        except KeyError as missing:
            raise KeyError(
                f"{where}: the entry {key!r} needs fill_doc({missing.args[0]}=...)."
            ) from None
        return textwrap.indent(entry, match["indent"])

    return _PLACEHOLDER.sub(replace, doc)
