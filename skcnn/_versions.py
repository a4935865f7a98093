"""The versions a saved model is stamped with, and the check when it loads.

A fitted model depends on four libraries; a file records their versions
(:func:`current_versions`) and loading it compares them with the running ones
(:func:`check_versions`). The versions are read from the installed
distributions' metadata, so stamping a file never imports TensorFlow.
"""

import warnings
from importlib import metadata

from .exceptions import InconsistentVersionWarning

#: The distributions whose versions a saved model records, in this order.
LIBRARIES = ("skcnn", "scikit-learn", "keras", "tensorflow")
#: The distributions that provide a library under another name.
_DISTRIBUTIONS = {"tensorflow": ("tensorflow", "tensorflow-cpu")}


def current_versions():
    """The running versions of :data:`LIBRARIES`, as a dict of strings.

    A library that is not installed (TensorFlow may come as
    ``tensorflow-cpu``) is recorded as ``"not installed"``.
    """
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
