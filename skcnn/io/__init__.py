"""Model files that load without running code from the file.

:func:`dump` writes a fitted estimator (a :class:`~skcnn.CNNClassifier`, a
pipeline of skcnn's transformers and scikit-learn models) to a ``.skcnn``
file; :func:`load` reads it back. A pickle (``joblib.dump``) can hold any
Python object, and loading one runs whatever code its author chose; a
``.skcnn`` file holds data only, and ``load`` builds nothing but the
classes on an allow-list (:data:`TRUSTED`, extended with ``trusted=``).

A file is a zip archive: ``format.json`` (the format and its version),
``estimator.json`` (each estimator's class by its import path, its
parameters and fitted attributes as JSON, the versions of the libraries
it was saved with), ``arrays/N.npy`` (NumPy arrays of numbers or strings,
read with ``allow_pickle=False``) and ``networks/N.keras`` (Keras networks,
read with Keras's safe mode). No pickle is read at any point. The limits
on what a file may make ``load`` decompress are
:data:`skcnn.io._archive.MAX_TOTAL_BYTES` (2 GiB in all),
``MAX_MEMBERS`` (10,000 members per archive) and ``MAX_JSON_BYTES``
(64 MiB of JSON).
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from .._atomic import atomic_write
from ..exceptions import ModelFileError
from . import _archive, _decoder, _estimators, _state, _trusted
from ._trusted import CLASSES, ESTIMATORS

__all__ = ["TRUSTED", "dump", "load"]

#: The format a file declares in ``format.json``, and the newest version read.
FORMAT = "skcnn"
FORMAT_VERSION = 1

#: The classes :func:`load` builds or returns without ``trusted=``.
TRUSTED = (*ESTIMATORS, *CLASSES)

_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed date: the same model, the same bytes


def dump(estimator, path):
    """Write a scikit-learn estimator to a skcnn model file.

    Parameters
    ----------
    estimator : estimator instance
        Fitted or not: a :class:`~skcnn.CNNClassifier`, a
        :class:`~sklearn.pipeline.Pipeline` of skcnn's transformers and
        scikit-learn models, or any estimator whose parameters and fitted
        attributes are data (numbers, strings, None, tuples, lists, dicts,
        NumPy arrays and scalars, estimators, Keras networks, classes by
        their import path).
    path : str or path-like
        The file to write (by convention ``NAME.skcnn``); its folder must
        exist. The file is replaced whole or not at all.

    Raises
    ------
    TypeError
        When a parameter or fitted attribute cannot be stored as data (a
        function, a ``RandomState``, an optimizer or callback instance): the
        message names it. Nothing is written. Such a model can still be
        saved with ``joblib.dump``, for use where the file is trusted.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from skcnn import PixelScaler
    >>> from skcnn.io import dump, load
    >>> scaler = PixelScaler().fit(np.array([[0, 255], [128, 64]], dtype=np.uint8))
    >>> path = Path(tempfile.mkdtemp()) / "scaler.skcnn"
    >>> dump(scaler, path)
    >>> load(path).max_value_
    255.0
    """
    from .._versions import current_versions

    if not _estimators.is_estimator(estimator):
        raise TypeError(
            f"dump expects a scikit-learn estimator, got {type(estimator).__name__}"
        )
    encoder = _state.Encoder()
    tree = encoder.estimator(estimator, "the estimator")
    document = {"versions": current_versions(), "estimator": tree}
    text = json.dumps(document, allow_nan=False, ensure_ascii=False, indent=1)
    header = json.dumps({"format": FORMAT, "version": FORMAT_VERSION})
    with atomic_write(path, "wb") as out, zipfile.ZipFile(out, "w") as archive:
        _write(archive, _archive.FORMAT_MEMBER, header.encode())
        _write(archive, _archive.ESTIMATOR_MEMBER, text.encode("utf-8"))
        for name, array in encoder.arrays:
            info = _info(name)
            with archive.open(info, "w", force_zip64=True) as member:
                np.save(member, array, allow_pickle=False)
        if encoder.networks:
            from . import _networks

            with tempfile.TemporaryDirectory(prefix="skcnn-io-") as scratch:
                for name, network in encoder.networks:
                    _networks.write_network(archive, name, network, scratch)


def _info(name):
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write(archive, name, data):
    archive.writestr(_info(name), data)


def _strict_json(data, what):
    """Parse ``data`` as UTF-8 JSON: no NaN literals, no repeated keys."""

    def no_constants(name):
        raise ModelFileError(f"{what} holds the non-JSON constant {name}")

    def no_repeats(pairs):
        result = {}
        for key, value in pairs:
            if key in result:
                raise ModelFileError(f"{what} repeats the key {key!r:.80}")
            result[key] = value
        return result

    try:
        return json.loads(
            data.decode("utf-8"),
            parse_constant=no_constants,
            object_pairs_hook=no_repeats,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFileError(f"{what} is not valid JSON ({exc})") from None


def _read_json(archive, members, name, what, budget):
    if name not in members:
        raise ModelFileError(f"{what} is not a skcnn model file: it has no {name}.")
    data = _archive.read_member(
        archive, members[name], what, budget, limit=_archive.MAX_JSON_BYTES
    )
    return _strict_json(data, f"{what}: {name}")


def _check_format(header, what):
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(
            f"{what} is not a skcnn model file (its format.json says {header!r:.100})."
        )
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise ModelFileError(f"{what} has no valid format version: {version!r:.40}")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{what} is in version {version} of the skcnn format, newer than "
            f"the {FORMAT_VERSION} this skcnn reads: upgrade skcnn to load it."
        )


def _read_array(archive, members, name, what, budget):
    import io

    if name not in members or not name.startswith("arrays/"):
        raise ModelFileError(
            f"{what} names the array {name!r:.80}, which it does not hold."
        )
    where = f"{what}, {name}"
    data = io.BytesIO(_archive.read_member(archive, members[name], where, budget))
    try:
        version = np.lib.format.read_magic(data)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(data)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(data)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as exc:
        raise ModelFileError(f"{where} is not a valid .npy array ({exc})") from None
    if dtype.hasobject or not _state.storable_dtype(dtype):
        raise ModelFileError(
            f"{where} is an array of dtype {dtype}: a model file holds arrays "
            "of numbers, bools and strings only (an object array would need "
            "a pickle)."
        )
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected != len(data.getbuffer()) - data.tell():
        raise ModelFileError(f"{where} holds other bytes than its header declares")
    data.seek(0)
    try:
        return np.load(data, allow_pickle=False)
    except ValueError as exc:
        raise ModelFileError(f"{where} is not a valid .npy array ({exc})") from None


def load(path, *, trusted=()):
    """Read an estimator from a skcnn model file, without running code from it.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`dump`.
    trusted : sequence of str, default=()
        More classes to build, by import path (``"mypackage.MyEstimator"``),
        besides those in :data:`TRUSTED`. Building a class runs its code:
        name only classes you trust.

    Returns
    -------
    estimator : estimator instance
        The estimator, with the parameters and fitted attributes it was
        saved with; it predicts as it did. It can be fitted again, and a
        :class:`~skcnn.CNNClassifier` continues training with
        ``partial_fit`` or ``warm_start=True`` from its saved weights and
        optimizer state.

    Raises
    ------
    skcnn.exceptions.UntrustedTypeError
        The file names classes outside the allow-list; none was imported.
    skcnn.exceptions.ModelFileError
        The file is not a skcnn model file or breaks the format's rules:
        unsafe member names, sizes past the limits, malformed JSON, object
        arrays, a network holding Python code.
    skcnn.exceptions.IncompatibleModelError
        Keras cannot rebuild a network under the running versions.

    Warns
    -----
    skcnn.exceptions.InconsistentVersionWarning
        The file was saved with other versions of skcnn, scikit-learn,
        Keras or TensorFlow than those running.

    See Also
    --------
    dump : Write the file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skcnn.io import dump, load
    >>> path = Path(tempfile.mkdtemp()) / "scaler.skcnn"
    >>> dump(make_pipeline(StandardScaler()).fit([[0.0], [2.0]]), path)
    >>> load(path)[0].mean_
    array([1.])
    """
    from .._versions import check_versions

    trusted = _trusted.check_trusted(trusted)
    what = f"The model file {os.fspath(path)}"
    budget = _archive.Budget()
    archive, members = _archive.open_model_archive(path, what, budget)
    with archive:
        _check_format(_read_json(archive, members, "format.json", what, budget), what)
        document = _read_json(archive, members, "estimator.json", what, budget)
        if not isinstance(document, dict) or set(document) != {"versions", "estimator"}:
            raise ModelFileError(
                f"{what}: estimator.json holds other keys than versions and estimator"
            )
        versions = document["versions"]
        if not isinstance(versions, dict) or not all(
            isinstance(v, str) for v in versions.values()
        ):
            raise ModelFileError(f"{what}: malformed versions {versions!r:.200}")
        tree = document["estimator"]
        if not isinstance(tree, dict) or tree.get(_state.MARKER) != "estimator":
            raise ModelFileError(f"{what}: estimator.json holds no estimator")
        check_versions(versions, what)
        _trusted.refuse_untrusted(_decoder.class_names(tree), trusted, what)

        def read_network(name):
            from . import _networks

            if name not in members or not name.startswith("networks/"):
                raise ModelFileError(
                    f"{what} names the network {name!r:.80}, which it does not hold."
                )
            return _networks.read_network(
                archive, members[name], what, budget, versions
            )

        decoder = _decoder.Decoder(
            lambda name: _read_array(archive, members, name, what, budget),
            read_network,
            _trusted.resolve,
            versions,
        )
        return decoder.decode(tree, "the estimator")
