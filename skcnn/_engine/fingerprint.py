"""What identifies a fit: the key its checkpoint is stored under.

A checkpoint may be resumed only by the fit that wrote it: the same
training data, sample weights and hyperparameters, the same starting point
and the same library versions. :func:`fit_fingerprint` hashes all of these
into one SHA-256 digest. Fits that differ in any of them (the clones of a
grid search sharing one checkpoint folder, the folds of a cross-validation)
get different digests, so their checkpoints never collide.

What goes in:

* the training images, labels and sample weights as the network gets them
  (after validation, without the samples of weight zero), hashed in place
  without a copy; for an :class:`~skcnn.preprocessing.ImageStream`, its
  files (absolute path, size, modification time) and decoding settings;
* every hyperparameter but those that change nothing the fit computes
  (``checkpoint``, ``checkpoint_every``, the verbosity and ``predict__*``
  and ``score__*`` routed parameters). Values that are not plain data are
  described by what decides their effect: a Keras model or a fitted
  estimator by its weights, an optimizer, loss or metric by its
  configuration, a file by its identity, a function by its name and code,
  any other object (a callback, a distribution strategy) by its type;
* the fit's seed, unless ``random_state`` is None (a rerun then adopts the
  seed of the checkpoint it resumes), its epochs and ``Model.fit``
  arguments;
* for a ``warm_start`` fit, the weights and optimizer state it starts from;
* the versions of skcnn, scikit-learn, Keras and TensorFlow.
"""

import hashlib
import json
import numbers
import os

import numpy as np

from .._validation import is_stream
from .._versions import current_versions

__all__ = ["fit_fingerprint", "variables_digest"]

# Format of the description; changing what is hashed changes it.
_FORMAT = 1

# Parameters that change nothing a fit computes.
_IGNORED = frozenset({"checkpoint", "checkpoint_every", "verbose"})
_IGNORED_PREFIXES = ("predict__", "score__")

# Rows hashed at a time from an array that is not contiguous (one copy of
# this many rows at most).
_CHUNK_BYTES = 1 << 24


def fit_fingerprint(estimator, X, y, plan, *, reuse):
    """The hex SHA-256 digest that identifies a fit of ``estimator``.

    Parameters
    ----------
    estimator : KerasImageClassifier
        The estimator being fitted.
    X : ndarray or ImageStream
        Validated training images.
    y : ndarray
        Training labels.
    plan : FitPlan
        The fit's plan: seed, epochs, sample weights, ``Model.fit`` arguments.
    reuse : bool
        Whether the fit continues from the estimator's current network.

    Returns
    -------
    fingerprint : str
        64 hexadecimal digits.
    """
    params = estimator.get_params(deep=False)
    description = {
        "format": _FORMAT,
        "estimator": _qualname(type(estimator)),
        "params": {
            name: _describe(value)
            for name, value in sorted(params.items())
            if not _ignored(name)
        },
        "seed": None if params.get("random_state") is None else int(plan.seed),
        "epochs": int(plan.epochs),
        "first_epoch": int(plan.first_epoch),
        "classes": _describe(plan.classes),
        "fit_args": _describe(
            {k: v for k, v in plan.fit_args.items() if k != "verbose"}
        ),
        "start": "warm_start" if reuse else "new",
        "versions": current_versions(),
    }
    digest = hashlib.sha256()
    digest.update(json.dumps(description, sort_keys=True).encode())
    for part, value in (("X", X), ("y", y), ("sample_weight", plan.sample_weight)):
        digest.update(part.encode())
        _update_data(digest, value)
    if reuse:
        model = estimator.model_
        digest.update(b"start")
        digest.update(variables_digest(model.variables).encode())
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and optimizer.built:
            digest.update(variables_digest(optimizer.variables).encode())
    return digest.hexdigest()


def variables_digest(variables):
    """The hex SHA-256 digest of the values of Keras variables, in order."""
    digest = hashlib.sha256()
    for variable in variables:
        _update_array(digest, np.asarray(variable))
    return digest.hexdigest()


def _ignored(name):
    return (
        name in _IGNORED
        or name.endswith("__verbose")
        or name.startswith(_IGNORED_PREFIXES)
    )


def _qualname(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


def _update_data(digest, value):
    if value is None:
        digest.update(b"none")
    elif is_stream(value):
        _update_stream(digest, value)
    else:
        _update_array(digest, value)


def _update_array(digest, array):
    """Hash ``array``'s dtype, shape and values, without copying it whole."""
    array = np.asarray(array)
    digest.update(f"{array.dtype.str}{array.shape}".encode())
    if array.dtype.hasobject:
        # Pointers are not values: object arrays (string labels) by repr.
        for item in array.ravel():
            digest.update(repr(item).encode() + b"\0")
        return
    if array.size == 0:
        return
    if array.flags.c_contiguous:
        digest.update(memoryview(array.reshape(-1).view(np.uint8)))
        return
    rows = max(1, _CHUNK_BYTES // max(1, array[:1].nbytes))
    for start in range(0, len(array), rows):
        chunk = np.ascontiguousarray(array[start : start + rows])
        digest.update(memoryview(chunk.reshape(-1).view(np.uint8)))


def _update_stream(digest, stream):
    """Hash what decides a stream's pixels: its files and decoding settings."""
    settings = {
        "image_size": list(stream.image_size),
        "color_mode": stream.color_mode,
        "keep_aspect": stream.keep_aspect,
        "shape": list(stream.shape),
        "dtype": stream.dtype.str,
        # The scaling a PixelScaler put on the stream.
        "steps": [
            [
                _describe(step.divisor),
                _describe(step.offset),
                np.dtype(step.dtype).str,
            ]
            for step in getattr(stream, "_steps", ())
        ],
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for path in stream.paths:
        digest.update(json.dumps(_file_identity(path)).encode())


def _file_identity(path):
    """A file by its absolute path, size and modification time."""
    path = os.path.abspath(os.fspath(path))
    try:
        stat = os.stat(path)
    except OSError:
        return [path, None, None]
    return [path, stat.st_size, stat.st_mtime_ns]


def _describe(value):
    """A JSON-able description of ``value`` that is the same in every process."""
    from .runtime import keras

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if os.path.isfile(value):  # a backbone's or a weights file's path
            return {"file": _file_identity(value)}
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [_describe(item) for item in value]]
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda item: repr(item[0]))
        return {"dict": [[_describe(k), _describe(v)] for k, v in items]}
    if isinstance(value, np.ndarray) or is_stream(value):
        digest = hashlib.sha256()
        _update_data(digest, value)
        return {"data": digest.hexdigest()}
    if isinstance(value, np.generic):
        return _describe(value.item())
    if isinstance(value, os.PathLike):
        return {"file": _file_identity(value)}
    if isinstance(value, np.random.RandomState):
        return "RandomState"  # the fit's seed, drawn from it, is hashed
    if isinstance(value, keras.Model):
        return {"model": _qualname(type(value)), "weights": _weights(value)}
    if hasattr(value, "get_params") and hasattr(value, "fit"):
        described = {
            "estimator": _qualname(type(value)),
            "params": _describe(value.get_params(deep=False)),
        }
        model = getattr(value, "model_", None)
        if model is not None:
            described["weights"] = _weights(model)
        return described
    if hasattr(value, "get_config") and not isinstance(value, type):
        try:
            config = value.get_config()
        except Exception:  # a configuration Keras cannot give: the type alone
            config = None
        return {"object": _qualname(type(value)), "config": _describe(config)}
    if callable(value):
        code = getattr(value, "__code__", None)
        described = {"callable": _qualname(value)}
        if code is not None:
            described["code"] = hashlib.sha256(code.co_code).hexdigest()
        return described
    # A callback, a distribution strategy: by its type (its repr may hold
    # an address, which differs from one process to the next).
    return {"object": _qualname(type(value))}


def _weights(model):
    return variables_digest(model.weights)
