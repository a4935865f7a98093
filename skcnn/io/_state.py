"""Estimators, parameters and fitted attributes as JSON, with their exact types.

JSON holds None, bools, ints, finite floats, strings, lists and objects with
string keys; every other value a model file stores is a JSON object with
the marker key ``"__skcnn__"`` naming its kind, and exactly the keys of that
kind (a user's dict that happens to hold the marker key is stored as a
``"dict"``, so that nothing else can look like a marker):

=============  =========================================  ====================
kind           keys                                       value
=============  =========================================  ====================
``tuple``      ``items``                                  a tuple
``dict``       ``items`` (``[key, value]`` pairs)         a dict with keys of
                                                          any stored type
``float``      ``value``: ``"nan"``, ``"inf"``, ``"-inf"``  a non-finite float
``scalar``     ``dtype``, ``value``                       a NumPy scalar
``dtype``      ``value`` (``"<f4"``)                      a NumPy dtype
``class``      ``name`` (``"numpy.float32"``)             a class, not called
``path``       ``value``                                  a ``pathlib.Path``
``array``      ``file``, ``object``                       a NumPy array, from
                                                          ``arrays/N.npy``
``network``    ``file``                                   a Keras model, from
                                                          ``networks/N.keras``
``estimator``  ``class``, ``params``, ``state``           an estimator
=============  =========================================  ====================

Arrays hold numbers, bools or strings (``<U``); an object array of Python
strings (scikit-learn's ``feature_names_in_``) is stored as ``<U`` with
``"object": true`` and restored as an object array. Anything else (a
function, a RandomState, an optimizer or callback instance, an object
array of other values) cannot be stored: :class:`Encoder` raises a
``TypeError`` that names where it is and points to joblib.
"""

import math
import pathlib

import numpy as np

from . import _estimators
from ._trusted import public_name

MARKER = "__skcnn__"

#: Nesting deeper than this is refused (a crafted file could recurse).
MAX_DEPTH = 100

_KEYS = {
    "tuple": {"items"},
    "dict": {"items"},
    "float": {"value"},
    "scalar": {"dtype", "value"},
    "dtype": {"value"},
    "class": {"name"},
    "path": {"value"},
    "array": {"file", "object"},
    "network": {"file"},
    "estimator": {"class", "params", "state"},
}
#: What the JSON of a fitted attribute may not hold, by how it is stored:
#: skcnn's data attributes hold data, a network attribute one network, and
#: the attributes of other estimators data, classes or estimators.
_REFUSED = {
    "data": frozenset({"estimator", "network"}),
    "generic": frozenset({"network"}),
    "network": frozenset(set(_KEYS) - {"network"}),
}
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

#: Array and scalar dtypes stored: bools, integers, floats and complex
#: numbers up to 64 bits per real number, and unicode strings.
_KINDS = "biufcU"


def storable_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype:
        return False
    return dtype.kind not in "fc" or dtype.itemsize <= (8 if dtype.kind == "f" else 16)


def _number(value):
    """A finite float as JSON, a non-finite one as a ``float`` marker."""
    if math.isfinite(value):
        return value
    text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return {MARKER: "float", "value": text}


def _unstorable(value, where, hint=""):
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}"
    return TypeError(
        f"{where} is {value!r:.80} ({name}), which a skcnn model file cannot "
        f"store as data{hint}. Set it to a value that is data (a name, a "
        "number, None) before saving, or save with joblib.dump if the file "
        "will only be loaded where you trust it (loading a pickle runs code)."
    )


class Encoder:
    """Turns an estimator into JSON; collects its arrays and networks.

    ``arrays`` and ``networks`` are lists of ``(member name, value)`` to
    write beside the JSON; a network met twice (the same object) is stored
    once.
    """

    def __init__(self):
        self.arrays = []
        self.networks = []
        self._network_names = {}

    def encode(self, value, where, depth=0, refuse=frozenset()):
        """``value`` as JSON; ``where`` names it in errors; estimators or
        networks are refused when ``refuse`` names them."""
        if depth > MAX_DEPTH:
            raise TypeError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return _number(value)
        if kind is list:
            return [
                self.encode(v, f"{where}[{i}]", depth + 1, refuse)
                for i, v in enumerate(value)
            ]
        if kind is tuple:
            items = [
                self.encode(v, f"{where}[{i}]", depth + 1, refuse)
                for i, v in enumerate(value)
            ]
            return {MARKER: "tuple", "items": items}
        if kind is dict:
            return self._dict(value, where, depth, refuse)
        if isinstance(value, np.generic):
            return self._scalar(value, where)
        if kind is np.ndarray or kind is np.memmap:
            return self._array(value, where)
        if isinstance(value, np.dtype):
            if not storable_dtype(value):
                raise _unstorable(value, where)
            return {MARKER: "dtype", "value": value.str}
        if isinstance(value, pathlib.PurePath):
            return {MARKER: "path", "value": str(value)}
        if isinstance(value, type):
            return self._class(value, where)
        if _estimators.is_estimator(value) and "estimator" not in refuse:
            return self.estimator(value, where, depth)
        if _estimators.is_network(value) and "network" not in refuse:
            return self._network(value)
        if isinstance(value, np.random.RandomState | np.random.Generator):
            raise _unstorable(value, where, " (use an int seed, or None)")
        if callable(value):
            raise _unstorable(value, where, " (a function or callable object)")
        raise _unstorable(value, where)

    def _dict(self, value, where, depth, refuse):
        if all(type(k) is str for k in value) and MARKER not in value:
            return {
                k: self.encode(v, f"{where}[{k!r}]", depth + 1, refuse)
                for k, v in value.items()
            }
        items = [
            [
                self.encode(k, f"{where} key {k!r}", depth + 1, _REFUSED["data"]),
                self.encode(v, f"{where}[{k!r}]", depth + 1, refuse),
            ]
            for k, v in value.items()
        ]
        return {MARKER: "dict", "items": items}

    def _scalar(self, value, where):
        if not storable_dtype(value.dtype):
            raise _unstorable(value, where)
        item = value.item()
        if value.dtype.kind == "f":
            item = _number(item)
        elif value.dtype.kind == "c":
            item = [_number(item.real), _number(item.imag)]
        return {MARKER: "scalar", "dtype": value.dtype.str, "value": item}

    def _array(self, value, where):
        strings = value.dtype == object
        if strings:
            if not all(type(v) is str for v in value.flat):
                raise _unstorable(
                    value, where, " (an object array holding other values than str)"
                )
            value = value.astype(str) if value.size else value.astype("<U1")
        elif not storable_dtype(value.dtype):
            raise _unstorable(value, where, f" (an array of dtype {value.dtype})")
        name = f"arrays/{len(self.arrays)}.npy"
        self.arrays.append((name, np.asarray(value)))
        return {MARKER: "array", "file": name, "object": bool(strings)}

    def _class(self, value, where):
        name = public_name(value)
        if name is None:
            raise _unstorable(value, where, " (a class with no public import path)")
        return {MARKER: "class", "name": name}

    def _network(self, value):
        name = self._network_names.get(id(value))
        if name is None:
            name = f"networks/{len(self.networks)}.keras"
            self._network_names[id(value)] = name
            self.networks.append((name, value))
        return {MARKER: "network", "file": name}

    def estimator(self, estimator, where, depth=0):
        """An estimator as an ``estimator`` marker: class, parameters, state."""
        cls = type(estimator)
        name = public_name(cls)
        if name is None:
            raise _unstorable(estimator, where, " (a class with no public import path)")
        label = f"{where} ({cls.__name__})"
        params = estimator.get_params(deep=False)
        state = _estimators.fitted_state(estimator, params, label)
        return {
            MARKER: "estimator",
            "class": name,
            "params": {
                k: self.encode(v, f"{label}, parameter {k!r}", depth + 1)
                for k, v in params.items()
            },
            "state": {
                k: self.encode(
                    v, f"{label}, attribute {k!r}", depth + 1, _REFUSED[kind]
                )
                for k, (kind, v) in state.items()
            },
        }
