"""ImageNet weights of the Keras applications, fetched into Keras's own cache.

A Keras application built with ``weights="imagenet"`` downloads its weights
with :func:`keras.utils.get_file`, which sets no timeout: offline, or behind
a firewall that drops the connection, building a pretrained backbone hangs.
skcnn fetches the file itself, with a timeout on every network operation
(:mod:`skcnn._download`), and passes the local path to the constructor
(``keras.applications.MobileNetV2(include_top=False, weights=<path>)``).

The file goes where Keras would put it, ``$KERAS_HOME/models`` or
``~/.keras/models``, under the name Keras gives it, and is checked against
the hash Keras checks it with (SHA-256 or MD5 by the hash's length, none for
MobileNetV2): a file Keras downloaded before is reused, and Keras reuses the
files skcnn downloads. :data:`IMAGENET_NO_TOP` holds those names, addresses
and hashes, as the installed Keras states them for ``include_top=False``;
the tests check them against Keras.

Nothing here imports TensorFlow.
"""

from pathlib import Path
from typing import NamedTuple
from urllib.request import urlopen

from .. import _download

__all__ = [
    "IMAGENET_NO_TOP",
    "WEIGHTS_DOWNLOAD_TIMEOUT",
    "WeightsDownloadError",
    "WeightsSource",
    "check_weights_file",
    "imagenet_weights_file",
    "imagenet_weights_source",
    "weights_cache_dir",
]

#: Seconds a download waits for the server to connect or to send more bytes.
WEIGHTS_DOWNLOAD_TIMEOUT = _download.DOWNLOAD_TIMEOUT

#: Name endings ``Model.load_weights`` reads a file by (Keras's own format
#: ``.weights.h5`` and ``.keras``, the legacy ``.h5`` and ``.hdf5``); Keras
#: tells them apart case-sensitively, and so does :func:`check_weights_file`.
WEIGHTS_SUFFIXES = (".h5", ".hdf5", ".weights.h5", ".keras")

_STORAGE = "https://storage.googleapis.com/"
_APPLICATIONS = _STORAGE + "tensorflow/keras-applications/"

#: The image sizes MobileNetV2 has ImageNet weights for; Keras loads the 224
#: ones for any other size, and for images that are not square.
MOBILENET_V2_SIZES = (96, 128, 160, 192, 224)

#: Per backbone family: the folder URL, the file name and the hash of its
#: ImageNet weights without the classification top, as Keras names, fetches
#: and checks them (alpha 1.0, not minimalistic, the constructors' default
#: model names). ``{size}`` in MobileNetV2's name is the image size.
IMAGENET_NO_TOP = {
    "mobilenet_v2": (
        _APPLICATIONS + "mobilenet_v2/",
        "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_{size}_no_top.h5",
        None,
    ),
    "mobilenet_v3_small": (
        _APPLICATIONS + "mobilenet_v3/",
        "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5",
        "d3e8ec802a04aa4fc771ee12a9a9b836",
    ),
    "mobilenet_v3_large": (
        _APPLICATIONS + "mobilenet_v3/",
        "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5",
        "07fb09a5933dd0c8eaafa16978110389",
    ),
    "efficientnet_b0": (
        _STORAGE + "keras-applications/",
        "efficientnetb0_notop.h5",
        "50bc09e76180e00e4465e1a485ddc09d",
    ),
    "efficientnet_v2_b0": (
        _APPLICATIONS + "efficientnet_v2/",
        "efficientnetv2-b0_notop.h5",
        "893217f2bb855e2983157299931e43ff",
    ),
    "resnet50": (
        _APPLICATIONS + "resnet/",
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "4d473c1dd8becc155b73f8504c6f6626",
    ),
    "convnext_tiny": (
        _APPLICATIONS + "convnext/",
        "convnext_tiny_notop.h5",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
}


class WeightsDownloadError(OSError):
    """Pretrained weights could not be downloaded (offline, timeout, bad file).

    Raised for a failed download of a backbone's ImageNet weights (no
    network, a timeout, an HTTP error, a hash that does not match). Its
    message names the file, its URL and the folder Keras looks in, where a
    copy downloaded elsewhere can be put to work offline. A subclass of
    ``OSError``.

    Examples
    --------
    >>> from skcnn._engine.weights import WeightsDownloadError
    >>> issubclass(WeightsDownloadError, OSError)
    True
    """


class WeightsSource(NamedTuple):
    """Where Keras gets a weights file: its name, its URL, its hash or None."""

    filename: str
    url: str
    file_hash: str | None


def weights_cache_dir():
    """Folder Keras keeps downloaded application weights in.

    Returns
    -------
    path : pathlib.Path
        ``$KERAS_HOME/models``, or ``~/.keras/models`` when ``KERAS_HOME`` is
        not set, read at each call.
    """
    return _download.keras_cache_dir("models")


def imagenet_weights_source(family, image_size):
    """The file name, URL and hash of a family's no-top ImageNet weights.

    Parameters
    ----------
    family : str
        A key of :data:`IMAGENET_NO_TOP`, such as ``"mobilenet_v2"``.
    image_size : int or (int, int)
        The image height, or ``(height, width)``. Only MobileNetV2 has
        weights per size: one of :data:`MOBILENET_V2_SIZES`, square, selects
        that file, any other the 224 one, as Keras does.

    Returns
    -------
    source : WeightsSource
        ``filename``, ``url`` and ``file_hash`` (None: Keras checks none).

    Raises
    ------
    ValueError
        For an unknown ``family``.
    """
    if family not in IMAGENET_NO_TOP:
        raise ValueError(
            f"No ImageNet weights are known for the backbone {family!r}; "
            f"expected one of {', '.join(map(repr, IMAGENET_NO_TOP))}."
        )
    folder, filename, file_hash = IMAGENET_NO_TOP[family]
    if "{size}" in filename:
        # NumPy integers too: the height may come straight from an array's shape.
        pair = isinstance(image_size, (tuple, list))
        height, width = map(int, image_size) if pair else (int(image_size),) * 2
        size = height if height == width and height in MOBILENET_V2_SIZES else 224
        filename = filename.format(size=size)
    return WeightsSource(filename, folder + filename, file_hash)


def imagenet_weights_file(family, image_size):
    """Local path of a family's no-top ImageNet weights, downloaded if needed.

    A file in :func:`weights_cache_dir` under Keras's name whose hash
    matches (any such file, for a family Keras gives no hash) is used without
    network access; a missing or mismatching one is downloaded, each network
    operation waiting at most :data:`WEIGHTS_DOWNLOAD_TIMEOUT` seconds.

    Parameters
    ----------
    family : str
        A key of :data:`IMAGENET_NO_TOP`, such as ``"mobilenet_v2"``.
    image_size : int or (int, int)
        The image height, or ``(height, width)``; see
        :func:`imagenet_weights_source`.

    Returns
    -------
    path : pathlib.Path
        The weights file, to pass to the Keras application as ``weights``.

    Raises
    ------
    WeightsDownloadError
        When the file is not cached and cannot be downloaded (within seconds
        when offline) or its hash does not match; no partial file is left.
        The message names the file, its URL and the folder to put it in.
    ValueError
        For an unknown ``family``.
    """
    source = imagenet_weights_source(family, image_size)
    cache = weights_cache_dir()
    # This module's urlopen and timeout are looked up now, not bound at
    # import, so that replacing them here reaches the download.
    return _download.download(
        source.url,
        cache / source.filename,
        source.file_hash,
        error=WeightsDownloadError,
        cache_label="Keras weights cache",
        offline_hint=_offline_hint(cache, source),
        unwritable_hint=(
            "Set KERAS_HOME to a writable folder, or pass "
            "backbone_weights=<path of a weights file>."
        ),
        timeout=WEIGHTS_DOWNLOAD_TIMEOUT,
        opener=urlopen,
    )


def check_weights_file(path):
    """Check a user-given weights file: it exists, and Keras reads its kind.

    Whether its weights fit the architecture is known only when they are
    loaded into it.

    Parameters
    ----------
    path : str or path-like
        The weights file.

    Returns
    -------
    path : pathlib.Path
        ``path``, with ``~`` expanded.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist or is a folder.
    ValueError
        When its suffix is none of :data:`WEIGHTS_SUFFIXES`.
    """
    given = path
    path = Path(path).expanduser()
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(
            f"The weights file {given} {what}: expected the path of a weights "
            f"file ({', '.join(WEIGHTS_SUFFIXES)})."
        )
    if not path.name.endswith(WEIGHTS_SUFFIXES):
        raise ValueError(
            f"Keras cannot load weights from {given}: expected a file ending in "
            f"{', '.join(WEIGHTS_SUFFIXES)}, got "
            f"{path.suffix or 'a name without a suffix'!r}."
        )
    return path


def _offline_hint(cache, source):
    return (
        f"Keras looks for {source.filename} in {cache}: behind a firewall, or "
        f"offline, download {source.url} on a machine with internet access and "
        "put it there, or pass backbone_weights=<its path> to CNNClassifier "
        "(weights=<its path> to ImageEmbedder)."
    )
