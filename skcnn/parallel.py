"""Prediction of many image files, in chunks, locally or on a Dask cluster.

:func:`predict_files` splits a list of image files into chunks and runs a
fitted pipeline's ``predict`` or ``predict_proba`` on each chunk, on the
workers of a ``dask.distributed`` cluster or in this process, and puts the
results back together in the order of the files. The pipeline travels to
each worker once; only paths travel with the tasks, and each worker decodes
its own files.

Importing this module imports neither TensorFlow nor Dask; a cluster needs
``dask[distributed]`` (``pip install "skcnn[distributed]"``).
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._param_validation import invalid_parameter, is_positive_int
from .preprocessing._files import check_paths

__all__ = ["predict_files"]

METHODS = ("predict", "predict_proba")
"""The methods :func:`predict_files` runs."""

_NAME = "predict_files"


def predict_files(estimator, paths, *, client=None, chunk_size=1024, method="predict"):
    """Predict many image files in chunks, on a Dask cluster or locally.

    ``paths`` is split into chunks of ``chunk_size`` files, and each chunk
    goes through ``estimator.predict(chunk)`` (or ``predict_proba``): one
    Dask task per chunk, spread over the cluster's workers. The fitted
    estimator is sent to every worker once (``client.scatter(...,
    broadcast=True)``), not with each task; the tasks carry only their
    paths, and each worker reads and decodes its own files, so the files
    must be readable at the same paths from every worker (a shared or
    network file system, or a cluster on one machine). The results come
    back in the order of ``paths``.

    The labels are those ``estimator.predict(paths)`` gives in one call,
    and the probabilities equal its ``predict_proba`` up to floating-point
    rounding (a network's arithmetic can depend slightly on how many images
    it computes at a time).

    Without a cluster (``client=None``), the chunks are predicted one after
    another in this process: the same results, with at most one chunk of
    images in memory at a time even for a loader that does not stream.

    Parameters
    ----------
    estimator : estimator
        A fitted estimator whose ``method`` takes a list of image file
        paths: typically a pipeline that starts with
        :class:`~skcnn.ImageLoader` (streaming or not), such as the one
        ``skcnn compare --dataset FOLDER --save MODEL`` writes. It must
        pickle, to reach the workers (every skcnn estimator does).
    paths : sequence of str or os.PathLike of shape (n_samples,)
        Paths of the image files: a list, a 1-D array or a pandas Series.
    client : distributed.Client or str, default=None
        The Dask cluster: a connected ``distributed.Client``, or the address
        of a scheduler (``"tcp://10.0.0.5:8786"``), for which a client is
        opened and closed again when the results are in. None predicts in
        this process, without Dask.
    chunk_size : int, default=1024
        Files per chunk: per task on a cluster. A chunk's images (decoded,
        unless the loader streams) and its results are held in memory at
        once on the worker that predicts it; several chunks per worker
        spread the work evenly.
    method : {"predict", "predict_proba"}, default="predict"
        The estimator's method to run on each chunk.

    Returns
    -------
    results : ndarray of shape (n_samples,) or (n_samples, n_classes)
        The predicted labels, or the class probabilities, in the order of
        ``paths``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    AttributeError
        If ``estimator`` has no ``method`` (``predict_proba`` of a model
        that gives no probabilities).
    ValueError
        If ``paths`` is empty.
    ImportError
        If ``client`` is given but ``dask.distributed`` is not installed.
    OSError
        If a file cannot be read; the message names it.

    See Also
    --------
    skcnn.ImageLoader : The first step of a pipeline on image files.
    skcnn.preprocessing.ImageStream : Images decoded one batch at a time.

    Notes
    -----
    With worker processes of one thread each (``LocalCluster(...,
    threads_per_worker=1)``; ``dask worker ADDRESS --nthreads 1``), each
    worker runs one chunk at a time, and TensorFlow spreads that chunk's
    network computation over the worker's cores. Each worker imports
    TensorFlow and holds its own copy of the estimator.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn.pipeline import make_pipeline
    >>> from skcnn import CNNClassifier, ImageLoader, PixelScaler
    >>> from skcnn.parallel import predict_files
    >>> folder = Path(tempfile.mkdtemp())
    >>> paths = []
    >>> for i in range(8):
    ...     paths.append(str(folder / f"{i}.png"))
    ...     Image.new("L", (8, 8), 30 * i).save(paths[-1])
    >>> pipe = make_pipeline(
    ...     ImageLoader(stream=True),
    ...     PixelScaler(),
    ...     CNNClassifier(filters=(4,), epochs=1, random_state=0),
    ... ).fit(paths, [0, 1] * 4)
    >>> predict_files(pipe, paths, chunk_size=3).shape  # in this process
    (8,)

    On a cluster, with a client or by the address of its scheduler:

    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> cluster = LocalCluster(n_workers=2, threads_per_worker=1)  # doctest: +SKIP
    >>> with Client(cluster) as client:  # doctest: +SKIP
    ...     proba = predict_files(
    ...         pipe, paths, client=client, method="predict_proba"
    ...     )
    >>> labels = predict_files(
    ...     pipe, paths, client="tcp://10.0.0.5:8786"
    ... )  # doctest: +SKIP
    """
    chunks = _chunks(estimator, paths, chunk_size, method)
    if client is None:
        return _concatenate(
            [_predict_chunk(chunk, estimator, method) for chunk in chunks]
        )
    distributed = _import_distributed()
    if isinstance(client, str):
        # Not made the default client: this call's tasks only.
        with distributed.Client(client, set_as_default=False) as opened:
            return _on_cluster(opened, estimator, chunks, method)
    if not isinstance(client, distributed.Client):
        raise TypeError(
            f"{_NAME} expects client to be a distributed.Client, the address "
            f"of a Dask scheduler (a str) or None, got {type(client).__name__}."
        )
    return _on_cluster(client, estimator, chunks, method)


def _chunks(estimator, paths, chunk_size, method):
    """Check the arguments; ``paths`` as lists of at most ``chunk_size`` str."""
    if not (isinstance(method, str) and method in METHODS):
        raise invalid_parameter(
            "method", _NAME, " or ".join(repr(m) for m in METHODS), method
        )
    if not is_positive_int(chunk_size):
        raise invalid_parameter("chunk_size", _NAME, "a positive int", chunk_size)
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise NotFittedError(
            f"{_NAME} needs a fitted estimator, got an unfitted "
            f"{type(estimator).__name__}: call its fit first."
        ) from None
    if not hasattr(estimator, method):
        why = ""
        if method == "predict_proba":
            # A Pipeline has predict_proba when its final estimator has.
            final = getattr(estimator, "steps", None)
            why = " (its final step" if final else " (it"
            why += " gives no probabilities)"
        raise AttributeError(
            f"{_NAME} was asked for {method}, but the "
            f"{type(estimator).__name__} given has no {method} method{why}."
        )
    # Plain str paths: small tasks, which pickle the same on any worker.
    paths = check_paths(paths, _NAME)
    size = int(chunk_size)
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def _predict_chunk(paths, estimator, method):
    """``estimator.method(paths)`` as an array: what each task runs.

    ``paths`` first: ``client.map`` passes the chunk as the first argument.
    """
    return np.asarray(getattr(estimator, method)(paths))


def _concatenate(results):
    return results[0] if len(results) == 1 else np.concatenate(results)


def _import_distributed():
    try:
        import distributed
    except ImportError as error:
        raise ImportError(
            f"{_NAME} on a Dask cluster needs dask.distributed, which is not "
            'installed: pip install "skcnn[distributed]" (or pass client=None '
            f"to predict in this process). ({error})"
        ) from error
    return distributed


def _on_cluster(client, estimator, chunks, method):
    """One task per chunk on ``client``'s workers; the results in order."""
    # hash=False: hashing would tokenize the whole estimator (its network's
    # weights) for a key that is used once.
    shipped = client.scatter(estimator, broadcast=True, hash=False)
    futures = client.map(
        _predict_chunk, chunks, estimator=shipped, method=method, pure=False
    )
    try:
        return _concatenate(client.gather(futures))
    finally:
        # Frees the workers' copies, and stops the other chunks if one failed.
        client.cancel([*futures, shipped])
