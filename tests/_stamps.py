"""Model files as other versions of the libraries would have written them.

A pickle is written with the state each skcnn estimator gives for it,
changed on its way to the file: other versions in its stamp, or a network
naming a layer class that this Keras does not have (as a newer Keras's
would). The estimators' own pickling code is what runs; only the bytes
written differ.
"""

import io
import pickle
import zipfile

import numpy as np

#: Versions no installed library has.
OTHER_VERSIONS = {
    "skcnn": "0.0.1",
    "scikit-learn": "1.0.0",
    "keras": "3.0.0",
    "tensorflow": "2.0.0",
}


class _ChangingPickler(pickle.Pickler):
    def __init__(self, file, change):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.change = change

    def reducer_override(self, obj):
        from skcnn import CNNClassifier, ImageEmbedder

        if not isinstance(obj, CNNClassifier | ImageEmbedder):
            return NotImplemented
        reduced = list(obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL))
        reduced[2] = self.change(dict(reduced[2]))
        return tuple(reduced)


def dump_changed(obj, path, change):
    """Pickle ``obj`` to ``path``, each estimator's state through ``change``."""
    with open(path, "wb") as f:
        _ChangingPickler(f, change).dump(obj)


def stamped(versions):
    """A ``change`` that records ``versions`` (None: no stamp, as before stamps)."""

    def change(state):
        if versions is None:
            state.pop("_skcnn_versions")
        else:
            state["_skcnn_versions"] = dict(versions)
        return state

    return change


def from_a_newer_keras(state):
    """A ``change`` whose networks name a layer class this Keras lacks."""
    state["_skcnn_versions"] = dict(OTHER_VERSIONS, keras="9.0.0")
    networks = state["_skcnn_networks"]
    for name, (rebuild, (packed,)) in networks.items():
        archive = packed.getvalue() if hasattr(packed, "getvalue") else bytes(packed)
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(archive)) as source,
            zipfile.ZipFile(out, "w") as target,
        ):
            for member in source.infolist():
                content = source.read(member.filename)
                if member.filename == "config.json":
                    content = content.replace(b'"Conv2D"', b'"FutureConv2D"')
                    assert b"FutureConv2D" in content
                target.writestr(member, content)
        if hasattr(packed, "getvalue"):
            changed = io.BytesIO(out.getvalue())
        else:
            changed = np.frombuffer(out.getvalue(), dtype=np.uint8)
        networks[name] = (rebuild, (changed,))
    return state
