"""SaliencyDisplay: maps drawn over their images, titles, colour bar, bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from sklearn.pipeline import make_pipeline

from skcnn import ImageReshaper, PixelScaler
from skcnn.plotting import SaliencyDisplay
from tests._helpers import image_panels, small_cnn


def _maps(n, h=8, w=8):
    """Non-negative maps, each peaking at a different pixel."""
    rng = np.random.default_rng(0)
    maps = rng.uniform(0, 1, (n, h, w))
    for i in range(n):
        maps[i, i % h, (2 * i) % w] = 3.0 + i
    return maps


def test_each_map_is_drawn_scaled_over_its_image():
    images = np.random.default_rng(1).uniform(0, 1, (3, 8, 8))
    maps = _maps(3)
    display = SaliencyDisplay(images, maps=maps, method="hirescam").plot(alpha=0.4)
    assert display.ax_.shape == (1, 3)
    assert len(display.images_) == len(display.overlays_) == 3
    for i, panel in enumerate(display.ax_.flat):
        # The image first, then its map on top.
        assert list(panel.images) == [display.images_[i], display.overlays_[i]]
        np.testing.assert_array_equal(display.images_[i].get_array(), images[i])
        assert display.images_[i].get_cmap().name == "gray"
        overlay = display.overlays_[i]
        np.testing.assert_allclose(overlay.get_array(), maps[i] / maps[i].max())
        assert overlay.get_array().max() == 1.0
        assert overlay.get_cmap().name == "turbo"
        assert overlay.get_alpha() == 0.4
        assert overlay.get_clim() == (0.0, 1.0)
    assert display.titles_ == []  # nothing to say without labels
    colorbar = display.colorbar_
    assert colorbar is not None and colorbar.ax in display.figure_.axes
    assert len(display.figure_.axes) == 4  # three panels and the colour bar
    assert (colorbar.norm.vmin, colorbar.norm.vmax) == (0.0, 1.0)
    assert colorbar.cmap.name == "turbo"
    assert "hirescam saliency" in colorbar.ax.get_ylabel()


def test_titles_say_true_and_predicted_labels_red_when_wrong():
    display = SaliencyDisplay(
        np.zeros((3, 8, 8)),
        maps=_maps(3),
        labels=[0, 1, 2],
        predictions=[0, 2, 2],
        class_names=["zero", "one", "two"],
    ).plot()
    texts = [t.get_text() for t in display.titles_]
    assert texts == [
        "true: zero\npred: zero",
        "true: one\npred: two",
        "true: two\npred: two",
    ]
    colors = [to_rgba(t.get_color()) for t in display.titles_]
    assert colors == [to_rgba(c) for c in ("tab:green", "tab:red", "tab:green")]
    alone = SaliencyDisplay(np.zeros((2, 8, 8)), maps=_maps(2), predictions=[5, 7])
    alone.plot(colorbar=False)
    assert [t.get_text() for t in alone.titles_] == ["pred: 5", "pred: 7"]
    assert alone.colorbar_ is None and len(alone.figure_.axes) == 2


def test_images_are_scaled_for_display_only():
    rgb = np.zeros((1, 4, 6, 3), dtype=np.uint8)
    rgb[0, :, :3] = (255, 51, 0)
    standardised = np.linspace(-2.0, 3.0, 24).reshape(1, 4, 6)
    display = SaliencyDisplay(rgb, maps=np.ones((1, 4, 6))).plot()
    drawn = display.images_[0].get_array()
    assert drawn.shape == (4, 6, 3)
    np.testing.assert_allclose(drawn[0, 0], (1.0, 0.2, 0.0))
    display = SaliencyDisplay(standardised, maps=np.ones((1, 4, 6))).plot()
    drawn = display.images_[0].get_array()
    np.testing.assert_allclose(drawn, (standardised[0] + 2.0) / 5.0)
    # A map of zeros (no evidence at all) stays zero instead of dividing by 0.
    display = SaliencyDisplay(standardised, maps=np.zeros((1, 4, 6))).plot()
    np.testing.assert_array_equal(display.overlays_[0].get_array(), 0.0)
    # Flat pixel rows are images too.
    display = SaliencyDisplay(np.ones((2, 64)), maps=_maps(2)).plot()
    assert display.images_[1].get_array().shape == (8, 8)


def test_drawn_into_given_axes():
    fig, axes = plt.subplots(2, 3)
    display = SaliencyDisplay(np.zeros((4, 8, 8)), maps=_maps(4)).plot(ax=axes)
    assert display.figure_ is fig and display.ax_.shape == (2, 3)
    assert len(image_panels(axes)) == 4
    assert [ax.axison for ax in axes.flat] == [False] * 6  # spares hidden too
    assert display.colorbar_.ax in fig.axes
    with pytest.raises(ValueError, match="ax holds 2 Axes but 4 panels"):
        SaliencyDisplay(np.zeros((4, 8, 8)), maps=_maps(4)).plot(ax=axes[0, :2])


def test_from_predictions_keeps_errors_and_the_first_images():
    images, maps = np.zeros((6, 8, 8)), _maps(6)
    y_true = np.array([0, 1, 2, 0, 1, 2])
    y_pred = np.array([0, 2, 2, 1, 1, 0])
    display = SaliencyDisplay.from_predictions(
        images, maps, y_true=y_true, y_pred=y_pred, only_errors=True, n_images=2
    )
    assert len(display.overlays_) == 2
    np.testing.assert_allclose(display.overlays_[1].get_array(), maps[3] / 6.0)
    assert [t.get_text() for t in display.titles_] == [
        "true: 1\npred: 2",
        "true: 0\npred: 1",
    ]
    display = SaliencyDisplay.from_predictions(images, maps, n_images=4, n_cols=2)
    assert display.ax_.shape == (2, 2) and len(display.overlays_) == 4
    right = SaliencyDisplay.from_predictions(
        images, maps, y_true=y_true, y_pred=y_true, only_errors=True
    )
    assert right.message_.get_text() == "no misclassified images"
    assert right.overlays_ == [] and right.colorbar_ is None


@pytest.mark.parametrize(
    "images, maps, message",
    [
        (np.zeros((3, 8, 8)), np.zeros((2, 8, 8)), "maps holds 2 maps but there are 3"),
        (np.zeros((2, 8, 8)), np.zeros((2, 4, 4)), r"height and width \(8, 8\), got"),
        (np.zeros((2, 8, 8)), np.zeros((8, 8)), r"maps must have shape \(n_images"),
        (np.zeros((1, 8, 8)), -np.ones((1, 8, 8)), "non-negative.*minimum of -1"),
        (np.zeros((1, 8, 8)), np.full((1, 8, 8), np.nan), "must be finite"),
        (np.zeros((1, 8, 8, 2)), np.zeros((1, 8, 8)), "1 \\(grayscale\\) or 3"),
    ],
)
def test_shapes_that_do_not_fit_are_clear_errors(images, maps, message):
    with pytest.raises(ValueError, match=message):
        SaliencyDisplay(images, maps=maps).plot()
    with pytest.raises(ValueError, match=message):
        SaliencyDisplay.from_predictions(images, maps)


def test_other_bad_arguments():
    images, maps = np.zeros((2, 8, 8)), _maps(2)
    with pytest.raises(ValueError, match="alpha must be a number from 0 to 1, got 2"):
        SaliencyDisplay(images, maps=maps).plot(alpha=2)
    with pytest.raises(ValueError, match="labels has 3 entries but there are 2"):
        SaliencyDisplay(images, maps=maps, labels=[0, 1, 2]).plot()
    with pytest.raises(ValueError, match="needs both y_true and y_pred"):
        SaliencyDisplay.from_predictions(images, maps, y_true=[0, 1], only_errors=True)
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        SaliencyDisplay.from_predictions(images, maps, n_images=0)


# ----------------------------------------------------------------------
# from_estimator, on the package's small fitted CNN and on a pipeline


@pytest.fixture(scope="module")
def pipeline(digits):
    """ImageReshaper -> PixelScaler -> a one-epoch CNN, on uint8 digits."""
    X, y = digits
    cnn = small_cnn(filters=(4,), dense_units=16, epochs=1)
    model = make_pipeline(ImageReshaper(image_shape=(8, 8)), PixelScaler(), cnn)
    return model.fit(X[:200], y[:200])


def test_from_estimator_draws_the_saliency_of_the_first_images(fitted, digits_scaled):
    from skcnn.inspection import saliency
    from skcnn.inspection._saliency import DEFAULT_METHOD

    X, y = digits_scaled
    display = SaliencyDisplay.from_estimator(fitted, X, y, n_images=4, n_cols=2)
    expected = saliency(fitted, X[:4])
    assert display.ax_.shape == (2, 2) and len(display.overlays_) == 4
    np.testing.assert_allclose(display.maps, expected, rtol=1e-5, atol=1e-7)
    for overlay, saliency_map in zip(display.overlays_, expected, strict=True):
        np.testing.assert_allclose(
            overlay.get_array(), saliency_map / saliency_map.max(), rtol=1e-5
        )
    for drawn, pixels in zip(display.images_, X[:4], strict=True):
        np.testing.assert_allclose(drawn.get_array(), pixels.reshape(8, 8))
    y_pred = fitted.predict(X[:4])
    assert [t.get_text() for t in display.titles_] == [
        f"true: {t}\npred: {p}" for t, p in zip(y[:4], y_pred, strict=True)
    ]
    assert display.method == DEFAULT_METHOD
    assert DEFAULT_METHOD in display.colorbar_.ax.get_ylabel()


def test_from_estimator_with_a_method_a_target_and_no_labels(fitted, digits_scaled):
    from skcnn.inspection import saliency

    X, _ = digits_scaled
    display = SaliencyDisplay.from_estimator(
        fitted, X[:3], method="gradients", target=7
    )
    np.testing.assert_allclose(
        display.maps,
        saliency(fitted, X[:3], method="gradients", target=7),
        rtol=1e-5,
        atol=1e-7,
    )
    assert [t.get_text() for t in display.titles_] == [
        f"pred: {p}" for p in fitted.predict(X[:3])
    ]
    assert "gradients saliency" in display.colorbar_.ax.get_ylabel()


def test_from_estimator_only_errors_through_a_pipeline(pipeline, digits):
    from skcnn.inspection import saliency

    X, y = digits
    X_test, y_test = X[200:], y[200:]
    wrong = np.flatnonzero(pipeline.predict(X_test) != y_test)
    assert len(wrong) >= 3  # one epoch: mistakes to show
    display = SaliencyDisplay.from_estimator(
        pipeline, X_test, y_test, only_errors=True, n_images=3
    )
    np.testing.assert_allclose(
        display.maps, saliency(pipeline, X_test[wrong[:3]]), rtol=1e-5, atol=1e-7
    )
    assert all(t.get_color() == "tab:red" for t in display.titles_)
    # The images drawn are those the network gets: scaled by the pipeline.
    scaled = pipeline[:-1].transform(X_test[wrong[:3]])
    for drawn, pixels in zip(display.images_, scaled, strict=True):
        np.testing.assert_allclose(drawn.get_array(), pixels[..., 0], rtol=1e-6)


def test_from_estimator_checks_before_computing(fitted, digits_scaled):
    X, y = digits_scaled
    with pytest.raises(ValueError, match="y has 2 entries but there are 300 samples"):
        SaliencyDisplay.from_estimator(fitted, X, y[:2])
    with pytest.raises(ValueError, match="only_errors=True needs the true labels"):
        SaliencyDisplay.from_estimator(fitted, X, only_errors=True)
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        SaliencyDisplay.from_estimator(fitted, X, n_images=0)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SaliencyDisplay.from_estimator(small_cnn(), X)


def test_rows_are_taken_from_arrays_lists_and_streams(tmp_path):
    from PIL import Image

    from skcnn import ImageLoader
    from skcnn.plotting._base import n_samples, take_rows

    paths = []
    for i in range(4):
        paths.append(str(tmp_path / f"{i}.png"))
        Image.new("L", (4, 4), 60 * i).save(paths[-1])
    assert take_rows(paths, [3, 1]) == [paths[3], paths[1]]
    np.testing.assert_array_equal(take_rows(np.arange(8) * 2, [3, 1]), [6, 2])
    stream = ImageLoader(stream=True).fit(paths).transform(paths)
    taken = take_rows(stream, [3, 1])
    assert n_samples(stream) == 4 and n_samples(taken) == 2
    np.testing.assert_array_equal(taken.read()[:, 0, 0, 0], [180, 60])
