"""Docstring text shared by the preprocessing transformers.

A docstring line that holds only ``{name}`` is replaced by the fragment
``name`` below, indented like that line, when :func:`fill_doc` decorates the
class. Each parameter is then described once for every ``fit`` and
``transform`` that takes it.
"""

import re
import textwrap

FRAGMENTS = {
    "fit_sections": """\
Parameters
----------
X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
    Pixel rows or images.
y : None
    Ignored.

Returns
-------
self : object
    The fitted transformer.""",
    "transform_parameters": """\
Parameters
----------
X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
    Pixel rows or images with as many values per sample as in fit.""",
    "input_attributes": """\
n_features_in_ : int
    Number of values per sample seen during :meth:`fit`.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Column names seen during :meth:`fit`, when ``X`` was a DataFrame.""",
}

_MARKER = re.compile(r"^( *)\{(\w+)\}$", flags=re.MULTILINE)


def _fill(doc):
    def replace(match):
        indent, name = match.groups()
        return textwrap.indent(FRAGMENTS[name], indent)

    return _MARKER.sub(replace, doc)


def fill_doc(cls):
    """Fill the shared fragments into ``cls``'s docstring and its methods'."""
    cls.__doc__ = _fill(cls.__doc__)
    for member in vars(cls).values():
        if callable(member) and member.__doc__:
            member.__doc__ = _fill(member.__doc__)
    return cls
