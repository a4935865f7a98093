"""Tests for the shared docstring fragments (skcnn.preprocessing._docs)."""

import numpydoc.docscrape as numpydoc
import pytest

from skcnn.preprocessing import ImageReshaper, PixelScaler
from skcnn.preprocessing._docs import FRAGMENTS, fill_doc


def test_fill_doc_indents_fragments_like_the_marker_line():
    @fill_doc
    class Example:
        """Example.

        Attributes
        ----------
        {input_attributes}
        """

        def fit(self, X, y=None):
            """Fit.

            {fit_sections}
            """

    assert "{" not in Example.__doc__ and "{" not in Example.fit.__doc__
    params = numpydoc.FunctionDoc(Example.fit)["Parameters"]
    assert [p.name for p in params] == ["X", "y"]
    assert params[0].type.startswith("array-like of shape (n_samples, n_features)")
    assert params[0].desc == ["Pixel rows or images."]
    attributes = numpydoc.ClassDoc(Example)["Attributes"]
    assert [a.name for a in attributes] == ["n_features_in_", "feature_names_in_"]
    assert [r.name for r in numpydoc.FunctionDoc(Example.fit)["Returns"]] == ["self"]


def test_fill_doc_leaves_braces_inside_text_alone():
    @fill_doc
    class Example:
        """Method in {"a", "b"}; {not_a_marker} inside a line stays."""

    assert Example.__doc__ == (
        """Method in {"a", "b"}; {not_a_marker} inside a line stays."""
    )


def test_fill_doc_unknown_fragment_is_an_error():
    with pytest.raises(KeyError, match="no_such_fragment"):

        @fill_doc
        class Example:
            """Example.

            {no_such_fragment}
            """


@pytest.mark.parametrize(
    "method, fragment",
    [
        (ImageReshaper.fit, "fit_sections"),
        (PixelScaler.fit, "fit_sections"),
        (ImageReshaper.transform, "transform_parameters"),
        (PixelScaler.transform, "transform_parameters"),
    ],
)
def test_transformers_share_the_fragments(method, fragment):
    first_line = FRAGMENTS[fragment].splitlines()[0]
    assert first_line in method.__doc__
    assert "{" + fragment + "}" not in method.__doc__
