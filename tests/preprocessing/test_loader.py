"""ImageLoader: image files of any format, size and mode to one uint8 array."""

import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageOps
from sklearn.base import clone

from skcnn import ImageLoader, ImageResizer
from skcnn.preprocessing import _files
from tests._helpers import write_image


@pytest.fixture
def files(tmp_path):
    """One file per format and mode, all 12 wide and 10 high."""
    specs = {
        "gray.png": "L",
        "rgb.png": "RGB",
        "rgba.png": "RGBA",
        "palette.png": "P",
        "deep.png": "I;16",
        "photo.jpg": "RGB",
        "gray.jpg": "L",
        "cmyk.jpg": "CMYK",
        "bitmap.bmp": "RGB",
        "anim.gif": "P",
        "scan.tif": "RGB",
        "web.webp": "RGB",
        "bilevel.png": "1",
    }
    return {name: write_image(tmp_path / name, mode=m) for name, m in specs.items()}


@pytest.mark.parametrize(
    "name, grayscale",
    [
        ("gray.png", True),
        ("rgb.png", False),
        ("rgba.png", False),
        ("palette.png", False),
        ("deep.png", True),
        ("photo.jpg", False),
        ("gray.jpg", True),
        ("cmyk.jpg", False),
        ("bitmap.bmp", False),
        ("anim.gif", False),
        ("scan.tif", False),
        ("web.webp", False),
        ("bilevel.png", True),
    ],
)
def test_every_format_and_mode_loads_at_its_own_size(files, name, grayscale):
    loader = ImageLoader().fit([files[name]])
    images = loader.transform([files[name]])
    channels = 1 if grayscale else 3
    assert images.shape == (1, 10, 12, channels)
    assert images.dtype == np.uint8
    assert loader.color_mode_ == ("grayscale" if grayscale else "rgb")
    assert (loader.image_size_, loader.n_channels_) == ((10, 12), channels)
    # The gradient runs from dark on the left to bright on the right.
    assert images[0, :, 0, 0].mean() < images[0, :, -1, 0].mean()


def test_pixels_match_pillows_own_conversion(files):
    images = ImageLoader(color_mode="rgb").fit_transform(
        [files["rgb.png"], files["palette.png"], files["bitmap.bmp"]]
    )
    names = ["rgb.png", "palette.png", "bitmap.bmp"]
    for image, name in zip(images, names, strict=True):
        expected = np.asarray(Image.open(files[name]).convert("RGB"))
        np.testing.assert_array_equal(image, expected)
    gray = ImageLoader(color_mode="grayscale").fit_transform([files["rgb.png"]])
    luma = np.asarray(Image.open(files["rgb.png"]).convert("L"))
    np.testing.assert_array_equal(gray[0, ..., 0], luma)


def test_auto_color_mode_is_grayscale_only_if_every_image_is(files):
    grays = [files["gray.png"], files["deep.png"], files["gray.jpg"]]
    assert ImageLoader().fit(grays).color_mode_ == "grayscale"
    mixed = ImageLoader().fit(grays + [files["rgb.png"]])
    assert mixed.color_mode_ == "rgb"
    images = mixed.transform(grays)
    assert images.shape == (3, 10, 12, 3)
    # A grayscale image in RGB has three equal channels.
    np.testing.assert_array_equal(images[..., 0], images[..., 2])


def test_palette_with_gray_colours_counts_as_grayscale(tmp_path):
    path = tmp_path / "p.png"
    Image.fromarray(np.arange(120, dtype=np.uint8).reshape(10, 12)).convert("P").save(
        path
    )
    assert Image.open(path).mode == "P"
    assert ImageLoader().fit([path]).color_mode_ == "grayscale"


def test_sixteen_bit_png_is_scaled_to_eight_bits(tmp_path):
    values = np.array([[0, 257, 257 * 128, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    images = ImageLoader().fit_transform([tmp_path / "deep.png"])
    assert images[0, 0, :, 0].tolist() == [0, 1, 128, 255]


def test_alpha_is_composited_on_black(tmp_path):
    rgba = np.zeros((1, 3, 4), dtype=np.uint8)
    rgba[0, :, :3] = (200, 100, 50)
    rgba[0, :, 3] = (0, 255, 128)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    image = ImageLoader().fit_transform([tmp_path / "alpha.png"])[0, 0]
    assert image[0].tolist() == [0, 0, 0]
    assert image[1].tolist() == [200, 100, 50]
    np.testing.assert_allclose(image[2], [100, 50, 25], atol=1)
    gray = ImageLoader(color_mode="grayscale").fit_transform([tmp_path / "alpha.png"])
    assert gray[0, 0, 0, 0] == 0


def test_palette_transparency_is_composited_on_black(tmp_path):
    pixels = np.array([[0, 1, 2]], dtype=np.uint8)
    image = Image.fromarray(pixels, "L").convert("P")
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])
    image.save(tmp_path / "t.gif", transparency=1)
    loaded = ImageLoader().fit_transform([tmp_path / "t.gif"])[0, 0]
    assert loaded.tolist() == [[255, 0, 0], [0, 0, 0], [0, 0, 255]]


def test_cmyk_jpeg_is_converted_to_rgb(tmp_path):
    rgb = write_image(tmp_path / "rgb.png", size=(16, 16))
    cmyk = write_image(tmp_path / "cmyk.jpg", size=(16, 16), mode="CMYK", quality=95)
    images = ImageLoader().fit_transform([rgb, cmyk])
    error = np.abs(images[0].astype(int) - images[1].astype(int))
    assert error.mean() < 8


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(tmp_path, orientation):
    path = tmp_path / "rotated.jpg"
    image = Image.open(write_image(tmp_path / "plain.png", size=(30, 20)))
    exif = image.getexif()
    exif[0x0112] = orientation
    image.save(path, exif=exif, quality=95)
    loader = ImageLoader().fit([path])
    upright = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    assert loader.image_size_ == (upright.height, upright.width)
    np.testing.assert_array_equal(loader.transform([path])[0], np.asarray(upright))
    if orientation in (6, 8):
        assert loader.image_size_ == (30, 20)


def test_mixed_sizes_need_image_size(tmp_path):
    paths = [
        write_image(tmp_path / "a.png", size=(12, 10)),
        write_image(tmp_path / "b.png", size=(12, 10)),
        write_image(tmp_path / "c.png", size=(7, 5)),
    ]
    with pytest.raises(ValueError, match="2 different sizes") as error:
        ImageLoader().fit(paths)
    message = str(error.value)
    assert "10x12 in 2 file(s)" in message and "5x7 in 1 file(s)" in message
    assert "c.png" in message and "image_size=(height, width)" in message
    images = ImageLoader(image_size=(8, 8)).fit_transform(paths)
    assert images.shape == (3, 8, 8, 3)


def test_transform_resizes_other_sizes_to_the_fitted_size(tmp_path):
    small = write_image(tmp_path / "small.png", size=(12, 10))
    big = write_image(tmp_path / "big.png", size=(48, 40))
    loader = ImageLoader().fit([small])
    assert loader.transform([big]).shape == (1, 10, 12, 3)


def _stripes(path):
    """40 wide, 20 high: 10 columns of 0, 20 of 255, 10 of 128."""
    pixels = np.full((20, 40), 255, dtype=np.uint8)
    pixels[:, :10], pixels[:, 30:] = 0, 128
    Image.fromarray(pixels).save(path)
    return path


def test_keep_aspect_pad_keeps_everything_and_fills_with_zero(tmp_path):
    path = _stripes(tmp_path / "wide.png")
    image = ImageLoader(image_size=(10, 10)).fit_transform([path])[0, ..., 0]
    # Scaled to 10 x 5, centred: rows 0-1 and 7-9 are padding.
    assert not image[:2].any() and not image[7:].any()
    assert image[2:7, 4:6].min() == 255 and image[2:7, 0].max() < 10
    assert image[2:7, -1].min() > 100


def test_keep_aspect_crop_cuts_both_ends(tmp_path):
    path = _stripes(tmp_path / "wide.png")
    loader = ImageLoader(image_size=(10, 10), keep_aspect="crop")
    image = loader.fit_transform([path])[0, ..., 0]
    assert image[:, 2:8].min() == 255  # the middle 20 x 20 square
    assert image.min() > 128  # the black stripe is cut (edges blend a little)


def test_keep_aspect_false_stretches(tmp_path):
    path = _stripes(tmp_path / "wide.png")
    loader = ImageLoader(image_size=(10, 10), keep_aspect=False)
    image = loader.fit_transform([path])[0, ..., 0]
    assert image[:, 0].max() < 10 and image[:, 4:6].min() == 255
    assert image[:, -1].tolist() == [128] * 10


def test_image_size_int_is_a_square_and_downscaling_antialiases(tmp_path):
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    Image.fromarray(board).save(tmp_path / "board.png")
    image = ImageLoader(image_size=8).fit_transform([tmp_path / "board.png"])
    assert image.shape == (1, 8, 8, 1)
    assert np.abs(image.astype(int) - 127).max() <= 2  # gray, not aliased


def test_large_jpeg_downscale_matches_full_decode_closely(tmp_path):
    path = write_image(tmp_path / "big.jpg", size=(256, 256), quality=95)
    images = ImageLoader(image_size=(32, 32)).fit_transform([path])
    full = np.asarray(Image.open(path).convert("RGB"))
    reference = ImageResizer(image_size=(32, 32)).fit_transform(full[np.newaxis])
    assert np.abs(images.astype(int) - reference.astype(int)).max() <= 8


@pytest.mark.parametrize("orientation", [1, 6])
@pytest.mark.parametrize("keep_aspect", ["pad", "crop", False])
@pytest.mark.parametrize(
    "stored, size", [((400, 120), (40, 24)), ((120, 400), (60, 20)), ((256, 256), 32)]
)
def test_large_jpeg_decoded_at_reduced_scale_keeps_the_detail_it_needs(
    tmp_path, stored, size, keep_aspect, orientation
):
    # JPEG files are decoded at 1/2, 1/4 or 1/8 scale when that leaves twice
    # the resolution needed (in the stored orientation): the result stays
    # close to a full decode resized by ImageResizer, even for fine detail.
    rows, cols = np.mgrid[0 : stored[1], 0 : stored[0]]
    board = ((rows // 6 + cols // 6) % 2 * 255).astype(np.uint8)
    image = Image.fromarray(board).convert("RGB")
    exif = image.getexif()
    exif[0x0112] = orientation
    path = tmp_path / "photo.jpg"
    image.save(path, exif=exif, quality=95)
    loader = ImageLoader(image_size=size, keep_aspect=keep_aspect)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    resizer = ImageResizer(image_size=size, keep_aspect=keep_aspect)
    reference = resizer.fit_transform(upright[np.newaxis]).astype(int)
    assert np.abs(loader.fit_transform([path]) - reference).mean() < 8


def test_png_loading_equals_loading_then_resizing(files, tmp_path):
    paths = [files["rgb.png"], files["palette.png"]]
    native = ImageLoader().fit_transform(paths)
    for keep_aspect in ("pad", "crop", False):
        loaded = ImageLoader(image_size=(7, 5), keep_aspect=keep_aspect)
        resizer = ImageResizer(image_size=(7, 5), keep_aspect=keep_aspect)
        np.testing.assert_array_equal(
            loaded.fit_transform(paths), resizer.fit_transform(native)
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda paths: paths,
        lambda paths: tuple(paths),
        lambda paths: [str(p) for p in paths],
        lambda paths: [os.fsencode(p) for p in paths],
        lambda paths: np.array([str(p) for p in paths]),
        lambda paths: np.array(paths, dtype=object),
        lambda paths: np.array([str(p) for p in paths])[:, np.newaxis],
        lambda paths: pd.Series([str(p) for p in paths]),
    ],
    ids=["paths", "tuple", "str", "bytes", "str-array", "object", "column", "series"],
)
def test_sequences_of_paths(files, make):
    paths = [files["rgb.png"], files["gray.png"]]
    expected = ImageLoader().fit_transform(paths)
    np.testing.assert_array_equal(ImageLoader().fit_transform(make(paths)), expected)


@pytest.mark.parametrize(
    "X, error, match",
    [
        ("a.png", TypeError, "single path 'a.png': wrap it in a list"),
        (Path("a.png"), TypeError, "single path"),
        ([], ValueError, "empty sequence"),
        (["a.png", 3], TypeError, "got 3 of type int at position 1"),
        ([None], TypeError, "got None of type NoneType at position 0"),
        (np.array([["a", "b"]]), ValueError, r"1-D sequence .* shape \(1, 2\)"),
        (5, TypeError, "got int"),
    ],
)
def test_bad_sequences_of_paths(X, error, match):
    with pytest.raises(error, match=match):
        ImageLoader().fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"image_size": 0},
            "ImageLoader must be None, a positive int",
        ),
        ({"image_size": (28, 28, 3)}, "number of channels follows color_mode"),
        ({"image_size": "28"}, "image_size"),
        ({"image_size": (2.5, 3)}, "image_size"),
        (
            {"color_mode": "rgba"},
            "'color_mode' .* must be 'auto', 'rgb' or 'grayscale'",
        ),
        (
            {"keep_aspect": True},
            "'keep_aspect' .* must be 'pad', 'crop' or False",
        ),
        ({"keep_aspect": "fit"}, "keep_aspect"),
        (
            {"n_jobs": 0},
            "'n_jobs' .* must be None or a non-zero int",
        ),
    ],
)
def test_bad_parameters_fail_before_any_file_is_read(params, match):
    with pytest.raises(ValueError, match=match):
        ImageLoader(**params).fit(["does-not-exist.png"])


def _broken_files(tmp_path, files):
    empty = tmp_path / "empty.png"
    empty.touch()
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    data = Path(files["rgb.png"]).read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(data[: len(data) // 2])
    big = bytearray(Path(write_image(tmp_path / "big.png", size=(40, 30))).read_bytes())
    big[len(big) // 3 : len(big) // 3 + 20] = bytes(20)  # damaged pixel data
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(big)
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    return {
        "missing": (tmp_path / "missing.png", FileNotFoundError, "No such image file"),
        "empty": (empty, OSError, "it is empty"),
        "text": (text, OSError, "does not recognise it as an image"),
        "folder": (tmp_path, OSError, "it is a folder"),
        "loop": (loop, OSError, "symbolic links"),
        "truncated": (truncated, OSError, "truncated"),
        "corrupt": (corrupt, OSError, "broken data stream"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "empty", "text", "folder", "loop", "truncated", "corrupt"]
)
def test_unreadable_files_raise_errors_naming_them(tmp_path, files, case):
    path, error, match = _broken_files(tmp_path, files)[case]
    loader = ImageLoader(image_size=(4, 4), color_mode="rgb").fit([files["rgb.png"]])
    with pytest.raises(error, match=match) as raised:
        loader.transform([files["rgb.png"], path])
    assert repr(str(path)) in str(raised.value)
    if case not in ("truncated", "corrupt"):  # their headers are fine
        with pytest.raises(error, match=match):
            ImageLoader().fit([path])


def test_fit_reads_headers_only(tmp_path, files):
    broken = _broken_files(tmp_path, files)["truncated"][0]
    loader = ImageLoader().fit([broken])
    assert loader.image_size_ == (10, 10 + 2)
    with pytest.raises(OSError, match="truncated"):
        loader.transform([broken])


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        ImageLoader().fit([fifo])


def test_decompression_bomb_limit_raises_instead_of_decoding(tmp_path, monkeypatch):
    path = write_image(tmp_path / "huge.png", size=(40, 30))  # 1,200 pixels
    loader = ImageLoader(image_size=4)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow only warns
    with pytest.warns(Image.DecompressionBombWarning):
        with pytest.raises(OSError, match="huge.png.*40 x 30 .*MAX_IMAGE_PIXELS"):
            loader.fit_transform([path])
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow refuses
    with pytest.raises(OSError, match="huge.png.*bomb.*MAX_IMAGE_PIXELS"):
        loader.fit_transform([path])
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # no limit
    assert loader.fit_transform([path]).shape == (1, 4, 4, 3)


def test_non_utf8_file_names(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.png")
    as_str = os.fsdecode(name)
    assert "\udce9" in as_str
    # Errors name such a file readably, whether or not it could exist here.
    with pytest.raises(OSError, match=r"caf\\udce9-\\udcff-gone\.png"):
        ImageLoader().fit([as_str.replace(".png", "-gone.png")])
    try:
        open(name, "xb").close()
    except OSError as exc:
        pytest.skip(f"the file system refuses non-UTF-8 names: {exc}")
    write_image(as_str)
    np.testing.assert_array_equal(
        ImageLoader().fit_transform([name]), ImageLoader().fit_transform([as_str])
    )
    np.testing.assert_array_equal(
        ImageLoader().fit_transform([as_str])[0], np.asarray(Image.open(name))
    )


def test_threads_and_chunks_give_the_same_images(tmp_path, monkeypatch):
    paths = [
        write_image(tmp_path / f"{i}.png", size=(8 + i, 10), mode="RGB")
        for i in range(11)
    ]
    expected = ImageLoader(image_size=(6, 6)).fit_transform(paths)
    monkeypatch.setattr(_files, "_MIN_CHUNK", 4)
    for n_jobs in (None, 1, 2, -1):
        loader = ImageLoader(image_size=(6, 6), n_jobs=n_jobs)
        np.testing.assert_array_equal(loader.fit_transform(paths), expected)


def test_an_error_in_a_thread_names_the_file(tmp_path, files, monkeypatch):
    monkeypatch.setattr(_files, "_MIN_CHUNK", 2)
    bad = tmp_path / "bad.png"
    bad.write_text("no")
    paths = [files["rgb.png"]] * 5 + [bad] + [files["rgb.png"]] * 3
    loader = ImageLoader(image_size=4, color_mode="rgb", n_jobs=2)
    with pytest.raises(OSError, match="bad.png"):
        loader.fit_transform(paths)


def test_verbose_prints_progress_to_stderr(files, capsys, monkeypatch):
    monkeypatch.setattr(_files, "_MIN_CHUNK", 2)
    paths = [files["rgb.png"]] * 5
    ImageLoader().fit_transform(paths)
    assert capsys.readouterr() == ("", "")
    ImageLoader(verbose=1).fit_transform(paths)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert "reading image headers: 5/5" in lines
    assert lines[-3:] == [
        "loading images: 2/5",
        "loading images: 4/5",
        "loading images: 5/5",
    ]


def test_fit_transform_reads_files_once_when_nothing_is_learned(files, monkeypatch):
    calls = []
    real = _files.read_header
    monkeypatch.setattr(_files, "read_header", lambda p: calls.append(p) or real(p))
    paths = [files["rgb.png"], files["gray.png"]]
    fixed = ImageLoader(image_size=(5, 5), color_mode="rgb")
    images = fixed.fit_transform(paths)
    assert calls == []
    np.testing.assert_array_equal(images, fixed.fit(paths).transform(paths))
    assert len(calls) == 2


def test_clone_pickle_and_tags(files):
    loader = ImageLoader(image_size=(6, 6), n_jobs=2).fit([files["rgb.png"]])
    assert clone(loader).get_params() == loader.get_params()
    restored = pickle.loads(pickle.dumps(loader))
    np.testing.assert_array_equal(
        restored.transform([files["gray.png"]]), loader.transform([files["gray.png"]])
    )
    tags = loader.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
