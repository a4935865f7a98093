"""Warnings and errors that skcnn raises about saved models.

The errors about input and hyperparameters are the standard ones
(``ValueError``, ``TypeError`` and scikit-learn's ``InvalidParameterError``);
these are for what files carry.
"""

__all__ = [
    "InconsistentVersionWarning",
    "IncompatibleModelError",
    "ModelFileError",
    "UntrustedTypeError",
]


class InconsistentVersionWarning(UserWarning):
    """A saved model is loaded under other versions than it was saved with.

    Like :class:`sklearn.exceptions.InconsistentVersionWarning`, for the four
    libraries a fitted skcnn model depends on. The model may still work; its
    predictions are not guaranteed to be the same.

    Attributes
    ----------
    saved_versions : dict of str to str
        The versions recorded in the file, by library.
    current_versions : dict of str to str
        The versions running now.
    """

    def __init__(self, what, saved_versions, current_versions):
        self.saved_versions = dict(saved_versions)
        self.current_versions = dict(current_versions)
        super().__init__(
            f"{what} was saved with {format_versions(saved_versions)} and is "
            f"loaded with {format_versions(current_versions)}. It may not "
            "behave as it did; refit it or install the versions it was saved "
            "with."
        )


class IncompatibleModelError(ValueError):
    """A saved model cannot be rebuilt under the running versions.

    The message names the versions the file was saved with and those running
    now; the original error is chained as its ``__cause__``.
    """


class ModelFileError(ValueError):
    """A file is not a skcnn model file, or breaks the rules of its format.

    Raised by :func:`skcnn.io.load` for what it refuses to read: a file
    that is not a zip archive, members with unsafe names or beyond the size
    limits, JSON or arrays it does not expect (object arrays among them),
    and networks holding Python code that Keras's safe mode refuses.
    Nothing stored in the file has run when it is raised.
    """


class UntrustedTypeError(ModelFileError):
    """A model file names classes outside the allow-list of :func:`skcnn.io.load`.

    Attributes
    ----------
    types : list of str
        The classes named in the file that are not trusted, by their import
        path (``"module.Class"``). Pass those you trust to ``load`` as
        ``trusted=``.
    """

    def __init__(self, what, types):
        self.types = sorted(types)
        listed = ", ".join(self.types)
        super().__init__(
            f"{what} names classes that skcnn.io.load does not build by "
            f"default: {listed}. Loading builds each class the file names, "
            "which runs its code: pass trusted=[...] with the names you "
            "trust, if you trust them."
        )


def format_versions(versions):
    """``"skcnn 0.5.0, scikit-learn 1.9.1, ..."`` for a dict of versions."""
    return ", ".join(f"{name} {version}" for name, version in versions.items())
