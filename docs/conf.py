"""Sphinx configuration for the skcnn documentation.

Build (warnings are errors; the gallery examples are executed)::

    .venv/bin/python -m sphinx -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to render the gallery without running the examples.
The build needs no network access.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # examples and doctests draw without a display

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # import the checkout, not an installed copy

import skcnn  # noqa: E402

# -- Project information ---------------------------------------------------
project = "skcnn"
author = "The skcnn developers"
copyright = "The skcnn developers, BSD 3-Clause License"
release = skcnn.__version__
version = ".".join(release.split(".")[:2])

# -- General configuration -------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]
# No sphinx.ext.intersphinx: the build must work offline, and intersphinx
# downloads the other projects' inventories.

# Markdown (MyST) for the pages kept as Markdown in the repository:
# performance.md and the changelog (CHANGES.md), so they exist once.
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "images",  # PNGs used by README.md and the pages; not sources
    "Thumbs.db",
    ".DS_Store",
]
default_role = "literal"  # `x` is code, as ``x``
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # types are in the numpydoc sections
autodoc_member_order = "groupwise"

numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()  # no numpydoc style validation

# Methods every scikit-learn estimator inherits for metadata routing
# (get_metadata_routing, set_fit_request, set_score_request, ...) and pandas
# output (set_output) are left out of the class pages: their docstrings link
# to labels of scikit-learn's own documentation (:ref:`metadata_routing`,
# :term:`meta-estimator`, ...), which are undefined here and would fail the
# -W build. api.rst points to scikit-learn's documentation for them instead.
_SKLEARN_GENERIC_MODULES = (
    "sklearn.utils._metadata_requests",
    "sklearn.utils._set_output",
)


# scikeras's hooks for its own subclasses, which CNNClassifier does not use
# (it encodes labels and scores by itself): documenting them would mislead.
_SCIKERAS_UNUSED_HOOKS = {"feature_encoder", "target_encoder", "scorer"}


def _skip_inherited_noise(app, what, name, obj, skip, options):
    if what != "class":
        return None
    module = getattr(getattr(obj, "fget", obj), "__module__", "") or ""
    if name.startswith("set_") and name.endswith("_request"):
        return True  # generated per estimator by sklearn's RequestMethod
    if module.startswith(_SKLEARN_GENERIC_MODULES):
        return True
    if name in _SCIKERAS_UNUSED_HOOKS and module.startswith("scikeras"):
        return True
    return None


# Docstring problem in skcnn/ (to be fixed there; then drop this hook): the
# Attributes type "ndarray of shape (n_features_in_,)" of CNNClassifier,
# ImageReshaper and PixelScaler is read by docutils as a hyperlink reference
# to a target "n_features_in" ("Unknown target name"). scikit-learn writes it
# "(`n_features_in_`,)". Quote exactly that text, nothing else.
_UNQUOTED_SHAPE = "of shape (n_features_in_,)"


def _quote_n_features_in(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if _UNQUOTED_SHAPE in line:
            lines[i] = line.replace(_UNQUOTED_SHAPE, "of shape (``n_features_in_``,)")


def setup(app):
    app.connect("autodoc-skip-member", _skip_inherited_noise)
    # Before numpydoc (priority 500) turns the docstring into reST.
    app.connect("autodoc-process-docstring", _quote_n_features_in, priority=100)


# -- Sphinx-Gallery ----------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Only plot_*.py scripts are executed; the others are rendered as code.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"quickstart_mnist\.py|__init__\.py",
    "abort_on_example_error": True,
    # Overridable from the command line: -D plot_gallery=0 skips execution.
    "plot_gallery": "True",
    "image_scrapers": ("matplotlib",),
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "show_signature": False,
    "min_reported_time": 1,
    # No sg_execution_times.rst (it would land in docs/ itself, untracked).
    "write_computation_times": False,
    # "Examples using X" lists on the API pages (see _templates/autosummary).
    "doc_module": ("skcnn",),
    "backreferences_dir": "generated/backreferences",
}

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skcnn {release}"
html_theme_options = {
    # Nothing that needs the network at build or view time: no icon links,
    # no version switcher, no analytics.
    "icon_links": [],
    "navbar_end": ["theme-switcher"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "quickstart": [], "changelog": []}
html_static_path = []
html_show_sourcelink = True
html_last_updated_fmt = None
