"""ImageResizer: image arrays to one size, antialiased, dtype kept."""

import numpy as np
import pytest
from PIL import Image
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from skcnn import ImageReshaper, ImageResizer, PixelScaler


def _gradient(shape, dtype=np.uint8, high=255):
    """Images of ``shape`` with a fixed pattern spanning ``[0, high]``."""
    n, h, w = shape[:3]
    rows, cols = np.mgrid[0:h, 0:w]
    base = (rows * 3 + cols * 5) % 17 / 16
    images = np.stack([base * (k + 1) / n for k in range(n)])
    if len(shape) == 4:
        images = np.stack([images, 1 - images, images**2][: shape[3]] * 2, -1)
        images = images[..., : shape[3]]
    return np.asarray(np.round(images * high) if high > 1 else images, dtype=dtype)


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.uint16, np.int16, np.float16, np.float32, np.float64]
)
@pytest.mark.parametrize("shape", [(3, 20, 16), (3, 20, 16, 1), (3, 20, 16, 3)])
def test_shape_and_dtype_are_kept(dtype, shape):
    high = 1 if np.dtype(dtype).kind == "f" else 200
    X = _gradient(shape, dtype, high)
    out = ImageResizer(image_size=(10, 12), keep_aspect=False).fit_transform(X)
    assert out.dtype == X.dtype
    assert out.shape == (3, 10, 12) + shape[3:]
    # Bilinear never overshoots: the output stays within the input's range.
    assert out.min() >= X.min() and out.max() <= X.max()
    assert np.abs(out.astype(float).mean() - X.astype(float).mean()) < 0.1 * high


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int32])
def test_constant_images_stay_constant(dtype):
    X = np.full((2, 9, 13, 2), 7, dtype=dtype)
    out = ImageResizer(image_size=(30, 5), keep_aspect=False).fit_transform(X)
    assert np.all(out == 7)


def test_uint8_matches_pillow_bilinear_resize():
    X = _gradient((2, 20, 16, 3))
    out = ImageResizer(image_size=(7, 9), keep_aspect=False).fit_transform(X)
    for image, resized in zip(X, out, strict=True):
        expected = Image.fromarray(image).resize((9, 7), Image.Resampling.BILINEAR)
        np.testing.assert_array_equal(resized, np.asarray(expected))


def test_float_and_uint8_resizes_agree():
    X = _gradient((2, 20, 16, 3))
    resizer = ImageResizer(image_size=(7, 9), keep_aspect="crop")
    as_uint8 = resizer.fit_transform(X).astype(np.float64)
    as_float = resizer.fit_transform(X.astype(np.float64))
    # Pillow rounds 8-bit images between its horizontal and vertical passes.
    assert np.abs(as_uint8 - as_float).max() <= 1


def test_uint8_with_four_channels_is_resized_channel_by_channel():
    X = _gradient((2, 20, 16, 3))
    rgba = np.concatenate([X, np.zeros_like(X[..., :1])], axis=-1)
    resizer = ImageResizer(image_size=(7, 9))
    out = resizer.fit_transform(rgba)
    assert out.dtype == np.uint8 and out.shape == (2, 7, 9, 4)
    # A transparent alpha channel does not darken the colour channels (Pillow
    # rounds one band and three bands a little differently).
    rgb = resizer.fit_transform(X).astype(int)
    assert np.abs(out[..., :3].astype(int) - rgb).max() <= 1
    assert not out[..., 3].any()


def test_downscaling_is_antialiased():
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    out = ImageResizer(image_size=8).fit_transform(board[np.newaxis])
    assert np.abs(out.astype(int) - 127).max() <= 2


def test_pad_crop_and_stretch():
    X = np.ones((1, 10, 20), dtype=np.float32)
    X[:, :, :7] = 0
    pad = ImageResizer(image_size=10).fit_transform(X)[0]
    assert not pad[:2].any() and not pad[7:].any() and pad[2:7, 5:].min() == 1
    crop = ImageResizer(image_size=10, keep_aspect="crop").fit_transform(X)[0]
    assert crop[:, 3:].min() == 1 and crop[:, 0].max() < 1
    stretch = ImageResizer(image_size=10, keep_aspect=False).fit_transform(X)[0]
    assert stretch[:, 0].max() == 0 and stretch[:, -4:].min() == 1


def test_images_of_the_target_size_pass_through_unchanged():
    X = _gradient((2, 8, 8))
    assert ImageResizer(image_size=8).fit_transform(X) is X


def test_a_fitted_resizer_takes_any_input_size():
    resizer = ImageResizer(image_size=(6, 6)).fit(_gradient((2, 8, 8)))
    assert resizer.image_size_ == (6, 6)
    assert resizer.transform(_gradient((1, 30, 12))).shape == (1, 6, 6)


def test_in_a_pipeline_after_the_reshaper(digits):
    X, _ = digits
    pipe = make_pipeline(ImageReshaper(), ImageResizer(image_size=16), PixelScaler())
    out = pipe.fit_transform(X[:10])
    assert out.shape == (10, 16, 16, 1) and out.dtype == np.float32
    assert 0 <= out.min() and out.max() <= 1
    assert clone(pipe).get_params()["imageresizer__image_size"] == 16


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.zeros((3, 64)), ValueError, "flat rows of shape.*ImageReshaper"),
        (np.zeros((3,)), ValueError, "got an array of shape"),
        (np.zeros((1, 2, 2, 2, 2)), ValueError, "got an array of shape"),
        (np.zeros((1, 2, 2), dtype=bool), TypeError, "numeric pixels.*bool"),
        (np.array([[["a"]]]), TypeError, "numeric pixels"),
        (np.zeros((1, 0, 4)), ValueError, "with no pixel"),
    ],
)
def test_bad_input(X, error, match):
    with pytest.raises(error, match=match):
        ImageResizer(image_size=4).fit(X)
    with pytest.raises(error, match=match):
        ImageResizer(image_size=4).fit(np.zeros((1, 4, 4))).transform(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"image_size": None},
            "ImageResizer must be a positive int",
        ),
        ({"image_size": (4, 4, 1)}, "image_size"),
        ({"image_size": -2}, "image_size"),
        ({"image_size": 4, "keep_aspect": "stretch"}, "keep_aspect"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        ImageResizer(**params).fit(np.zeros((1, 4, 4)))
