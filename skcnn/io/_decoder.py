"""JSON back into values: the markers of :mod:`skcnn.io._state` read strictly.

Each marker must carry exactly its kind's keys; anything else is a
:class:`~skcnn.exceptions.ModelFileError`. Classes are imported only through
the resolver :func:`~skcnn.io.load` passes, after every name in the file has
been checked against the allow-list (:func:`class_names`).
"""

import pathlib

import numpy as np

from ..exceptions import ModelFileError
from . import _estimators
from ._state import _KEYS, _NON_FINITE, _REFUSED, MARKER, MAX_DEPTH, storable_dtype


def class_names(node, depth=0):
    """Every class name a JSON tree names, before anything is built."""
    if depth > MAX_DEPTH:
        raise ModelFileError(
            f"the estimator is nested more than {MAX_DEPTH} levels deep"
        )
    names = set()
    if isinstance(node, list):
        for item in node:
            names |= class_names(item, depth + 1)
    elif isinstance(node, dict):
        kind = node.get(MARKER)
        key = {"estimator": "class", "class": "name"}.get(kind)
        if key is not None:
            if not isinstance(node.get(key), str):
                raise ModelFileError(
                    f"a {kind!r} entry without a class name: {node!r:.200}"
                )
            names.add(node[key])
        for value in node.values():
            names |= class_names(value, depth + 1)
    return names


class Decoder:
    """Turns JSON back into values; builds estimators, reads arrays and networks.

    ``read_array(file)`` and ``read_network(file)`` read the members the
    JSON names; ``resolve(name)`` imports a class the caller has already
    checked against the allow-list; ``versions`` are those the file
    recorded.
    """

    def __init__(self, read_array, read_network, resolve, versions):
        self.versions = versions
        self.read_array = read_array
        self.read_network = read_network
        self.resolve = resolve
        self._networks = {}

    def decode(self, node, where, depth=0, refuse=frozenset()):
        """The value ``node`` stands for; kinds in ``refuse`` are errors (an
        estimator or a network where a fitted attribute holds data)."""
        if depth > MAX_DEPTH:
            raise ModelFileError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [
                self.decode(v, f"{where}[{i}]", depth + 1, refuse)
                for i, v in enumerate(node)
            ]
        if type(node) is not dict:
            raise ModelFileError(f"{where}: unexpected JSON value {node!r:.200}")
        if MARKER not in node:
            return {
                k: self.decode(v, f"{where}[{k!r}]", depth + 1, refuse)
                for k, v in node.items()
            }
        kind = node[MARKER]
        if kind not in _KEYS or set(node) != _KEYS[kind] | {MARKER}:
            raise ModelFileError(
                f"{where}: {node!r:.200} is not a value a skcnn model file holds "
                f"(the marker {MARKER!r} with kind {kind!r:.40} and keys "
                f"{sorted(set(node) - {MARKER})})."
            )
        if kind in refuse:
            raise ModelFileError(f"{where}: a {kind} where data was expected")
        return getattr(self, f"_{kind}")(node, where, depth, refuse)

    def _items(self, node, where):
        items = node["items"]
        if type(items) is not list:
            raise ModelFileError(f"{where}: 'items' is not a list: {items!r:.200}")
        return items

    def _tuple(self, node, where, depth, refuse):
        items = self._items(node, where)
        return tuple(
            self.decode(v, f"{where}[{i}]", depth + 1, refuse)
            for i, v in enumerate(items)
        )

    def _dict(self, node, where, depth, refuse):
        result = {}
        for pair in self._items(node, where):
            if type(pair) is not list or len(pair) != 2:
                raise ModelFileError(f"{where}: a dict item is not a [key, value] pair")
            key = self.decode(pair[0], f"{where} key", depth + 1, _REFUSED["data"])
            try:
                result[key] = self.decode(
                    pair[1], f"{where}[{key!r}]", depth + 1, refuse
                )
            except TypeError:  # an unhashable key
                raise ModelFileError(
                    f"{where}: the key {key!r:.80} is not hashable"
                ) from None
        return result

    def _float(self, node, where, depth, refuse):
        if node["value"] not in _NON_FINITE:
            raise ModelFileError(
                f"{where}: not a non-finite float: {node['value']!r:.40}"
            )
        return _NON_FINITE[node["value"]]

    def _dtype_of(self, text, where):
        try:
            dtype = np.dtype(text) if isinstance(text, str) else None
        except TypeError:
            dtype = None
        if dtype is None or not storable_dtype(dtype) or dtype.str != text:
            raise ModelFileError(
                f"{where}: {text!r:.40} is not a dtype a model file holds"
            )
        return dtype

    def _scalar(self, node, where, depth, refuse):
        dtype = self._dtype_of(node["dtype"], where)
        value = node["value"]
        expected = {"b": (bool,), "i": (int,), "u": (int,), "U": (str,)}
        if dtype.kind == "f":
            value = self._float_value(value, where)
        elif dtype.kind == "c":
            if type(value) is not list or len(value) != 2:
                raise ModelFileError(f"{where}: a complex scalar is not [real, imag]")
            value = complex(*(self._float_value(v, where) for v in value))
        elif type(value) not in expected[dtype.kind]:
            raise ModelFileError(f"{where}: {value!r:.40} is not a {dtype} value")
        try:
            return dtype.type(value)
        except (OverflowError, ValueError):
            raise ModelFileError(
                f"{where}: {value!r:.40} does not fit {dtype}"
            ) from None

    def _float_value(self, value, where):
        if type(value) in (int, float):
            return float(value)
        if type(value) is dict:
            return self._float(self._checked(value, "float", where), where, 0, True)
        raise ModelFileError(f"{where}: {value!r:.40} is not a float")

    def _checked(self, node, kind, where):
        if node.get(MARKER) != kind or set(node) != _KEYS[kind] | {MARKER}:
            raise ModelFileError(
                f"{where}: expected a {kind!r} entry, got {node!r:.200}"
            )
        return node

    def _dtype(self, node, where, depth, refuse):
        return self._dtype_of(node["value"], where)

    def _class(self, node, where, depth, refuse):
        return self.resolve(node["name"])

    def _path(self, node, where, depth, refuse):
        if type(node["value"]) is not str:
            raise ModelFileError(f"{where}: a path that is not a string")
        return pathlib.Path(node["value"])

    def _array(self, node, where, depth, refuse):
        if type(node["file"]) is not str or type(node["object"]) is not bool:
            raise ModelFileError(f"{where}: a malformed array entry {node!r:.200}")
        array = self.read_array(node["file"])
        if not storable_dtype(array.dtype):
            raise ModelFileError(f"{where}: an array of dtype {array.dtype}")
        if node["object"]:
            if array.dtype.kind != "U":
                raise ModelFileError(
                    f"{where}: an object array stored as {array.dtype}"
                )
            array = array.astype(object)
        return array

    def _network(self, node, where, depth, refuse):
        name = node["file"]
        if type(name) is not str:
            raise ModelFileError(f"{where}: a malformed network entry {node!r:.200}")
        if name not in self._networks:
            self._networks[name] = self.read_network(name)
        return self._networks[name]

    def _estimator(self, node, where, depth, refuse):
        name, params, state = node["class"], node["params"], node["state"]
        if type(params) is not dict or type(state) is not dict or MARKER in params:
            raise ModelFileError(f"{where}: a malformed estimator entry for {name}")
        cls = self.resolve(name)
        label = f"{where} ({name})"
        values = {
            k: self.decode(v, f"{label}, parameter {k!r}", depth + 1)
            for k, v in params.items()
        }
        estimator = _estimators.build(cls, values, label)
        fitted = {}
        for key, value in state.items():
            kind = _estimators.attribute_kind(cls, key, label)
            fitted[key] = self.decode(
                value,
                f"{label}, attribute {key!r}",
                depth + 1,
                refuse=_REFUSED[kind],
            )
        _estimators.restore(estimator, fitted, label, self.versions)
        return estimator
