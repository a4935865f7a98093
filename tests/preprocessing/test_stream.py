"""ImageStream: ImageLoader(stream=True), read batch by batch, scaled lazily."""

import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.model_selection import KFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_array

from skcnn import ImageLoader, ImageReshaper, ImageResizer, PixelScaler
from skcnn._param_validation import InvalidParameterError
from skcnn.preprocessing import ImageStream, _stream
from tests._helpers import imports_tensorflow, write_image

N_FILES = 23  # batches of 5 leave a last batch of 3
SIZE = (8, 10)


@pytest.fixture
def paths(tmp_path):
    """PNG and JPEG files of mixed sizes (at most 16 x 16) and modes, two folders."""
    paths = []
    for i in range(N_FILES):
        folder = tmp_path / ("a" if i % 2 else "b")
        folder.mkdir(exist_ok=True)
        size = (6 + i % 11, 5 + (3 * i) % 12)  # (width, height)
        mode = "L" if i % 5 == 0 else "RGB"
        suffix = ".jpg" if i % 3 == 0 else ".png"
        paths.append(str(write_image(folder / f"{i:02d}{suffix}", size, mode)))
    return paths


@pytest.fixture
def images(paths):
    return ImageLoader(image_size=SIZE).fit_transform(paths)


@pytest.fixture
def stream(paths):
    return ImageLoader(image_size=SIZE, stream=True).fit_transform(paths)


@pytest.fixture
def decoded(monkeypatch):
    """The number of files of each call decoding files for a stream."""
    calls = []
    original = _stream.decode_images

    def spy(paths, *args, **kwargs):
        calls.append(len(paths))
        return original(paths, *args, **kwargs)

    monkeypatch.setattr(_stream, "decode_images", spy)
    return calls


# -- the same pixels as in memory ------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"color_mode": "grayscale"},
        {"keep_aspect": "crop", "n_jobs": 2},
        {"keep_aspect": False, "color_mode": "rgb"},
    ],
    ids=["default", "grayscale", "crop-threads", "stretch"],
)
def test_stream_holds_the_pixels_of_the_in_memory_array(paths, params):
    expected = ImageLoader(image_size=SIZE, **params).fit_transform(paths)
    loader = ImageLoader(image_size=SIZE, stream=True, **params).fit(paths)
    stream = loader.transform(paths)
    assert isinstance(stream, ImageStream)
    assert stream.shape == expected.shape and stream.dtype == np.uint8
    assert (stream.color_mode, stream.n_channels) == (
        loader.color_mode_,
        loader.n_channels_,
    )
    assert np.array_equal(stream.read(), expected)
    assert np.array_equal(np.concatenate(list(stream.batches(5))), expected)


def test_without_image_size_the_common_size_seen_in_fit_is_used(tmp_path):
    same = [str(write_image(tmp_path / f"{i}.png", (7, 5))) for i in range(3)]
    stream = ImageLoader(stream=True).fit_transform(same)
    assert stream.shape == (3, 5, 7, 3)
    assert np.array_equal(stream.read(), ImageLoader().fit_transform(same))
    mixed = same + [str(write_image(tmp_path / "wide.png", (9, 5)))]
    with pytest.raises(ValueError, match="different sizes"):
        ImageLoader(stream=True).fit(mixed)


def test_stream_is_a_small_description_of_the_files(paths, stream):
    assert len(stream) == N_FILES and stream.ndim == 4
    assert stream.shape == (N_FILES, *SIZE, 3)
    assert stream.nbytes == N_FILES * 8 * 10 * 3
    assert stream.image_size == SIZE and stream.keep_aspect == "pad"
    assert repr(stream) == "ImageStream(23 files, image_size=(8, 10), color_mode='rgb')"
    assert stream.paths.dtype == object and stream.paths.tolist() == paths
    assert not stream.paths.flags.writeable
    assert len(pickle.dumps(stream)) < 100 * N_FILES  # the paths, not pixels


def test_loader_keeps_n_jobs_as_given_and_reads_nothing_before(tmp_path):
    missing = str(tmp_path / "missing.png")
    loader = ImageLoader(image_size=4, color_mode="rgb", n_jobs=-1, stream=True)
    stream = loader.fit_transform([missing])  # nothing left to learn: no read
    assert stream.n_jobs == -1
    with pytest.raises(FileNotFoundError, match=re.escape(repr(missing))):
        stream.read()


def test_stream_is_a_hyperparameter_like_the_others():
    loader = ImageLoader(stream=True)
    assert loader.get_params()["stream"] is True
    assert clone(loader).stream is True
    with pytest.raises(InvalidParameterError, match="'stream' parameter"):
        ImageLoader(stream="yes").fit(["a.png"])


# -- batches ---------------------------------------------------------------


def test_batches_cover_every_row_in_order_with_a_short_last_one(stream, images):
    batches = list(stream.batches(5))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    assert all(b.dtype == np.uint8 and b.shape[1:] == images.shape[1:] for b in batches)
    assert np.array_equal(np.concatenate(batches), images)
    assert [len(b) for b in stream.batches()] == [N_FILES]  # default batch_size
    assert np.array_equal(np.stack(list(stream)), images)  # image by image


def test_batch_size_is_checked_before_any_file_is_read(stream, decoded):
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter"):
        stream.batches(0)
    small = ImageStream(stream.paths, SIZE, batch_size=4)
    assert [len(b) for b in small.batches()] == [4] * 5 + [3]
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter"):
        ImageStream(stream.paths, SIZE, batch_size=2.5)
    assert decoded == [4] * 5 + [3]


# -- indexing --------------------------------------------------------------


def test_slices_integer_arrays_and_masks_give_new_streams(stream, images, decoded):
    order = np.random.default_rng(0).permutation(N_FILES)
    mask = np.arange(N_FILES) % 3 == 0
    selections = {
        "slice": (slice(10, 20), slice(10, 20)),
        "step": (slice(None, None, -4), slice(None, None, -4)),
        "int array": (order, order),
        "list": ([5, 2, 5], [5, 2, 5]),
        "mask": (mask, mask),
        "mask list": (mask.tolist(), mask),
    }
    parts = {name: stream[key] for name, (key, _) in selections.items()}
    assert decoded == []  # indexing reads no file
    for name, (_, expected) in selections.items():
        part = parts[name]
        assert isinstance(part, ImageStream), name
        assert np.array_equal(part.read(), images[expected]), name
        assert part.paths.tolist() == stream.paths[expected].tolist()
    assert len(stream) == N_FILES  # the original is left as it is


def test_an_int_decodes_one_image(stream, images):
    assert np.array_equal(stream[3], images[3])
    assert np.array_equal(stream[np.int64(-1)], images[-1])
    assert np.array_equal(stream.decode(-2), images[-2])
    assert stream.read(4).shape == (1, *images.shape[1:])
    assert np.array_equal(stream.read([7, 1]), images[[7, 1]])
    with pytest.raises(IndexError, match="out of range"):
        stream.decode(N_FILES)
    with pytest.raises(IndexError, match="out of bounds"):
        stream[[0, N_FILES]]


def test_empty_selection_is_an_empty_stream(stream):
    empty = stream[5:5]
    assert len(empty) == 0 and empty.shape == (0, *SIZE, 3)
    assert list(empty.batches(4)) == []
    assert empty.read().shape == (0, *SIZE, 3)
    assert len(stream[[]]) == 0


@pytest.mark.parametrize(
    "key, error, match",
    [
        ((slice(None), 0), IndexError, "whole images"),
        (True, TypeError, "indexed with an int"),
        (np.array([0.5]), TypeError, "indexed with an int"),
        (np.zeros((2, 2), dtype=int), TypeError, "1-D integer"),
        (np.ones(3, dtype=bool), IndexError, "must have 23 values, got 3"),
    ],
)
def test_bad_keys_are_refused(stream, key, error, match):
    with pytest.raises(error, match=match):
        stream[key]


def test_scikit_learn_splits_a_stream(stream, images):
    rows = np.array([3, 0, 9])
    assert np.array_equal(_safe_indexing(stream, rows).read(), images[rows])
    mask = np.arange(N_FILES) < 4
    assert np.array_equal(_safe_indexing(stream, mask).read(), images[:4])
    y = np.arange(N_FILES)
    s_train, s_test, y_train, y_test = train_test_split(stream, y, random_state=0)
    assert isinstance(s_train, ImageStream) and len(s_train) == len(y_train)
    assert np.array_equal(s_test.read(), images[y_test])
    train, test = next(KFold(3).split(stream))
    assert len(train) + len(test) == N_FILES


def test_a_stream_never_turns_into_an_array_implicitly(stream, decoded):
    with pytest.raises(TypeError, match=r"all 23 images \(5.5 kB\).*stream.read\(\)"):
        np.asarray(stream)
    with pytest.raises(TypeError, match="does not turn into an array"):
        check_array(stream, allow_nd=True)
    assert decoded == []


# -- pickling --------------------------------------------------------------


def test_pickle_round_trip_gives_the_same_batches(stream):
    scaled = PixelScaler().fit(stream).transform(stream)[2:19]
    for original in (stream, scaled):
        copy = pickle.loads(pickle.dumps(original))
        assert repr(copy) == repr(original)
        assert np.array_equal(copy.paths, original.paths)
        for a, b in zip(copy.batches(5), original.batches(5), strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)


# -- unreadable files ------------------------------------------------------


def test_a_file_damaged_after_fit_is_named_when_its_batch_is_read(paths, images):
    stream = ImageLoader(stream=True, image_size=SIZE).fit_transform(paths)
    damaged = Path(paths[13])
    data = damaged.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    batches = stream.batches(5)
    for start in (0, 5):  # the batches before it are read
        assert np.array_equal(next(batches), images[start : start + 5])
    with pytest.raises(OSError, match=re.escape(repr(str(damaged)))):
        next(batches)
    with pytest.raises(OSError, match=re.escape(repr(str(damaged)))):
        PixelScaler(method="standard").fit(stream)
    Path(paths[2]).unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(repr(paths[2]))):
        stream.decode(2)


# -- PixelScaler -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"max_value": 200.0, "dtype": "float16"},
        {"method": "standard"},
        {"method": "standard", "dtype": "float64"},
    ],
    ids=["minmax", "max_value-float16", "standard", "standard-float64"],
)
def test_pixel_scaler_scales_a_stream_as_the_array(stream, images, params):
    scaler = PixelScaler(**params).fit(images)
    expected = scaler.transform(images)
    scaled = scaler.transform(stream)
    assert isinstance(scaled, ImageStream) and scaled.dtype == expected.dtype
    assert repr(scaled).endswith(f"scaled to {expected.dtype.name})")
    assert np.array_equal(scaled.read(), expected)
    assert np.array_equal(np.concatenate(list(scaled.batches(5))), expected)
    assert np.array_equal(scaled[[4, 1]].read(), expected[[4, 1]])
    assert np.array_equal(scaled.decode(6), expected[6])
    assert stream.dtype == np.uint8  # the input stream is left as it is


def test_pixel_scaler_learns_from_a_stream_what_it_learns_from_the_array(
    paths, images, decoded
):
    stream = ImageStream(paths, SIZE, batch_size=5)
    minmax = PixelScaler().fit(stream)
    assert minmax.max_value_ == 255.0 and minmax.n_features_in_ == 8 * 10 * 3
    assert decoded == []  # uint8 pixels: nothing to read
    standard = PixelScaler(method="standard").fit(stream)
    # One pass, one batch at a time.
    assert decoded == [5, 5, 5, 5, 3]
    reference = PixelScaler(method="standard").fit(images)
    np.testing.assert_array_equal(standard.mean_, reference.mean_)  # exact sums
    np.testing.assert_allclose(standard.std_, reference.std_, rtol=1e-13)
    np.testing.assert_allclose(
        standard.transform(stream).read(), reference.transform(images), rtol=1e-6
    )


def test_pixel_scaler_learns_from_a_scaled_stream_in_one_pass(paths, images, decoded):
    stream = ImageStream(paths, SIZE, batch_size=5)
    first = PixelScaler(method="standard", dtype="float64").fit(images)
    scaled = first.transform(stream)
    second = PixelScaler(max_value=None).fit(scaled)
    assert decoded == [5, 5, 5, 5, 3]
    expected_first = first.transform(images)
    assert second.max_value_ == expected_first.max()
    decoded.clear()
    third = PixelScaler(method="standard").fit(scaled)
    assert decoded == [5, 5, 5, 5, 3]
    reference = PixelScaler(method="standard").fit(expected_first)
    np.testing.assert_allclose(third.mean_, reference.mean_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(third.std_, reference.std_, rtol=1e-12)
    # Chained scalings come out as the arrays scaled twice.
    twice = reference.transform(expected_first)
    assert np.array_equal(reference.transform(scaled).read(), twice)


def test_constant_channels_scale_to_zero(tmp_path):
    paths = [str(tmp_path / f"{i}.png") for i in range(3)]
    for path in paths:
        Image.new("RGB", (4, 4), (10, 20, 30)).save(path)
    stream = ImageStream(paths, 4, keep_aspect=False)
    scaler = PixelScaler(method="standard").fit(stream)
    assert scaler.mean_.tolist() == [10, 20, 30] and scaler.std_.tolist() == [1, 1, 1]
    assert not scaler.transform(stream).read().any()


def test_pixel_scaler_pipeline_and_its_errors_on_streams(paths, stream, images):
    pipeline = make_pipeline(
        ImageLoader(image_size=SIZE, stream=True), PixelScaler(method="standard")
    )
    out = pipeline.fit_transform(paths)
    assert isinstance(out, ImageStream)
    expected = make_pipeline(
        ImageLoader(image_size=SIZE), PixelScaler(method="standard")
    ).fit_transform(paths)
    np.testing.assert_allclose(out.read(), expected, rtol=1e-6)
    scaler = pipeline[-1]
    with pytest.raises(TypeError, match="inverse_transform takes arrays"):
        scaler.inverse_transform(out)
    gray = ImageLoader(image_size=SIZE, color_mode="grayscale", stream=True)
    with pytest.raises(ValueError, match="expecting 240 features"):
        scaler.transform(gray.fit_transform(paths))
    by_channel = PixelScaler(method="standard").fit(images.reshape(-1, 8, 30, 1))
    with pytest.raises(ValueError, match="fitted on 1 channels"):
        by_channel.transform(stream)
    with pytest.raises(ValueError, match="0 sample"):
        PixelScaler().fit(stream[:0])


def test_scaled_checks_its_arguments(stream):
    with pytest.raises(InvalidParameterError, match="'dtype' parameter"):
        stream.scaled(255.0, dtype="int8")
    with pytest.raises(ValueError, match="positive, finite divisors"):
        stream.scaled([1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"one per channel \(3\), got 2"):
        stream.scaled(1.0, offset=[1.0, 2.0])
    shifted = stream.scaled(2.0, offset=[0.0, 10.0, 0.0], dtype="float64")
    assert np.array_equal(shifted.decode(0)[..., 1], (stream[0][..., 1] - 10.0) / 2)


# -- other consumers -------------------------------------------------------


def test_other_transformers_refuse_a_stream_and_say_what_to_do(stream, images):
    with pytest.raises(TypeError, match="ImageStream.*leave ImageReshaper out"):
        ImageReshaper().fit(stream)
    reshaper = ImageReshaper().fit(images)
    for method in (reshaper.transform, reshaper.inverse_transform):
        with pytest.raises(TypeError, match="ImageStream"):
            method(stream)
    with pytest.raises(TypeError, match=r"ImageStream.*ImageLoader\(image_size="):
        ImageResizer(image_size=4).fit(stream)
    with pytest.raises(TypeError, match="ImageStream"):
        ImageResizer(image_size=4).fit(images).transform(stream)
    with pytest.raises(TypeError, match="stream.paths"):
        ImageLoader(image_size=4).fit(stream)


@pytest.mark.slow
def test_streaming_imports_no_tensorflow(tmp_path):
    path = str(write_image(tmp_path / "x.png"))
    statement = (
        "import pickle; from skcnn.preprocessing import ImageLoader, PixelScaler; "
        f"s = ImageLoader(image_size=4, stream=True).fit_transform([{path!r}]); "
        "s = PixelScaler(method='standard').fit(s).transform(s); "
        "pickle.loads(pickle.dumps(s)).read(); list(s.batches(1))"
    )
    assert not imports_tensorflow(statement)


# -- the on-disk cache of decoded pixels -------------------------------------


def test_cached_stream_decodes_each_file_once(paths, images, decoded, tmp_path):
    cache = tmp_path / "cache"
    loader = ImageLoader(image_size=SIZE, stream=True, cache_dir=cache)
    stream = loader.fit_transform(paths)
    assert stream.cache_dir == str(cache)
    np.testing.assert_array_equal(stream.read(), images)
    assert sum(decoded) == N_FILES and len(list(cache.glob("*.npy"))) == N_FILES
    # Read again, in any order and through sub-streams: nothing decoded.
    decoded.clear()
    np.testing.assert_array_equal(stream[::-1].read(), images[::-1])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(stream)).read(), images)
    assert decoded == []
    # Scaled streams scale the cached pixels.
    scaled = PixelScaler().fit_transform(stream)
    np.testing.assert_array_equal(scaled.read(), PixelScaler().fit_transform(images))
    assert decoded == [] and not list(cache.glob(".*.tmp-*"))


def test_a_file_changed_since_is_decoded_again(paths, tmp_path, decoded):
    stream = ImageStream(paths, SIZE, cache_dir=tmp_path / "cache")
    before = stream.decode(3)
    write_image(paths[3], (5, 16), "L")  # new content, size and time
    decoded.clear()
    after = stream.decode(3)
    assert decoded == [1] and not np.array_equal(after, before)
    np.testing.assert_array_equal(after, ImageStream(paths[3:4], SIZE).read()[0])


def test_a_damaged_cache_file_is_decoded_again(paths, images, tmp_path):
    cache = tmp_path / "cache"
    stream = ImageStream(paths, SIZE, cache_dir=cache)
    stream.read()
    for name in sorted(cache.glob("*.npy"))[:3]:
        name.write_bytes(b"not an array")
    np.testing.assert_array_equal(stream.read(), images)


def test_cache_dir_needs_a_stream(paths, tmp_path):
    with pytest.raises(InvalidParameterError, match="'cache_dir' parameter"):
        ImageLoader(image_size=SIZE, cache_dir=tmp_path).fit(paths)
