"""ConvFiltersDisplay: the first convolution's kernels and feature maps."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skcnn.plotting import ConvFiltersDisplay
from tests._helpers import image_panels, small_cnn


def conv_same_3x3(image, kernel, bias):
    """Reference 'same' 3x3 convolution of a (h, w) image, in NumPy."""
    h, w = image.shape
    padded = np.pad(image, 1)
    out = np.zeros((h, w, kernel.shape[-1]))
    for dy in range(3):
        for dx in range(3):
            out += padded[dy : dy + h, dx : dx + w, None] * kernel[dy, dx, 0]
    return out + bias


@pytest.mark.parametrize("max_filters, n_panels", [(32, 4), (3, 3)])
def test_filters(fitted, max_filters, n_panels):
    display = ConvFiltersDisplay.from_estimator(fitted, max_filters=max_filters)
    kernel = fitted.model_.get_layer("conv1").get_weights()[0]
    assert display.feature_maps is None
    assert len(image_panels(display.ax_)) == n_panels == len(display.images_)
    assert display.ax_.shape == (1, n_panels)
    expected = [f"filter {i}" for i in range(n_panels)]
    assert [t.get_text() for t in display.titles_] == expected
    for i, im in enumerate(display.images_):
        np.testing.assert_allclose(im.get_array(), kernel[:, :, :, i].mean(axis=2))


def _kernel_and_bias(conv):
    """A convolution's kernel and bias (zeros when it has none, before BN)."""
    weights = conv.get_weights()
    kernel = weights[0]
    bias = weights[1] if len(weights) > 1 else np.zeros(kernel.shape[-1], np.float32)
    return kernel, bias


def test_feature_maps(fitted, digits_scaled):
    X, _ = digits_scaled
    display = ConvFiltersDisplay.from_estimator(fitted, image=X[0], n_cols=2)
    conv = fitted.model_.get_layer("conv1")
    assert display.feature_maps.shape == (4, *conv.output.shape[1:3]) == (4, 8, 8)
    assert display.ax_.shape == (2, 2)
    assert [t.get_text() for t in display.titles_] == [f"map {i}" for i in range(4)]
    kernel, bias = _kernel_and_bias(conv)
    expected = conv_same_3x3(X[0].reshape(8, 8), kernel, bias).transpose(2, 0, 1)
    np.testing.assert_allclose(display.feature_maps, expected, atol=1e-5)
    for im, fmap in zip(display.images_, display.feature_maps, strict=True):
        np.testing.assert_array_equal(im.get_array(), fmap)
    # A (h, w) image gives the same maps as a flat row.
    again = ConvFiltersDisplay.from_estimator(fitted, image=X[0].reshape(8, 8))
    np.testing.assert_allclose(again.feature_maps, display.feature_maps)


def test_feature_maps_skip_augmentation(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(filters=(2,), dense_units=0, epochs=1, rotation=0.2, shift=0.2)
    clf.fit(X[:100], y[:100])
    pipe = Pipeline([("identity", FunctionTransformer()), ("cnn", clf)])
    display = ConvFiltersDisplay.from_estimator(pipe, image=X[5], max_filters=1)
    assert display.feature_maps.shape == (1, 8, 8)
    kernel, bias = _kernel_and_bias(clf.model_.get_layer("conv1"))
    expected = conv_same_3x3(X[5].reshape(8, 8), kernel, bias)[..., 0]
    np.testing.assert_allclose(display.feature_maps[0], expected, atol=1e-5)


def test_constructor_then_plot_feature_maps():
    maps = np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4)
    display = ConvFiltersDisplay(np.zeros((2, 3, 3)), feature_maps=maps)
    display.plot(n_cols=3, cmap="magma")
    assert display.ax_.shape == (1, 3)
    assert [t.get_text() for t in display.titles_] == ["map 0", "map 1", "map 2"]
    assert display.images_[2].get_cmap().name == "magma"
    np.testing.assert_array_equal(display.images_[2].get_array(), maps[2])


def test_arguments_after_filters_are_keyword_only(fitted):
    with pytest.raises(TypeError):
        ConvFiltersDisplay(np.zeros((2, 3, 3)), np.zeros((2, 4, 4)))
    with pytest.raises(TypeError):
        ConvFiltersDisplay.from_estimator(fitted, None)


def test_conv_filters_errors(fitted):
    from skcnn import CNNClassifier
    from skcnn._engine.runtime import keras

    with pytest.raises(NotFittedError):
        ConvFiltersDisplay.from_estimator(small_cnn())
    with pytest.raises(ValueError, match=r"one input of shape \(8, 8, 1\)"):
        ConvFiltersDisplay.from_estimator(fitted, image=np.zeros(10))
    dense_only = CNNClassifier()
    dense_only.model_ = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    with pytest.raises(ValueError, match="no Conv2D layer"):
        ConvFiltersDisplay.from_estimator(dense_only)
    with pytest.raises(ValueError, match="max_filters must be a positive integer"):
        ConvFiltersDisplay.from_estimator(fitted, max_filters=0)
    with pytest.raises(ValueError, match=r"filters must have shape .* \(2, 3\)"):
        ConvFiltersDisplay(np.zeros((2, 3))).plot()
