"""ImageGridDisplay: grids, titles, colours, its from_* methods and errors."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skcnn.plotting import ImageGridDisplay
from tests._helpers import image_panels

RED, GREEN = to_rgba("tab:red"), to_rgba("tab:green")


@pytest.mark.parametrize(
    "n_images, n_cols, grid", [(10, 5, (2, 5)), (25, 5, (5, 5)), (3, 5, (1, 3))]
)
def test_from_images_grid(digits, n_images, n_cols, grid):
    X, y = digits
    display = ImageGridDisplay.from_images(X, y, n_images=n_images, n_cols=n_cols)
    assert display.ax_.shape == grid
    assert len(image_panels(display.ax_)) == n_images == len(display.images_)
    assert not any(ax.axison for ax in display.ax_.flat)
    assert [t.get_text() for t in display.titles_] == [str(v) for v in y[:n_images]]
    for i, im in enumerate(display.images_):
        np.testing.assert_array_equal(im.get_array(), X[i].reshape(8, 8))
    assert display.figure_ is display.ax_[0, 0].figure


def test_from_images_unused_panels_hidden(digits):
    X, y = digits
    display = ImageGridDisplay.from_images(X, n_images=7, n_cols=5)
    assert display.ax_.shape == (2, 5)
    assert [bool(ax.images) for ax in display.ax_.flat] == [True] * 7 + [False] * 3
    assert display.titles_ == []
    assert all(ax.get_title() == "" for ax in display.ax_.flat)


def test_class_names_sequence_and_dict(digits):
    X, y = digits
    names = [f"digit {i}" for i in range(10)]
    display = ImageGridDisplay.from_images(X, y, n_images=4, class_names=names)
    assert [t.get_text() for t in display.titles_] == [names[v] for v in y[:4]]
    display = ImageGridDisplay.from_images(
        X, y, n_images=4, class_names={y[0]: "first"}
    )
    assert display.titles_[0].get_text() == "first"
    assert display.titles_[1].get_text() == str(y[1])


@pytest.mark.parametrize("shape", [(6, 8, 8), (6, 8, 8, 1)])
def test_grayscale_image_forms(shape):
    images = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    display = ImageGridDisplay.from_images(images, cmap="magma")
    assert len(display.images_) == 6
    for i, im in enumerate(display.images_):
        np.testing.assert_array_equal(im.get_array(), images[i].reshape(8, 8))
        assert im.get_cmap().name == "magma"


def test_rgb_images_uint8_kept_and_floats_clipped():
    rng = np.random.default_rng(0)
    uint8 = rng.integers(0, 256, size=(2, 4, 4, 3), dtype=np.uint8)
    display = ImageGridDisplay.from_images(uint8)
    np.testing.assert_array_equal(display.images_[0].get_array(), uint8[0])
    floats = rng.uniform(-1, 2, size=(2, 4, 4, 3))
    display = ImageGridDisplay.from_images(floats)
    np.testing.assert_array_equal(
        display.images_[1].get_array(), np.clip(floats[1], 0, 1)
    )
    # Flat rows of 3 * s * s values are RGB images too.
    display = ImageGridDisplay.from_images(uint8.reshape(2, -1))
    np.testing.assert_array_equal(display.images_[0].get_array(), uint8[0])


def test_from_predictions_titles_and_colors(digits):
    X, y = digits
    y_pred = y.copy()
    y_pred[[1, 4]] = (y[[1, 4]] + 1) % 10
    display = ImageGridDisplay.from_predictions(X, y, y_pred, n_images=6)
    assert len(display.images_) == 6
    texts = [t.get_text() for t in display.titles_]
    assert texts == [
        f"true: {t}\npred: {p}" for t, p in zip(y[:6], y_pred[:6], strict=True)
    ]
    colors = [to_rgba(t.get_color()) for t in display.titles_]
    assert colors == [GREEN, RED, GREEN, GREEN, RED, GREEN]


def test_from_predictions_class_names():
    images = np.zeros((2, 4, 4))
    display = ImageGridDisplay.from_predictions(
        images, ["a", "b"], ["a", "a"], class_names={"a": "cat", "b": "dog"}
    )
    assert display.titles_[1].get_text() == "true: dog\npred: cat"
    assert to_rgba(display.titles_[1].get_color()) == RED


def test_only_errors_shows_exactly_the_misclassified(digits):
    X, y = digits
    y_pred = y.copy()
    wrong = [3, 10, 50, 200]
    y_pred[wrong] = (y[wrong] + 1) % 10
    display = ImageGridDisplay.from_predictions(X, y, y_pred, only_errors=True)
    assert len(image_panels(display.ax_)) == len(wrong) == len(display.images_)
    assert all(to_rgba(t.get_color()) == RED for t in display.titles_)
    for im, i in zip(display.images_, wrong, strict=True):
        np.testing.assert_array_equal(im.get_array(), X[i].reshape(8, 8))
    capped = ImageGridDisplay.from_predictions(
        X, y, y_pred, only_errors=True, n_images=2
    )
    assert len(capped.images_) == 2


def test_only_errors_without_errors_shows_a_note(digits):
    X, y = digits
    display = ImageGridDisplay.from_predictions(X, y, y, only_errors=True)
    assert display.images_ == [] and display.titles_ == []
    assert display.message_.get_text() == "no misclassified images"
    assert not image_panels(display.ax_)


def test_image_grid_on_given_axes(digits):
    X, y = digits
    fig, axes = plt.subplots(2, 3)
    display = ImageGridDisplay.from_images(X, y, n_images=4, ax=axes)
    assert display.ax_ is axes or np.array_equal(display.ax_, axes)
    assert display.figure_ is fig
    assert [bool(ax.images) for ax in axes.flat] == [True] * 4 + [False] * 2
    with pytest.raises(ValueError, match="ax holds 6 Axes but 7"):
        ImageGridDisplay.from_images(X, n_images=7, ax=axes)


def test_constructor_then_plot():
    images = np.arange(2 * 16).reshape(2, 4, 4)
    display = ImageGridDisplay(images, labels=[3, 5], predictions=[3, 4])
    assert display.plot(n_cols=1) is display
    assert display.ax_.shape == (2, 1)
    assert [t.get_text() for t in display.titles_] == [
        "true: 3\npred: 3",
        "true: 5\npred: 4",
    ]
    assert display.message_ is None


def test_constructor_arguments_after_images_are_keyword_only():
    images = np.zeros((2, 4, 4))
    with pytest.raises(TypeError):
        ImageGridDisplay(images, [0, 1])
    with pytest.raises(TypeError):
        ImageGridDisplay(images, [0, 1], [0, 1])
    with pytest.raises(TypeError):
        ImageGridDisplay.from_predictions(images, [0, 1], [0, 1], True)


# ----------------------------------------------------------------------
# from_estimator: predictions of a fitted model, drawn by from_predictions
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def constant():
    """A fitted classifier that always predicts 3."""
    X = np.zeros((4, 64))
    return DummyClassifier(strategy="constant", constant=3).fit(X, [0, 1, 2, 3])


def test_from_estimator_draws_the_predictions(digits, constant):
    X, y = digits
    display = ImageGridDisplay.from_estimator(constant, X, y, n_images=4)
    assert [t.get_text() for t in display.titles_] == [
        f"true: {t}\npred: 3" for t in y[:4]
    ]
    np.testing.assert_array_equal(display.predictions, [3, 3, 3, 3])
    errors = ImageGridDisplay.from_estimator(
        constant, X[:30], y[:30], only_errors=True, n_images=30
    )
    assert len(errors.images_) == np.sum(y[:30] != 3) > 0
    assert all(to_rgba(t.get_color()) == RED for t in errors.titles_)


def test_from_estimator_delegates_to_from_predictions(digits, constant, spy):
    X, y = digits
    calls = spy(ImageGridDisplay, "from_predictions")
    names = {3: "three"}
    display = ImageGridDisplay.from_estimator(
        constant, X, y, n_images=3, n_cols=2, class_names=names, cmap="magma"
    )
    ((args, kwargs),) = calls
    assert args[0] is X and args[1] is y
    np.testing.assert_array_equal(args[2], np.full(len(y), 3))
    assert kwargs.pop("class_names") is names
    assert kwargs == {
        "only_errors": False,
        "n_images": 3,
        "n_cols": 2,
        "cmap": "magma",
        "ax": None,
    }
    assert display.ax_.shape == (2, 2)


def test_from_estimator_pipeline_with_images(fitted, digits, digits_scaled):
    """The network sees scaled pixels; the grid shows the given raw images."""
    X_raw, y = digits
    X, _ = digits_scaled
    pipe = Pipeline([("identity", FunctionTransformer()), ("cnn", fitted)])
    display = ImageGridDisplay.from_estimator(pipe, X, y, images=X_raw, n_images=5)
    expected = ImageGridDisplay.from_predictions(X_raw, y, fitted.predict(X))
    assert [t.get_text() for t in display.titles_] == [
        t.get_text() for t in expected.titles_[:5]
    ]
    for i, im in enumerate(display.images_):
        np.testing.assert_array_equal(im.get_array(), X_raw[i].reshape(8, 8))


def test_from_estimator_errors(digits, constant):
    X, y = digits
    with pytest.raises(NotFittedError):
        ImageGridDisplay.from_estimator(DummyClassifier(), X, y)
    never = DummyClassifier().fit(X, y)
    never.predict = lambda X: pytest.fail("predicted despite a bad n_images")
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        ImageGridDisplay.from_estimator(never, X, y, n_images=0)
    with pytest.raises(ValueError, match="y_true has 299 entries .* 300 images"):
        ImageGridDisplay.from_estimator(constant, X, y[:-1])


# ----------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 1, 1)])
def test_images_of_wrong_dimensions(shape):
    with pytest.raises(ValueError, match=r"shape \(" + ", ".join(map(str, shape))):
        ImageGridDisplay.from_images(np.zeros(shape))


def test_image_grid_errors(digits):
    X, y = digits
    with pytest.raises(ValueError, match="labels has 299 entries .* 300 images"):
        ImageGridDisplay.from_images(X, y[:-1])
    with pytest.raises(ValueError, match="y_pred has 5 entries .* 300 images"):
        ImageGridDisplay.from_predictions(X, y, y[:5])
    with pytest.raises(ValueError, match="n_images must be a positive integer"):
        ImageGridDisplay.from_images(X, n_images=0)
    with pytest.raises(ValueError, match="1 .* or 3 .* channels"):
        ImageGridDisplay.from_images(np.zeros((2, 4, 4, 2)))
    with pytest.raises(ValueError, match="labels has 3 entries .* 2 images"):
        ImageGridDisplay(np.zeros((2, 4, 4)), labels=[0, 1, 2]).plot()
    with pytest.raises(ValueError, match="integer labels"):
        ImageGridDisplay.from_images(X, y.astype(str), class_names=["zero"])
    with pytest.raises(ValueError, match="y_true is required"):
        ImageGridDisplay.from_predictions(X, None, y, only_errors=True)
    with pytest.raises(ValueError, match="predictions can only be shown together"):
        ImageGridDisplay(np.zeros((2, 4, 4)), predictions=[0, 1]).plot()
    with pytest.raises(ValueError, match="n_cols must be a positive integer"):
        ImageGridDisplay(np.zeros((2, 4, 4))).plot(n_cols=True)
