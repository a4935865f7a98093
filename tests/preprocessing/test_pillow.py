"""The Pillow layer under ImageLoader, ImageResizer and load_image_folder.

Its parameter checks, header reading, decoding rules and geometry, tested
directly on image files written here and decoded by Pillow.
"""

import errno
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps, JpegImagePlugin

from skcnn._param_validation import InvalidParameterError
from skcnn.preprocessing import _pillow
from skcnn.preprocessing._pillow import (
    Header,
    ImageFileError,
    check_color_mode,
    check_image_size,
    check_keep_aspect,
    check_n_jobs,
    decode_into,
    describe,
    fit_geometry,
    read_header,
    resize_into,
    stat_path,
)
from tests._helpers import write_image

# ----------------------------------------------------------------------
# Parameter checks


def test_image_extensions_are_lowercase_suffixes_that_pillow_reads(tmp_path):
    Image.init()
    registered = Image.registered_extensions()
    for extension in _pillow.IMAGE_EXTENSIONS:
        assert extension.startswith(".") and extension == extension.lower()
        assert extension in registered, extension
        path = write_image(tmp_path / f"image{extension}")
        assert read_header(path).size == (10, 12), extension


@pytest.mark.parametrize(
    "image_size, expected",
    [
        (None, None),
        (5, (5, 5)),
        (np.int64(3), (3, 3)),
        ((4, 6), (4, 6)),
        ([4, 6], (4, 6)),
        (np.array([2, 3]), (2, 3)),
        ((np.int32(7), 8), (7, 8)),
    ],
)
def test_check_image_size_accepts_ints_and_pairs(image_size, expected):
    size = check_image_size(image_size, "Owner")
    assert size == expected
    if size is not None:
        assert type(size) is tuple and all(type(v) is int for v in size)


@pytest.mark.parametrize(
    "image_size", [0, -2, True, 2.0, "28", (3,), (0, 5), (2.0, 3), (True, 4), (4, 5, 6)]
)
def test_check_image_size_rejects_other_values_naming_them(image_size):
    with pytest.raises(InvalidParameterError) as raised:
        check_image_size(image_size, "Owner")
    expected = (
        "The 'image_size' parameter of Owner must be None, a positive int or a "
        f"(height, width) tuple of positive ints. Got {image_size!r} instead."
    )
    if image_size == (4, 5, 6):
        expected += " The number of channels follows color_mode."
    assert str(raised.value) == expected


def test_check_image_size_without_none():
    with pytest.raises(InvalidParameterError) as raised:
        check_image_size(None, "resize", allow_none=False)
    assert str(raised.value) == (
        "The 'image_size' parameter of resize must be a positive int or a "
        "(height, width) tuple of positive ints. Got None instead."
    )
    assert check_image_size(9, "resize", allow_none=False) == (9, 9)


@pytest.mark.parametrize(
    "keep_aspect, expected",
    [("pad", "pad"), ("crop", "crop"), (False, False), (np.False_, False)],
)
def test_check_keep_aspect_accepts_its_three_values(keep_aspect, expected):
    result = check_keep_aspect(keep_aspect, "Owner")
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("keep_aspect", [True, None, 0, "Pad", "fit", np.True_])
def test_check_keep_aspect_rejects_anything_else(keep_aspect):
    with pytest.raises(InvalidParameterError) as raised:
        check_keep_aspect(keep_aspect, "Owner")
    assert str(raised.value) == (
        "The 'keep_aspect' parameter of Owner must be 'pad', 'crop' or False. "
        f"Got {keep_aspect!r} instead."
    )


def test_check_color_mode():
    for mode in ("auto", "rgb", "grayscale"):
        assert check_color_mode(mode, "Owner") == mode
    for bad in ("RGB", "gray", None, 3):
        with pytest.raises(InvalidParameterError) as raised:
            check_color_mode(bad, "Owner")
        assert str(raised.value) == (
            "The 'color_mode' parameter of Owner must be 'auto', 'rgb' or "
            f"'grayscale'. Got {bad!r} instead."
        )


def test_check_n_jobs_counts_threads_as_joblib_does(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    cases = {None: 1, 1: 1, 4: 4, -1: 8, -2: 7, -8: 1, -20: 1}
    assert {n: check_n_jobs(n, "Owner") for n in cases} == cases
    count = check_n_jobs(np.int64(3), "Owner")
    assert count == 3 and type(count) is int
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one core
    assert check_n_jobs(-1, "Owner") == 1


@pytest.mark.parametrize("n_jobs", [0, 1.5, True, "2"])
def test_check_n_jobs_rejects_zero_and_non_ints(n_jobs):
    with pytest.raises(InvalidParameterError) as raised:
        check_n_jobs(n_jobs, "Owner")
    assert str(raised.value) == (
        "The 'n_jobs' parameter of Owner must be None or a non-zero int (-1: one "
        f"thread per CPU core). Got {n_jobs!r} instead."
    )


# ----------------------------------------------------------------------
# Paths in messages and stat


def test_describe_shows_paths_as_repr():
    assert describe("a b.png") == "'a b.png'"
    assert describe(Path("dir") / "x.png") == repr(os.path.join("dir", "x.png"))
    assert describe(b"caf\xe9.png") == "b'caf\\xe9.png'"
    assert describe("caf\udce9.png") == "'caf\\udce9.png'"


def test_image_file_error_is_an_os_error():
    assert issubclass(ImageFileError, OSError)


def test_stat_path(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"12345")
    assert stat_path(path, "file").st_size == 5
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as raised:
        stat_path(missing, "folder")
    assert str(raised.value) == f"No such folder: {str(missing)!r}."
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(OSError) as raised:
        stat_path(loop, "folder")
    assert type(raised.value) is OSError
    reason = os.strerror(errno.ELOOP)
    assert str(raised.value) == f"Cannot read folder {str(loop)!r}: {reason}."
    with pytest.raises(ImageFileError, match="Cannot read image file"):
        stat_path(loop, "image file", ImageFileError)


# ----------------------------------------------------------------------
# Headers


def _palette_image(path, gray):
    """A 4 x 2 palette PNG whose palette is gray or holds a colour."""
    image = Image.fromarray(np.array([[0, 1, 2, 1], [2, 1, 0, 0]], dtype=np.uint8))
    image = image.convert("P")
    colours = [0, 0, 0, 128, 128, 128, 255, 255, 255]
    if not gray:
        colours[6:9] = [255, 0, 0]
    image.putpalette(colours)
    image.save(path)
    return path


@pytest.mark.parametrize(
    "name, mode, grayscale",
    [
        ("l.png", "L", True),
        ("bilevel.png", "1", True),
        ("deep.png", "I;16", True),
        ("gray.jpg", "L", True),
        ("rgb.png", "RGB", False),
        ("rgba.png", "RGBA", False),
        ("cmyk.jpg", "CMYK", False),
        ("rgb.tif", "RGB", False),
    ],
)
def test_read_header_size_and_colour(tmp_path, name, mode, grayscale):
    path = write_image(tmp_path / name, size=(12, 10), mode=mode)
    assert read_header(path) == Header(size=(10, 12), grayscale=grayscale)


def test_read_header_palettes_and_gray_with_alpha(tmp_path):
    assert read_header(_palette_image(tmp_path / "g.png", gray=True)).grayscale
    assert not read_header(_palette_image(tmp_path / "c.png", gray=False)).grayscale
    pixels = np.zeros((3, 5, 2), dtype=np.uint8)
    Image.fromarray(pixels, "LA").save(tmp_path / "la.png")
    assert read_header(tmp_path / "la.png") == Header(size=(3, 5), grayscale=True)


def test_read_header_reads_only_the_header(tmp_path):
    data = Path(write_image(tmp_path / "whole.png", size=(30, 20))).read_bytes()
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(data[: len(data) // 2])
    assert read_header(truncated).size == (20, 30)
    out = np.zeros((20, 30, 3), dtype=np.uint8)
    with pytest.raises(ImageFileError) as raised:
        decode_into(truncated, out, "pad")
    message = str(raised.value)
    assert message.startswith(f"Cannot read image file {str(truncated)!r}: OSError: ")
    assert "truncated" in message


def _unreadable(tmp_path, case):
    path = tmp_path / f"{case}.png"
    if case == "empty":
        path.touch()
    elif case == "text":
        path.write_text("not an image")
    elif case == "folder":
        path.mkdir()
    elif case == "fifo":
        os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "case, error, reason",
    [
        ("missing", FileNotFoundError, None),
        ("empty", ImageFileError, "it is empty."),
        ("folder", ImageFileError, "it is a folder."),
        ("fifo", ImageFileError, "it is not a regular file."),
        (
            "text",
            ImageFileError,
            "Pillow does not recognise it as an image (is it a damaged file or "
            "another kind of file with an image extension?).",
        ),
    ],
)
def test_unreadable_files_are_named_in_one_message(tmp_path, case, error, reason):
    path = _unreadable(tmp_path, case)
    expected = (
        f"No such image file: {str(path)!r}."
        if reason is None
        else f"Cannot read image file {str(path)!r}: {reason}"
    )
    out = np.zeros((4, 4, 3), dtype=np.uint8)
    for read in (read_header, lambda p: decode_into(p, out, "pad")):
        with pytest.raises(error) as raised:
            read(path)
        assert type(raised.value) is error
        assert str(raised.value) == expected


def test_errors_of_pillows_plugins_on_opening_are_wrapped(tmp_path, monkeypatch):
    path = write_image(tmp_path / "fine.png")

    def opener(error):
        def open_(*args, **kwargs):
            raise error

        return open_

    monkeypatch.setattr(Image, "open", opener(KeyError("tRNS")))
    with pytest.raises(ImageFileError) as raised:
        read_header(path)
    assert str(raised.value) == (
        f"Cannot read image file {str(path)!r}: KeyError: 'tRNS'"
    )
    monkeypatch.setattr(Image, "open", opener(MemoryError()))
    with pytest.raises(MemoryError):  # not hidden behind a file error
        read_header(path)


def test_pixel_limit_is_checked_before_decoding(tmp_path, monkeypatch):
    path = write_image(tmp_path / "big.png", size=(40, 30))  # 1,200 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # Pillow only warns
    with pytest.warns(Image.DecompressionBombWarning):
        with pytest.raises(ImageFileError) as raised:
            read_header(path)
    assert str(raised.value) == (
        f"Cannot read image file {str(path)!r}: it has 40 x 30 pixels, more "
        "than PIL.Image.MAX_IMAGE_PIXELS (1000), Pillow's guard against "
        "decompression bombs. Raise that limit only for files you trust."
    )
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)  # Pillow refuses
    with pytest.raises(ImageFileError) as raised:
        read_header(path)
    message = str(raised.value)
    assert message.startswith(f"Cannot read image file {str(path)!r}: ")
    assert message.endswith(
        "Raise PIL.Image.MAX_IMAGE_PIXELS only for files you trust."
    )
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert read_header(path).size == (30, 40)


# ----------------------------------------------------------------------
# EXIF orientation


def _oriented(path, orientation, **options):
    """A 5 x 3 RGB image, every pixel different, with an EXIF orientation."""
    pixels = (np.arange(5 * 3 * 3).reshape(3, 5, 3) * 5).astype(np.uint8)
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = orientation
    image.save(path, exif=exif, **options)
    return path


def _assert_decoded_upright(path, orientation):
    """read_header and decode_into agree with Pillow's own exif_transpose."""
    upright = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    assert upright.shape[:2] == ((3, 5) if orientation < 5 else (5, 3))
    assert read_header(path).size == upright.shape[:2]
    out = np.zeros(upright.shape, dtype=np.uint8)
    decode_into(path, out, False)
    np.testing.assert_array_equal(out, upright)


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize(
    "extension, options",
    [("png", {}), ("jpg", {"quality": 95}), ("webp", {"lossless": True})],
)
def test_orientation_is_applied_as_pillow_applies_it(
    tmp_path, extension, options, orientation
):
    path = _oriented(tmp_path / f"photo.{extension}", orientation, **options)
    _assert_decoded_upright(path, orientation)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_tiff_orientation_is_applied_once(tmp_path, orientation):
    # Pillow 13 turns TIFF images itself, earlier releases leave it to skcnn:
    # either way the result is Pillow's own exif_transpose.
    _assert_decoded_upright(_oriented(tmp_path / "scan.tif", orientation), orientation)


def test_a_damaged_exif_block_shows_the_image_as_stored(tmp_path):
    path = tmp_path / "damaged.png"
    pixels = (np.arange(6 * 4 * 3).reshape(4, 6, 3) * 3).astype(np.uint8)
    Image.fromarray(pixels).save(path, exif=b"Exif\x00\x00garbage")
    assert "exif" in Image.open(path).info
    assert read_header(path) == Header(size=(4, 6), grayscale=False)
    out = np.zeros((4, 6, 3), dtype=np.uint8)
    decode_into(path, out, "pad")
    np.testing.assert_array_equal(out, pixels)


# ----------------------------------------------------------------------
# Decoding rules


def test_colour_follows_the_output_channels(tmp_path):
    rgb = write_image(tmp_path / "rgb.png")
    gray = np.zeros((10, 12, 1), dtype=np.uint8)
    decode_into(rgb, gray, "pad")
    np.testing.assert_array_equal(
        gray[..., 0], np.asarray(Image.open(rgb).convert("L"))
    )
    colour = np.zeros((10, 12, 3), dtype=np.uint8)
    decode_into(write_image(tmp_path / "l.png", mode="L"), colour, "pad")
    expected = np.asarray(Image.open(tmp_path / "l.png"))
    for channel in range(3):
        np.testing.assert_array_equal(colour[..., channel], expected)


def _decode_row(path, width):
    out = np.zeros((1, width, 1), dtype=np.uint8)
    decode_into(path, out, False)
    return out[0, :, 0].tolist()


def test_sixteen_bit_pixels_are_rounded_to_eight_bits(tmp_path):
    values = np.array([[0, 128, 129, 32767, 32896, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    expected = np.round(values[0] / 257).astype(int).tolist()
    assert expected == [0, 0, 1, 127, 128, 255]
    assert _decode_row(tmp_path / "deep.png", 6) == expected


def test_thirty_two_bit_pixels_are_clipped_to_sixteen_bits_then_scaled(tmp_path):
    values = np.array([[-10, 0, 257, 65535, 200000]], dtype=np.int32)
    Image.fromarray(values, "I").save(tmp_path / "wide.tif")
    assert Image.open(tmp_path / "wide.tif").mode == "I"
    assert _decode_row(tmp_path / "wide.tif", 5) == [0, 0, 1, 255, 255]


def test_float_pixels_are_clipped_and_rounded_half_to_even(tmp_path):
    values = np.array([[-5.0, 0.4, 0.6, 1.5, 2.5, 254.5, 300.0]], dtype=np.float32)
    Image.fromarray(values, "F").save(tmp_path / "float.tif")
    assert Image.open(tmp_path / "float.tif").mode == "F"
    assert _decode_row(tmp_path / "float.tif", 7) == [0, 0, 1, 2, 2, 254, 255]


def test_a_colour_key_is_transparent_and_becomes_black(tmp_path):
    image = Image.new("RGB", (4, 2), (10, 20, 30))
    image.putpixel((0, 0), (1, 2, 3))
    image.putpixel((3, 1), (1, 2, 3))
    image.save(tmp_path / "key.png", transparency=(1, 2, 3))
    out = np.zeros((2, 4, 3), dtype=np.uint8)
    decode_into(tmp_path / "key.png", out, "pad")
    expected = np.tile(np.array([10, 20, 30], dtype=np.uint8), (2, 4, 1))
    expected[0, 0] = expected[1, 3] = 0
    np.testing.assert_array_equal(out, expected)


def test_gray_with_alpha_is_composited_on_black(tmp_path):
    pixels = np.array([[[100, 0], [100, 255], [100, 128]]], dtype=np.uint8)
    Image.fromarray(pixels, "LA").save(tmp_path / "la.png")
    row = np.array(_decode_row(tmp_path / "la.png", 3))
    np.testing.assert_allclose(row, [0, 100, 50], atol=1)
    out = np.zeros((1, 3, 3), dtype=np.uint8)
    decode_into(tmp_path / "la.png", out, "pad")
    np.testing.assert_allclose(out[0, :, 1], [0, 100, 50], atol=1)


def test_animated_files_give_their_first_frame(tmp_path):
    first, second = Image.new("L", (4, 3), 50), Image.new("L", (4, 3), 200)
    first.save(tmp_path / "anim.gif", save_all=True, append_images=[second])
    assert Image.open(tmp_path / "anim.gif").n_frames == 2
    out = np.zeros((3, 4, 1), dtype=np.uint8)
    decode_into(tmp_path / "anim.gif", out, "pad")
    assert (out == 50).all()


def test_other_decoding_failures_are_wrapped_with_the_file_name(tmp_path, monkeypatch):
    path = write_image(tmp_path / "fine.png")
    out = np.zeros((10, 12, 3), dtype=np.uint8)

    def fail(img, mode):
        raise ValueError("unsupported mode")

    monkeypatch.setattr(_pillow, "_flatten", fail)
    with pytest.raises(ImageFileError) as raised:
        decode_into(path, out, "pad")
    assert str(raised.value) == (
        f"Cannot read image file {str(path)!r}: ValueError: unsupported mode"
    )

    def exhaust(img, mode):
        raise MemoryError

    monkeypatch.setattr(_pillow, "_flatten", exhaust)
    with pytest.raises(MemoryError):  # not hidden behind a file error
        decode_into(path, out, "pad")


def test_large_jpeg_is_drafted_at_twice_the_needed_size(tmp_path, monkeypatch):
    drafts = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        drafts.append((mode, size))
        return original(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    path = write_image(tmp_path / "big.jpg", size=(256, 256), quality=95)
    small = np.zeros((16, 16, 3), dtype=np.uint8)
    decode_into(path, small, "pad")
    assert drafts == [("RGB", (32, 32))]
    # Cropping a 400 x 120 photo to 40 x 24 keeps a 200 x 120 box, scaled by
    # 0.2: the whole file is needed at 80 x 24, so twice that is asked for.
    wide = write_image(tmp_path / "wide.jpg", size=(400, 120), quality=95)
    decode_into(wide, np.zeros((24, 40, 1), dtype=np.uint8), "crop")
    assert drafts[1] == ("L", (160, 48))
    # No reduction when the file is not over twice the needed size.
    drafts.clear()
    decode_into(path, np.zeros((200, 200, 3), dtype=np.uint8), "pad")
    assert drafts == []
    reference = np.zeros((16, 16, 3), dtype=np.uint8)
    resize_into(Image.open(path).convert("RGB"), reference, "pad")
    assert np.abs(small.astype(int) - reference.astype(int)).max() <= 8


# ----------------------------------------------------------------------
# Geometry


@pytest.mark.parametrize(
    "size, target, keep_aspect, expected",
    [
        ((40, 20), (10, 10), "pad", ((10, 5), None, (0, 2))),
        ((20, 40), (10, 10), "pad", ((5, 10), None, (2, 0))),
        ((4, 2), (8, 8), "pad", ((8, 4), None, (0, 2))),
        ((20, 20), (10, 10), "pad", ((10, 10), None, (0, 0))),
        ((1000, 1), (10, 10), "pad", ((10, 1), None, (0, 4))),
        ((40, 20), (10, 10), "crop", ((10, 10), (10.0, 0.0, 30.0, 20.0), (0, 0))),
        ((20, 40), (10, 10), "crop", ((10, 10), (0.0, 10.0, 20.0, 30.0), (0, 0))),
        ((40, 20), (10, 10), False, ((10, 10), None, (0, 0))),
        ((3, 7), (12, 5), False, ((12, 5), None, (0, 0))),
    ],
)
def test_fit_geometry(size, target, keep_aspect, expected):
    assert fit_geometry(size, target, keep_aspect) == expected


def test_pad_fits_inside_the_target_and_centres_the_image():
    target = (7, 5)
    for w in range(1, 31):
        for h in range(1, 31):
            (rw, rh), box, (left, top) = fit_geometry((w, h), target, "pad")
            assert box is None
            assert 1 <= rw <= 7 and 1 <= rh <= 5
            assert rw == 7 or rh == 5  # one side fills the target
            assert left == (7 - rw) // 2 and top == (5 - rh) // 2
            # The aspect ratio is kept to within the rounding of one pixel.
            assert abs(rw * h - rh * w) <= max(w, h)


def test_crop_box_lies_inside_the_image_with_the_target_aspect():
    target = (7, 5)
    for w in range(1, 31):
        for h in range(1, 31):
            resized, box, offset = fit_geometry((w, h), target, "crop")
            assert resized == target and offset == (0, 0)
            left, top, right, bottom = box
            assert 0 <= left <= right <= w and 0 <= top <= bottom <= h
            assert (right - left) * 5 == pytest.approx((bottom - top) * 7)
            assert right - left == pytest.approx(w) or bottom - top == pytest.approx(h)
            assert left == pytest.approx(w - right) and top == pytest.approx(h - bottom)


def test_resize_into_copies_an_image_of_the_target_size_exactly():
    pixels = np.arange(6 * 4 * 3, dtype=np.uint8).reshape(4, 6, 3)
    out = np.zeros((4, 6, 3), dtype=np.uint8)
    resize_into(Image.fromarray(pixels), out, "pad")
    np.testing.assert_array_equal(out, pixels)


def test_resize_into_pads_with_the_zeros_already_there():
    out = np.zeros((8, 8, 1), dtype=np.uint8)
    resize_into(Image.new("L", (4, 2), 255), out, "pad")
    assert (out[2:6] == 255).all()
    assert not out[:2].any() and not out[6:].any()


def test_resize_into_crops_the_middle():
    pixels = np.full((20, 40), 255, dtype=np.uint8)
    pixels[:, :10], pixels[:, 30:] = 0, 90
    out = np.zeros((10, 10, 1), dtype=np.uint8)
    resize_into(Image.fromarray(pixels), out, "crop")
    assert (out[:, 1:9] == 255).all()
    assert out.min() > 90  # both outer stripes are cut; the edges blend a little


def test_resize_into_stretches_as_pillow_does():
    pixels = (np.arange(9 * 13).reshape(9, 13) * 2 % 256).astype(np.uint8)
    image = Image.fromarray(pixels)
    out = np.zeros((4, 6, 1), dtype=np.uint8)
    resize_into(image, out, False)
    expected = np.asarray(image.resize((6, 4), Image.Resampling.BILINEAR))
    np.testing.assert_array_equal(out[..., 0], expected)


@pytest.mark.parametrize("shape", [(3, 3), (40, 40), (5, 17)])
def test_resizing_stays_within_the_input_range(shape):
    # A sharp board of 100 and 200: a filter that overshoots (bicubic,
    # Lanczos) would ring past both.
    board = np.where(np.indices((24, 24)).sum(axis=0) % 3, 200, 100).astype(np.uint8)
    out = np.zeros((*shape, 1), dtype=np.uint8)
    resize_into(Image.fromarray(board), out, False)
    assert out.min() >= 100 and out.max() <= 200
    assert out.max() > out.min()
