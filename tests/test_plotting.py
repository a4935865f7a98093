"""skcnn.plotting: what each display draws, its errors, and saving to PNG."""

import matplotlib

matplotlib.use("Agg")

import subprocess  # noqa: E402
import sys  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skcnn.plotting import (  # noqa: E402
    ClassDistributionDisplay,
    ConvFiltersDisplay,
    ImageGridDisplay,
    SearchHeatmapDisplay,
    TrainingHistoryDisplay,
)
from tests._helpers import small_cnn  # noqa: E402

RED, GREEN = to_rgba("tab:red"), to_rgba("tab:green")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fitted(digits_scaled):
    X, y = digits_scaled
    return small_cnn(validation_split=0.2, filters=(4,)).fit(X, y)


@pytest.fixture(scope="module")
def search(digits_scaled):
    X, y = digits_scaled
    grid = {"filters": [(4,), (6,)], "dropout": [0.0, 0.25]}
    return GridSearchCV(small_cnn(epochs=1), grid, cv=2).fit(X[:120], y[:120])


class FakeSearch(BaseEstimator):
    """Stands in for a fitted search with hand-written ``cv_results_``."""

    def __init__(self, cv_results=None):
        self.cv_results = cv_results

    def fit(self, X=None, y=None):
        self.cv_results_ = self.cv_results
        return self


def image_panels(axes):
    return [ax for ax in np.ravel(axes) if ax.images]


# ----------------------------------------------------------------------
# ImageGridDisplay
# ----------------------------------------------------------------------
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


# ----------------------------------------------------------------------
# ClassDistributionDisplay
# ----------------------------------------------------------------------
def test_class_distribution_train_only(digits):
    _, y = digits
    display = ClassDistributionDisplay.from_labels(y)
    assert len(display.bars_) == 1
    heights = [bar.get_height() for bar in display.bars_[0]]
    assert heights == list(np.bincount(y))
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == list(
        map(str, range(10))
    )
    assert display.ax_.get_legend() is None
    assert display.ax_.get_ylabel() == "number of images"
    assert display.ax_.get_title() == "Class distribution"


def test_class_distribution_train_and_test():
    y = ["cat", "dog", "dog", "cat", "dog"]
    y_test = ["dog", "bird"]
    display = ClassDistributionDisplay.from_labels(
        y, y_test=y_test, class_names={"bird": "Bird"}
    )
    assert len(display.bars_) == 2
    assert [b.get_height() for b in display.bars_[0]] == [0, 2, 3]
    assert [b.get_height() for b in display.bars_[1]] == [1, 0, 1]
    train_x = [b.get_x() + b.get_width() / 2 for b in display.bars_[0]]
    test_x = [b.get_x() + b.get_width() / 2 for b in display.bars_[1]]
    assert all(a < b for a, b in zip(train_x, test_x, strict=True))
    labels = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert labels == ["Bird", "cat", "dog"]
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["train", "test"]


def test_class_distribution_empty_labels():
    with pytest.raises(ValueError, match="at least one label"):
        ClassDistributionDisplay.from_labels([])


# ----------------------------------------------------------------------
# TrainingHistoryDisplay
# ----------------------------------------------------------------------
def check_history_panels(display, history):
    assert [ax.get_title() for ax in display.ax_] == ["Loss", "Accuracy"]
    assert all(ax.get_xlabel() == "epoch" for ax in display.ax_)
    for key, ax in zip(["loss", "accuracy"], display.ax_, strict=True):
        lines = display.lines_[key]
        assert len(lines) == 2 and ax.get_lines() == lines
        n_epochs = len(history[key])
        for line, name in zip(lines, [key, "val_" + key], strict=True):
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, n_epochs + 1))
            np.testing.assert_allclose(line.get_ydata(), history[name])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["training", "validation"]


def test_history_from_estimator(fitted):
    display = TrainingHistoryDisplay.from_estimator(fitted)
    assert display.ax_.shape == (2,)
    assert set(display.lines_) == {"loss", "accuracy"}
    check_history_panels(display, fitted.history_)


def test_history_from_pipeline(fitted):
    pipe = Pipeline([("identity", FunctionTransformer()), ("cnn", fitted)])
    check_history_panels(TrainingHistoryDisplay.from_estimator(pipe), fitted.history_)


def test_history_loss_only_on_given_axes():
    _, ax = plt.subplots()
    display = TrainingHistoryDisplay.from_history({"loss": [3.0, 2.0, 1.5]}, ax=ax)
    assert list(display.lines_) == ["loss"] and len(display.ax_) == 1
    assert display.ax_[0] is ax
    (line,) = display.lines_["loss"]
    np.testing.assert_array_equal(line.get_ydata(), [3.0, 2.0, 1.5])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training"]


def test_history_errors():
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(small_cnn())
    with pytest.raises(ValueError, match="'loss' entry"):
        TrainingHistoryDisplay.from_history({"accuracy": [0.5]})
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must hold 2 Axes"):
        TrainingHistoryDisplay.from_history({"loss": [1], "accuracy": [0]}, ax=ax)


# ----------------------------------------------------------------------
# ConvFiltersDisplay
# ----------------------------------------------------------------------
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


def test_feature_maps(fitted, digits_scaled):
    X, _ = digits_scaled
    display = ConvFiltersDisplay.from_estimator(fitted, image=X[0], n_cols=2)
    conv = fitted.model_.get_layer("conv1")
    assert display.feature_maps.shape == (4, *conv.output.shape[1:3]) == (4, 8, 8)
    assert display.ax_.shape == (2, 2)
    assert [t.get_text() for t in display.titles_] == [f"map {i}" for i in range(4)]
    kernel, bias = conv.get_weights()
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
    kernel, bias = clf.model_.get_layer("conv1").get_weights()
    expected = conv_same_3x3(X[5].reshape(8, 8), kernel, bias)[..., 0]
    np.testing.assert_allclose(display.feature_maps[0], expected, atol=1e-5)


def test_conv_filters_errors(fitted):
    from skcnn import CNNClassifier
    from skcnn._keras import keras

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


# ----------------------------------------------------------------------
# SearchHeatmapDisplay
# ----------------------------------------------------------------------
def test_heatmap_from_grid_search(search):
    display = SearchHeatmapDisplay.from_search(search, x="filters", y="dropout")
    results = search.cv_results_
    expected = np.empty((2, 2))
    for i, dropout in enumerate([0.0, 0.25]):
        for j, filters in enumerate([(4,), (6,)]):
            cell = [
                score
                for params, score in zip(
                    results["params"], results["mean_test_score"], strict=True
                )
                if params == {"filters": filters, "dropout": dropout}
            ]
            expected[i, j] = np.mean(cell)
    np.testing.assert_allclose(display.scores, expected)
    np.testing.assert_allclose(display.im_.get_array(), expected)
    texts = [[t.get_text() for t in row] for row in display.text_]
    assert texts == [[format(v, ".3f") for v in row] for row in expected]
    ax = display.ax_
    assert [t.get_text() for t in ax.get_xticklabels()] == ["(4,)", "(6,)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.0", "0.25"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("filters", "dropout")
    assert ax.get_title() == "mean_test_score"
    assert display.colorbar_.mappable is display.im_


def test_heatmap_averages_other_params_and_resolves_suffixes():
    params = [
        {"cnn__filters": f, "cnn__dropout": d, "cnn__epochs": e}
        for f in [(8, 16), (4,)]
        for d in [0.5, 0.1]
        for e in [1, 2]
        if not (f == (4,) and d == 0.5)
    ]
    scores = np.arange(len(params), dtype=float)
    search = FakeSearch({"params": params, "mean_test_score": scores}).fit()
    display = SearchHeatmapDisplay.from_search(search, x="filters", y="cnn__dropout")
    assert display.x_name == "cnn__filters" and display.y_name == "cnn__dropout"
    # Tuples keep first-seen order; numbers are sorted.
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["(8, 16)", "(4,)"]
    assert display.y_values == [0.1, 0.5]
    expected = np.array([[np.mean(scores[2:4]), np.mean(scores[4:6])], [0.5, np.nan]])
    np.testing.assert_allclose(display.scores, expected)
    assert display.text_[1, 1].get_text() == "nan"


def test_heatmap_errors(search):
    with pytest.raises(NotFittedError):
        SearchHeatmapDisplay.from_search(
            GridSearchCV(small_cnn(), {"filters": [(4,)]}), x="filters", y="dropout"
        )
    with pytest.raises(ValueError, match=r"'units' is not .*\['dropout', 'filters'\]"):
        SearchHeatmapDisplay.from_search(search, x="units", y="dropout")
    with pytest.raises(ValueError, match="'mean_test_f1' is not a key"):
        SearchHeatmapDisplay.from_search(
            search, x="filters", y="dropout", score="mean_test_f1"
        )
    with pytest.raises(ValueError, match="different parameters"):
        SearchHeatmapDisplay.from_search(search, x="filters", y="filters")
    ambiguous = FakeSearch({"params": [{"a__c": 1, "b__c": 2}], "s": [0.5]}).fit()
    with pytest.raises(ValueError, match=r"'c' is not .*\['a__c', 'b__c'\]"):
        SearchHeatmapDisplay.from_search(ambiguous, x="c", y="a__c", score="s")


# ----------------------------------------------------------------------
# all displays
# ----------------------------------------------------------------------
def test_every_display_saves_a_png(tmp_path, digits, fitted, search):
    X, y = digits
    displays = {
        "grid": ImageGridDisplay.from_predictions(X, y, np.roll(y, 1)),
        "classes": ClassDistributionDisplay.from_labels(y[:200], y_test=y[200:]),
        "history": TrainingHistoryDisplay.from_estimator(fitted),
        "filters": ConvFiltersDisplay.from_estimator(fitted),
        "maps": ConvFiltersDisplay.from_estimator(fitted, image=X[0] / 255),
        "search": SearchHeatmapDisplay.from_search(search, x="filters", y="dropout"),
    }
    for name, display in displays.items():
        path = tmp_path / f"{name}.png"
        display.figure_.savefig(path)
        assert path.stat().st_size > 0


def test_confusion_matrix_display_is_scikit_learns(fitted, digits_scaled):
    import sklearn.metrics

    from skcnn.plotting import ConfusionMatrixDisplay

    assert ConfusionMatrixDisplay is sklearn.metrics.ConfusionMatrixDisplay
    X, y = digits_scaled
    display = ConfusionMatrixDisplay.from_estimator(fitted, X, y)
    assert display.confusion_matrix.sum() == len(y)


def test_import_loads_neither_pyplot_nor_tensorflow():
    code = (
        "import sys, skcnn.plotting; "
        "print('matplotlib.pyplot' in sys.modules, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
