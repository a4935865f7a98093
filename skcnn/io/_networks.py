"""Keras networks in a model file: written as ``.keras``, read in safe mode.

A network is saved with ``keras.Model.save`` (its architecture as JSON, its
weights and optimizer state as HDF5) into a scratch folder and copied into
the model file. On loading, its archive is copied out under the size
limits, checked member by member (:func:`~skcnn.io._archive.check_nested_archive`)
and given to ``keras.saving.load_model`` with ``safe_mode=True``, held on
for this thread whatever the process set: Keras then builds only its
registered layers and refuses Python code (a ``Lambda`` layer's function).
"""

import tempfile
import zipfile
from pathlib import Path

from ..exceptions import IncompatibleModelError, ModelFileError, format_versions
from . import _archive


def write_network(archive, name, model, scratch):
    """Save ``model`` as the member ``name`` of the open zip ``archive``."""
    path = Path(scratch) / f"network-{name.split('/')[-1]}"
    model.save(path)
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED  # a .keras file is a zip itself
    with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as out:
        while chunk := source.read(1024**2):
            out.write(chunk)
    path.unlink()


def _refuses_code(exc):
    text = str(exc)
    return "safe_mode" in text or "unsafe" in text.lower()


def read_network(archive, info, what, budget, versions):
    """The network in member ``info``, loaded by Keras in safe mode."""
    from .._compat import keras_safe_mode
    from .._engine import training  # noqa: F401  (skcnn's registered loss)
    from .._engine.runtime import keras
    from .._versions import current_versions

    where = f"{what}, network {info.orig_filename}"
    with tempfile.TemporaryDirectory(prefix="skcnn-io-") as scratch:
        path = Path(scratch) / "network.keras"
        with open(path, "wb") as out:
            for chunk in _archive.iter_member(archive, info, where, budget):
                out.write(chunk)
        _archive.check_nested_archive(path, where, budget)
        try:
            with keras_safe_mode():
                model = keras.saving.load_model(path, compile=True, safe_mode=True)
        except Exception as exc:
            if _refuses_code(exc):
                raise ModelFileError(
                    f"{where} holds Python code (such as a Lambda layer's "
                    "function), which Keras's safe mode refuses to load: "
                    f"refused, nothing of it ran. Keras said: {exc}"
                ) from None
            raise IncompatibleModelError(
                f"{where} cannot be rebuilt by Keras: it was saved with "
                f"{format_versions(versions)}, and this is "
                f"{format_versions(current_versions())}. Keras said: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
    if not isinstance(model, keras.Model):
        raise ModelFileError(f"{where} is not a Keras model")
    return model
