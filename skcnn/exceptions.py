"""Warnings and errors that skcnn raises about saved models.

The errors about input and hyperparameters are the standard ones
(``ValueError``, ``TypeError`` and scikit-learn's ``InvalidParameterError``);
these are for what files carry.
"""

__all__ = ["InconsistentVersionWarning", "IncompatibleModelError"]


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


def format_versions(versions):
    """``"skcnn 0.5.0, scikit-learn 1.9.1, ..."`` for a dict of versions."""
    return ", ".join(f"{name} {version}" for name, version in versions.items())
