"""The versions a saved model is stamped with, and the check when it loads.

A fitted model depends on four libraries; a file records their versions
(:func:`current_versions`) and loading it compares them with the running ones
(:func:`check_versions`). The versions are read from the installed
distributions' metadata, so stamping a file never imports TensorFlow.

A fitted estimator that holds a Keras network (``CNNClassifier``,
``ImageEmbedder``) records them in its pickle under :data:`STAMP`. What a
loaded estimator's file recorded is kept aside, not among its attributes
(:func:`remember_versions`, :func:`recorded_versions`), for ``skcnn predict
--verbose``.
"""

import functools
import warnings
import weakref
from importlib import metadata

from .exceptions import InconsistentVersionWarning

#: The distributions whose versions a saved model records, in this order.
LIBRARIES = ("skcnn", "scikit-learn", "keras", "tensorflow")
#: The key of a pickled state holding the versions.
STAMP = "_skcnn_versions"
#: The distributions that provide a library under another name.
_DISTRIBUTIONS = {"tensorflow": ("tensorflow", "tensorflow-cpu")}
#: The versions loaded estimators' files recorded, by estimator: kept out
#: of their attributes, which are the same as before they were saved.
_RECORDED = weakref.WeakKeyDictionary()


def current_versions():
    """The running versions of :data:`LIBRARIES`, as a dict of strings.

    A library that is not installed (TensorFlow may come as
    ``tensorflow-cpu``) is recorded as ``"not installed"``.
    """
    return dict(_installed_versions())


@functools.cache
def _installed_versions():
    # Read once: every pickle of an estimator is stamped (Dask pickles them
    # often), and a process does not change its libraries.
    from ._version import __version__

    versions = {"skcnn": __version__}
    for name in LIBRARIES[1:]:
        for candidate in _DISTRIBUTIONS.get(name, (name,)):
            try:
                versions[name] = metadata.version(candidate)
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            versions[name] = "not installed"
    return versions


def check_versions(saved, what="This model", *, stacklevel=2):
    """Warn with :class:`~skcnn.exceptions.InconsistentVersionWarning` on a mismatch.

    Parameters
    ----------
    saved : dict of str to str or None
        The versions a file recorded. None (a file from before version stamps)
        warns too: nothing can be said about how it was made.
    what : str, default="This model"
        How the message names the model, e.g. its file.

    Returns
    -------
    same : bool
        Whether the saved versions equal the running ones.
    """
    current = current_versions()
    saved = {name: "unknown" for name in LIBRARIES} if saved is None else dict(saved)
    if {name: saved.get(name) for name in LIBRARIES} == current:
        return True
    warnings.warn(
        InconsistentVersionWarning(what, saved, current), stacklevel=stacklevel + 1
    )
    return False


def remember_versions(estimator, versions):
    """Keep the ``versions`` that ``estimator``'s file recorded, while it lives.

    For a loader: ``skcnn predict --verbose`` reports them. An object that
    cannot be weakly referenced or hashed is not kept.
    """
    try:
        _RECORDED[estimator] = dict(versions)
    except TypeError:
        pass


def recorded_versions(estimator):
    """The versions ``estimator``'s file recorded, or None.

    None for an estimator that was not loaded from a file, or whose file
    recorded no versions (saved before skcnn recorded them).
    """
    try:
        versions = _RECORDED.get(estimator)
    except TypeError:  # not hashable, so never kept
        return None
    return None if versions is None else dict(versions)
