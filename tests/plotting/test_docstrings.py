"""Shared docstring entries: filled in place, valid numpydoc, defaults that match."""

import inspect
import re

import numpydoc.docscrape as numpydoc
import pytest

from skcnn import plotting
from skcnn.plotting._docstrings import BLOCKS, PARAMETERS, fill_doc

DISPLAYS = [
    getattr(plotting, name)
    for name in plotting.__all__
    if getattr(plotting, name).__module__.startswith("skcnn")
]
METHODS = [
    (display, name)
    for display in DISPLAYS
    for name, member in vars(display).items()
    if name == "plot" or name.startswith("from_")
]


def test_fill_doc_indents_entries_as_their_placeholder():
    @fill_doc(n_cols=4)
    class Shown:
        """Top.

        Parameters
        ----------
        {ax}
        """

        def plot(self, *, n_cols=4):
            """Draw.

            Parameters
            ----------
            {n_cols}
            """

    assert Shown.__doc__.splitlines()[-3:-1] == [
        "        ax : matplotlib Axes, default=None",
        "            Axes to draw on. None creates a figure.",
    ]
    params = numpydoc.FunctionDoc(Shown.plot)["Parameters"]
    assert [(p.name, p.type) for p in params] == [("n_cols", "int, default=4")]


def test_fill_doc_leaves_other_braces_alone():
    @fill_doc()
    class Braces:
        """A dict {label: name} and {"loss": [1]} stay.

        {not a placeholder}
        """

    assert '{label: name} and {"loss": [1]}' in Braces.__doc__
    assert "{not a placeholder}" in Braces.__doc__


def test_fill_doc_errors_name_the_docstring():
    with pytest.raises(KeyError, match="Bad: no shared docstring entry 'nope'"):

        @fill_doc()
        class Bad:
            """{nope}"""

    with pytest.raises(KeyError, match=r"Bad.plot: the entry 'cmap' needs fill_doc"):

        @fill_doc(cmap="gray")
        class Bad:  # noqa: F811
            def plot(self):
                """{cmap}"""


@pytest.mark.parametrize("key", list(PARAMETERS))
def test_entries_are_numpydoc_parameters(key):
    entry = PARAMETERS[key].format(n_cols=5, cmap="gray", cmap_of="images")
    params = numpydoc.NumpyDocString(f"Parameters\n----------\n{entry}\n")
    names = [p.name for p in params["Parameters"]]
    assert names == re.findall(r"^(\w+) :", entry, re.MULTILINE)
    assert all(p.desc for p in params["Parameters"])
    assert names == [key] or key in ("grid_plot", "search", "grid_ax", "panel_ax")


def test_blocks_are_numpydoc():
    returns = BLOCKS["from_returns"].format(display="ImageGridDisplay")
    (value,) = numpydoc.NumpyDocString(returns)["Returns"]
    assert (value.name, value.type) == ("display", "ImageGridDisplay")
    attributes = numpydoc.NumpyDocString(
        "Attributes\n----------\n" + BLOCKS["grid_attributes"]
    )["Attributes"]
    assert [a.name for a in attributes] == ["ax_", "figure_"]


def _docstrings():
    for display in DISPLAYS:
        yield display.__name__, display.__doc__
        for display_, name in METHODS:
            if display_ is display:
                yield f"{display.__name__}.{name}", getattr(display, name).__doc__


@pytest.mark.parametrize("name, doc", list(_docstrings()))
def test_no_placeholder_left(name, doc):
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.MULTILINE), name


def _documented_default(param_type):
    match = re.search(r"default=(.+)$", param_type)
    return match and match.group(1)


@pytest.mark.parametrize(
    "display, name", METHODS, ids=[f"{d.__name__}.{n}" for d, n in METHODS]
)
def test_documented_defaults_match_the_signature(display, name):
    method = getattr(display, name)
    documented = {
        p.name: _documented_default(p.type)
        for p in numpydoc.FunctionDoc(method)["Parameters"]
    }
    for param in inspect.signature(method).parameters.values():
        if param.default is inspect.Parameter.empty:
            continue
        default = param.default
        expected = f'"{default}"' if isinstance(default, str) else repr(default)
        assert documented[param.name] == expected, f"{name}({param.name})"
