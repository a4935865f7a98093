"""What the pickle of an estimator holding a Keras network carries, and its check.

``CNNClassifier`` and ``ImageEmbedder`` (and so any joblib file of a
pipeline holding one) pickle through :func:`pack_state` and
:func:`unpack_state`:

* the state records the running versions of skcnn, scikit-learn, Keras and
  TensorFlow (:func:`skcnn._versions.current_versions`) under
  :data:`~skcnn._versions.STAMP`; loading under other versions warns with
  :class:`~skcnn.exceptions.InconsistentVersionWarning` naming both sets,
  and the versions the file recorded are kept aside for the loaded
  estimator (:func:`skcnn._versions.recorded_versions`), not among its
  attributes. A pickle from before versions were recorded loads without a
  warning: nothing can be compared.
* the Keras models among the attributes are packed in the state as their
  own pickle protocol gives them (``Model.__reduce__``: scikeras's, or
  Keras's when scikeras is not imported, a ``.keras`` archive in bytes),
  and rebuilt by ``__setstate__``, not by the unpickler. A network that
  the running Keras cannot rebuild then raises
  :class:`~skcnn.exceptions.IncompatibleModelError`, naming the versions it
  was saved with and the running ones, with Keras's error chained, instead
  of an error from deep inside Keras halfway through unpickling.

This is the one place for both; scikit-learn's own ``_sklearn_version``
check covers scikit-learn's estimators only.
"""

from .._versions import STAMP, check_versions, current_versions, remember_versions
from ..exceptions import IncompatibleModelError, format_versions
from .runtime import keras

__all__ = ["pack_state", "unpack_state"]

#: The state's key holding the packed networks, by attribute name.
NETWORKS = "_skcnn_networks"


def pack_state(state):
    """A copy of the pickled ``state``, stamped, its Keras models packed."""
    state = dict(state)
    networks = {}
    for name, value in list(state.items()):
        if isinstance(value, keras.Model):
            # (rebuild, args): pickled as the network's own pickle would be.
            networks[name] = value.__reduce__()
            del state[name]
    if networks:
        state[NETWORKS] = networks
    state[STAMP] = current_versions()
    return state


def unpack_state(estimator, state):
    """The state to restore in ``estimator``: networks rebuilt, versions checked.

    Parameters
    ----------
    estimator : estimator instance
        The estimator being unpickled; messages name its class.
    state : dict
        What :func:`pack_state` gave (or an older pickle's plain state).

    Returns
    -------
    state : dict
        A copy of ``state`` with the networks rebuilt.

    Raises
    ------
    IncompatibleModelError
        When a network cannot be rebuilt under the running versions.
    """
    what = f"This {type(estimator).__name__}"
    state = dict(state)
    saved = state.pop(STAMP, None)
    for name, (rebuild, args) in state.pop(NETWORKS, {}).items():
        try:
            state[name] = rebuild(*args)
        except Exception as exc:
            raise IncompatibleModelError(_cannot_rebuild(what, saved, exc)) from exc
    if saved is not None:
        remember_versions(estimator, saved)
        check_versions(saved, what, stacklevel=4)
    return state


def _cannot_rebuild(what, saved, exc):
    cause = str(exc).strip().splitlines()
    cause = f"{type(exc).__name__}: {cause[0]}" if cause else type(exc).__name__
    recorded = (
        "versions it did not record"
        if saved is None
        else format_versions({k: saved.get(k, "unknown") for k in current_versions()})
    )
    return (
        f"{what} cannot be loaded: its Keras network, saved with {recorded}, "
        f"cannot be rebuilt with {format_versions(current_versions())} "
        f"({cause}). Load it where the versions it was saved with are "
        "installed, or fit it again."
    )
