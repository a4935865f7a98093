"""predict_files: chunks of image files predicted locally or on a Dask cluster."""

import inspect
import sys

import numpy as np
import numpydoc.docscrape as numpydoc
import pytest
from PIL import Image
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from skcnn import CNNClassifier, ImageLoader, PixelScaler
from skcnn.parallel import predict_files

N_FILES = 40


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """40 PNG files of 8x8 RGB in two classes (dark and bright), and labels."""
    folder = tmp_path_factory.mktemp("parallel")
    rng = np.random.default_rng(0)
    paths, labels = [], []
    for i in range(N_FILES):
        label = i % 2
        base = 60 + 120 * label
        pixels = np.clip(base + rng.normal(0, 40, (8, 8, 3)), 0, 255)
        path = folder / f"{i:02d}.png"
        Image.fromarray(pixels.astype(np.uint8)).save(path)
        paths.append(str(path))
        labels.append(f"class_{label}")
    return paths, np.array(labels)


def _pipeline(stream):
    return make_pipeline(
        ImageLoader(stream=stream),
        PixelScaler(),
        CNNClassifier(filters=(4,), epochs=1, random_state=0),
    )


@pytest.fixture(scope="module", params=[True, False], ids=["stream", "in-memory"])
def fitted(request, files):
    """The fitted pipeline, its labels and its probabilities in one call each."""
    paths, y = files
    pipe = _pipeline(request.param).fit(paths, y)
    return pipe, pipe.predict(paths), pipe.predict_proba(paths)


def _assert_like_local(fitted, labels, proba):
    _, local_labels, local_proba = fitted
    np.testing.assert_array_equal(labels, local_labels)
    assert proba.shape == local_proba.shape == (N_FILES, 2)
    np.testing.assert_allclose(proba, local_proba, rtol=0, atol=1e-6)


@pytest.mark.parametrize("chunk_size", [1, 7, N_FILES, 1000])
def test_local_chunks_give_the_results_of_one_call(files, fitted, chunk_size):
    paths, _ = files
    pipe = fitted[0]
    labels = predict_files(pipe, paths, chunk_size=chunk_size)
    proba = predict_files(pipe, paths, chunk_size=chunk_size, method="predict_proba")
    _assert_like_local(fitted, labels, proba)


def test_paths_as_an_array_and_in_any_order(files, fitted):
    paths, _ = files
    pipe, local_labels, _ = fitted
    order = np.arange(N_FILES)[::-1]
    labels = predict_files(pipe, np.array(paths)[order], chunk_size=6)
    np.testing.assert_array_equal(labels, local_labels[order])


def test_an_unreadable_file_is_named(files, fitted, tmp_path):
    paths, _ = files
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(OSError, match="broken.png"):
        predict_files(fitted[0], [*paths[:5], str(broken)], chunk_size=3)


def test_an_unfitted_estimator_is_refused(files):
    paths, _ = files
    with pytest.raises(NotFittedError, match="needs a fitted estimator.*Pipeline"):
        predict_files(_pipeline(True), paths)


def _flatten(images):
    return images.reshape(len(images), -1)


def test_a_method_the_estimator_lacks_is_refused(files):
    paths, y = files
    svc = make_pipeline(
        ImageLoader(), FunctionTransformer(_flatten), LinearSVC(random_state=0)
    ).fit(paths, y)
    assert predict_files(svc, paths, chunk_size=16).shape == (N_FILES,)
    with pytest.raises(
        AttributeError,
        match=r"Pipeline given has no predict_proba method \(its final step gives no",
    ):
        predict_files(svc, paths, method="predict_proba")


@pytest.mark.parametrize(
    ("paths", "error", "match"),
    [
        ([], ValueError, "empty sequence of image file paths"),
        ("one.png", TypeError, "single path 'one.png': wrap it in a list"),
        ([1, 2], TypeError, "got 1 of type int at position 0"),
    ],
    ids=["empty", "one-string", "not-paths"],
)
def test_bad_paths_are_refused(fitted, paths, error, match):
    with pytest.raises(error, match=match):
        predict_files(fitted[0], paths)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"method": "transform"}, "'method' parameter of predict_files must be"),
        ({"method": None}, "'method' parameter"),
        ({"chunk_size": 0}, "'chunk_size' parameter of predict_files must be a"),
        ({"chunk_size": True}, "'chunk_size' parameter"),
        ({"chunk_size": 2.5}, "'chunk_size' parameter"),
    ],
)
def test_bad_options_are_refused(files, fitted, options, match):
    paths, _ = files
    with pytest.raises(ValueError, match=match):
        predict_files(fitted[0], paths, **options)


def test_a_client_of_another_type_is_refused(files, fitted):
    paths, _ = files
    with pytest.raises(TypeError, match="distributed.Client.*got int"):
        predict_files(fitted[0], paths, client=5)


def test_without_distributed_a_client_asks_for_the_extra(files, fitted, monkeypatch):
    paths, _ = files
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    with pytest.raises(ImportError, match=r'pip install "skcnn\[distributed\]"'):
        predict_files(fitted[0], paths, client="tcp://127.0.0.1:1")
    # Locally, Dask is not needed.
    assert predict_files(fitted[0], paths[:3]).shape == (3,)


def test_importing_it_imports_neither_tensorflow_nor_dask():
    import subprocess

    code = (
        "import sys; import skcnn.parallel; "
        "print(sorted({'tensorflow', 'distributed', 'dask'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_docstring_documents_every_parameter():
    doc = numpydoc.FunctionDoc(predict_files)
    documented = [param.name for param in doc["Parameters"]]
    assert documented == list(inspect.signature(predict_files).parameters)
    assert doc["Examples"]


# -- on a real cluster (loopback) -------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each, on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # Any free port on loopback: with None the scheduler's HTTP server
            # still tries 8787, which the other cluster may hold.
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


@pytest.mark.slow
def test_cluster_of_processes_gives_the_local_results(files, fitted, cluster):
    paths, _ = files
    _, client = cluster
    pipe = fitted[0]
    labels = predict_files(pipe, paths, client=client, chunk_size=7)
    proba = predict_files(
        pipe, paths, client=client, chunk_size=7, method="predict_proba"
    )
    _assert_like_local(fitted, labels, proba)
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)


@pytest.mark.slow
def test_a_scheduler_address_opens_a_client_of_its_own(files, fitted, cluster):
    paths, _ = files
    local_cluster, client = cluster
    address = local_cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    labels = predict_files(fitted[0], paths, client=address, chunk_size=11)
    np.testing.assert_array_equal(labels, fitted[1])
    # The default client is still the fixture's.
    from distributed import default_client

    assert default_client() is client


@pytest.mark.slow
def test_an_unreadable_file_on_a_worker_is_named(files, fitted, cluster, tmp_path):
    paths, _ = files
    _, client = cluster
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(OSError, match="broken.png"):
        predict_files(fitted[0], [*paths[:6], str(broken)], client=client, chunk_size=3)


@pytest.mark.slow
def test_a_worker_thread_in_this_process_gives_the_local_results(files, fitted):
    distributed = pytest.importorskip("distributed")
    paths, _ = files
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            # TCP on loopback, as between processes (in-process workers
            # would otherwise talk over "inproc://", which takes no host).
            protocol="tcp://",
            host="127.0.0.1",
            # Any free port on loopback: with None the scheduler's HTTP server
            # still tries 8787, which the other cluster may hold.
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        labels = predict_files(fitted[0], paths, client=client, chunk_size=16)
        proba = predict_files(
            fitted[0], paths, client=client, chunk_size=16, method="predict_proba"
        )
    _assert_like_local(fitted, labels, proba)
