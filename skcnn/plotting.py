"""Plots for image classification, as scikit-learn style Display objects.

Each display stores the data it draws. Its ``from_*`` class methods compute
that data and call :meth:`plot`, which draws into new or given matplotlib
Axes and keeps the figure, the Axes and the drawn artists in attributes
ending in ``_``. Importing this module loads neither pyplot nor TensorFlow.

Confusion matrices need nothing image-specific: use scikit-learn's
:class:`~sklearn.metrics.ConfusionMatrixDisplay`, re-exported here.
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._validation import infer_image_shape

__all__ = [
    "ClassDistributionDisplay",
    "ConfusionMatrixDisplay",
    "ConvFiltersDisplay",
    "ImageGridDisplay",
    "SearchHeatmapDisplay",
    "TrainingHistoryDisplay",
]


def _check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _as_image_stack(images):
    """Return ``images`` as an array of shape ``(n, height, width, channels)``."""
    images = np.asarray(images)
    if images.ndim not in (2, 3, 4):
        raise ValueError(
            "images must be flat pixel rows (n_images, n_pixels), grayscale "
            "images (n_images, height, width) or images (n_images, height, "
            f"width, channels); got an array of shape {images.shape}."
        )
    if images.ndim == 2:
        return images.reshape(len(images), *infer_image_shape(images.shape[1]))
    if images.ndim == 3:
        return images[..., np.newaxis]
    if images.shape[-1] not in (1, 3):
        raise ValueError(
            "images must have 1 (grayscale) or 3 (RGB) channels, got an array "
            f"of shape {images.shape}."
        )
    return images


def _check_length(values, n_images, name):
    """Return ``values`` as a 1-D array of ``n_images`` entries (None stays None)."""
    if values is None:
        return None
    values = column_or_1d(values)
    if len(values) != n_images:
        raise ValueError(
            f"{name} has {len(values)} entries but there are {n_images} images."
        )
    return values


def _label_text(label, class_names):
    """Name of ``label`` in ``class_names`` (a sequence or a dict), or its str."""
    if class_names is None:
        return str(label)
    if isinstance(class_names, Mapping):
        return str(class_names.get(label, label))
    if not isinstance(label, numbers.Integral) or not 0 <= label < len(class_names):
        raise ValueError(
            f"class_names given as a sequence of {len(class_names)} names needs "
            f"integer labels in [0, {len(class_names)}), got {label!r}; pass a "
            "dict {label: name} for other labels."
        )
    return str(class_names[label])


def _grid_axes(plt, ax, n_panels, n_cols, panel_size):
    """New ``(n_rows, n_cols)`` Axes for ``n_panels`` panels, or the given ones."""
    if ax is None:
        n_cols = max(1, min(n_cols, n_panels))
        n_rows = max(1, math.ceil(n_panels / n_cols))
        figsize = (panel_size[0] * n_cols, panel_size[1] * n_rows)
        return plt.subplots(
            n_rows, n_cols, figsize=figsize, squeeze=False, layout="constrained"
        )
    axes = np.asarray(ax, dtype=object)
    axes = axes.reshape(1) if axes.ndim == 0 else axes
    if axes.size < max(n_panels, 1):
        raise ValueError(f"ax holds {axes.size} Axes but {n_panels} panels are drawn.")
    return axes.flat[0].figure, axes


def _draw_grid(axes, images, titles, colors, cmap):
    """Draw ``(n, h, w, c)`` ``images`` into ``axes``; hide the Axes left over."""
    drawn, texts = [], []
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(images):
            continue
        image = images[i]
        if image.shape[-1] == 1:
            drawn.append(ax.imshow(image[..., 0], cmap=cmap, interpolation="nearest"))
        else:
            if image.dtype.kind in "iu":
                image = np.clip(image, 0, 255).astype(np.uint8)
            else:
                image = np.clip(image.astype(np.float64), 0.0, 1.0)
            drawn.append(ax.imshow(image, interpolation="nearest"))
        if titles is not None:
            texts.append(ax.set_title(titles[i], color=colors[i], fontsize=9))
    return drawn, texts


def _final_step(estimator):
    """The last step of a pipeline, or ``estimator`` itself, checked fitted."""
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    check_is_fitted(estimator)
    return estimator


class ImageGridDisplay:
    """Grid of images, optionally titled with their labels and predictions.

    Create one with :meth:`from_images` or :meth:`from_predictions`. All
    parameters are stored as attributes.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels), (n_images, height, \
width) or (n_images, height, width, channels)
        Images to draw, all of them. Flat rows are reshaped with
        :func:`~skcnn.preprocessing.infer_image_shape`. Grayscale images are
        drawn with a colormap; RGB ones as they are, uint8 pixels unchanged
        and float pixels clipped to ``[0, 1]``.
    labels : array-like of shape (n_images,), default=None
        Label of each image, shown as its title.
    predictions : array-like of shape (n_images,), default=None
        Predicted labels. With them, titles read ``"true: A\\npred: B"``, in
        green for a correct prediction and in red for a wrong one.
    class_names : sequence of str or dict, default=None
        Names shown instead of the labels: a sequence is indexed by integer
        labels, a dict maps labels to names.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        The drawn images.
    titles_ : list of matplotlib Text
        Panel titles; empty without labels.
    message_ : matplotlib Text or None
        Note drawn in place of the grid when there is no image to show.
    ax_ : ndarray of matplotlib Axes
        Axes of the grid; those left over are hidden.
    figure_ : matplotlib Figure
        Figure holding the grid.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcnn.plotting import ImageGridDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> ImageGridDisplay.from_images(X, y, n_images=10).ax_.shape
    (2, 5)
    """

    def __init__(self, images, labels=None, predictions=None, class_names=None):
        self.images = images
        self.labels = labels
        self.predictions = predictions
        self.class_names = class_names

    def plot(self, *, n_cols=5, cmap="gray", ax=None):
        """Draw the images in a grid.

        Parameters
        ----------
        n_cols : int, default=5
            Number of columns of a new grid (fewer if there are fewer images).
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grayscale images.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on, at least one per image. None creates a figure.

        Returns
        -------
        display : ImageGridDisplay
            The display, with the drawn artists stored.
        """
        import matplotlib.pyplot as plt

        n_cols = _check_positive_int(n_cols, "n_cols")
        images = _as_image_stack(self.images)
        labels = _check_length(self.labels, len(images), "labels")
        predictions = _check_length(self.predictions, len(images), "predictions")
        if predictions is not None and labels is None:
            raise ValueError("predictions can only be shown together with labels.")
        names = self.class_names
        titles = colors = None
        if predictions is not None:
            pairs = list(zip(labels, predictions, strict=True))
            titles = [
                f"true: {_label_text(t, names)}\npred: {_label_text(p, names)}"
                for t, p in pairs
            ]
            colors = ["tab:green" if t == p else "tab:red" for t, p in pairs]
        elif labels is not None:
            titles = [_label_text(label, names) for label in labels]
            colors = ["black"] * len(labels)

        fig, axes = _grid_axes(plt, ax, len(images), n_cols, (1.6, 1.9))
        self.images_, self.titles_ = _draw_grid(axes, images, titles, colors, cmap)
        self.message_ = None
        if len(images) == 0:
            note = "no misclassified images" if predictions is not None else "no images"
            first = axes.flat[0]
            self.message_ = first.text(
                0.5, 0.5, note, ha="center", va="center", transform=first.transAxes
            )
        self.ax_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_images(
        cls,
        images,
        labels=None,
        *,
        n_images=10,
        n_cols=5,
        class_names=None,
        cmap="gray",
        ax=None,
    ):
        """Draw the first images, titled with their labels when given.

        Parameters
        ----------
        images : array-like of shape (n_samples, n_pixels), (n_samples, \
height, width) or (n_samples, height, width, channels)
            Images or flat pixel rows.
        labels : array-like of shape (n_samples,), default=None
            Label of each image.
        n_images : int, default=10
            Number of images drawn, from the first.
        n_cols : int, default=5
            Number of columns of the grid.
        class_names : sequence of str or dict, default=None
            Names shown instead of the labels.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grayscale images.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : ImageGridDisplay
            The display, drawn.
        """
        n_images = _check_positive_int(n_images, "n_images")
        images = _as_image_stack(images)
        labels = _check_length(labels, len(images), "labels")
        if labels is not None:
            labels = labels[:n_images]
        display = cls(images[:n_images], labels, class_names=class_names)
        return display.plot(n_cols=n_cols, cmap=cmap, ax=ax)

    @classmethod
    def from_predictions(
        cls,
        images,
        y_true,
        y_pred,
        *,
        only_errors=False,
        n_images=10,
        n_cols=5,
        class_names=None,
        cmap="gray",
        ax=None,
    ):
        """Draw images titled with their true and predicted labels.

        Titles of correct predictions are green, those of wrong ones red.

        Parameters
        ----------
        images : array-like of shape (n_samples, n_pixels), (n_samples, \
height, width) or (n_samples, height, width, channels)
            Images or flat pixel rows.
        y_true : array-like of shape (n_samples,)
            True labels.
        y_pred : array-like of shape (n_samples,)
            Predicted labels.
        only_errors : bool, default=False
            Whether to draw only misclassified images. If there are none, the
            figure shows the note "no misclassified images" instead of a grid
            (no error is raised).
        n_images : int, default=10
            Number of images drawn, from the first.
        n_cols : int, default=5
            Number of columns of the grid.
        class_names : sequence of str or dict, default=None
            Names shown instead of the labels.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of grayscale images.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : ImageGridDisplay
            The display, drawn.
        """
        n_images = _check_positive_int(n_images, "n_images")
        images = _as_image_stack(images)
        y_true = _check_length(y_true, len(images), "y_true")
        y_pred = _check_length(y_pred, len(images), "y_pred")
        if only_errors:
            wrong = y_true != y_pred
            images, y_true, y_pred = images[wrong], y_true[wrong], y_pred[wrong]
        display = cls(
            images[:n_images], y_true[:n_images], y_pred[:n_images], class_names
        )
        return display.plot(n_cols=n_cols, cmap=cmap, ax=ax)


class ClassDistributionDisplay:
    """Bar chart of the number of images per class.

    Create one with :meth:`from_labels`. All parameters are stored as
    attributes.

    Parameters
    ----------
    counts : array-like of shape (n_classes,)
        Number of (training) images of each class.
    labels : array-like of shape (n_classes,)
        Tick label of each class.
    counts_test : array-like of shape (n_classes,), default=None
        Number of test images of each class, drawn as a second group of bars.

    Attributes
    ----------
    bars_ : list of matplotlib BarContainer
        One container per group of bars: training, then test.
    ax_ : matplotlib Axes
        Axes with the chart.
    figure_ : matplotlib Figure
        Figure holding the chart.

    Examples
    --------
    >>> from skcnn.plotting import ClassDistributionDisplay
    >>> display = ClassDistributionDisplay.from_labels([0, 1, 1], y_test=[1, 2])
    >>> [float(bar.get_height()) for bar in display.bars_[1]]
    [0.0, 1.0, 1.0]
    """

    def __init__(self, counts, labels, counts_test=None):
        self.counts = counts
        self.labels = labels
        self.counts_test = counts_test

    def plot(self, *, ax=None):
        """Draw the bar chart.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : ClassDistributionDisplay
            The display, with the drawn bars stored.
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            figsize = (max(4.0, 0.6 * len(self.labels) + 2), 3.5)
            fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        else:
            fig = ax.figure
        x = np.arange(len(self.labels))
        if self.counts_test is None:
            self.bars_ = [ax.bar(x, self.counts, width=0.8)]
        else:
            self.bars_ = [
                ax.bar(x - 0.2, self.counts, width=0.4, label="train"),
                ax.bar(x + 0.2, self.counts_test, width=0.4, label="test"),
            ]
            ax.legend()
        ax.set_xticks(x)
        ax.set_xticklabels([str(label) for label in self.labels])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(ylabel="number of images", title="Class distribution")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_labels(cls, y, *, y_test=None, class_names=None, ax=None):
        """Count the images of each class and draw the counts.

        Classes are the sorted union of the labels in ``y`` and ``y_test``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Labels of the (training) images.
        y_test : array-like of shape (n_test_samples,), default=None
            Labels of the test images, drawn as a second group of bars.
        class_names : sequence of str or dict, default=None
            Names shown instead of the labels: a sequence is indexed by
            integer labels, a dict maps labels to names.
        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : ClassDistributionDisplay
            The display, drawn.
        """
        y = column_or_1d(y)
        if len(y) == 0:
            raise ValueError("y must hold at least one label.")
        y_test = None if y_test is None else column_or_1d(y_test)
        classes = np.unique(y if y_test is None else np.concatenate([y, y_test]))
        counts = np.array([np.sum(y == c) for c in classes])
        counts_test = None
        if y_test is not None:
            counts_test = np.array([np.sum(y_test == c) for c in classes])
        labels = [_label_text(c, class_names) for c in classes]
        return cls(counts, labels, counts_test).plot(ax=ax)


class TrainingHistoryDisplay:
    """Loss and accuracy of a network per training epoch.

    Create one with :meth:`from_estimator` or :meth:`from_history`. All
    parameters are stored as attributes.

    Parameters
    ----------
    history : dict of str to list of float
        Values per epoch as in :attr:`~skcnn.CNNClassifier.history_`: a
        ``"loss"`` entry and optionally ``"accuracy"``, ``"val_loss"`` and
        ``"val_accuracy"``.

    Attributes
    ----------
    lines_ : dict of str to list of matplotlib Line2D
        Lines of each panel, ``"loss"`` and (when drawn) ``"accuracy"``: the
        training line, then the validation line if there is one.
    ax_ : ndarray of matplotlib Axes
        The loss panel, then the accuracy panel if there is one.
    figure_ : matplotlib Figure
        Figure holding the panels.

    Examples
    --------
    >>> from skcnn.plotting import TrainingHistoryDisplay
    >>> history = {"loss": [1.2, 0.8, 0.6], "accuracy": [0.5, 0.7, 0.8]}
    >>> display = TrainingHistoryDisplay.from_history(history)
    >>> len(display.ax_), list(display.lines_)
    (2, ['loss', 'accuracy'])
    """

    def __init__(self, history):
        self.history = history

    def plot(self, *, ax=None):
        """Draw a loss panel and, if there is an accuracy entry, an accuracy panel.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per panel. None creates a figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with the drawn lines stored.
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        history = self.history
        if "loss" not in history:
            raise ValueError(
                f"history must have a 'loss' entry, got entries {sorted(history)}."
            )
        panels = ["loss"] + (["accuracy"] if "accuracy" in history else [])
        if ax is None:
            figsize = (5 * len(panels), 3.8)
            fig, axes = plt.subplots(
                1, len(panels), figsize=figsize, squeeze=False, layout="constrained"
            )
            axes = axes[0]
        else:
            axes = np.asarray(ax, dtype=object).reshape(-1)
            if axes.size != len(panels):
                raise ValueError(
                    f"ax must hold {len(panels)} Axes, one per panel "
                    f"({', '.join(panels)}), got {axes.size}."
                )
            fig = axes[0].figure

        self.lines_ = {}
        for key, panel in zip(panels, axes, strict=True):
            self.lines_[key] = []
            for name, label in ((key, "training"), ("val_" + key, "validation")):
                if name in history:
                    values = np.asarray(history[name], dtype=float)
                    epochs = np.arange(1, len(values) + 1)
                    line = panel.plot(epochs, values, marker=".", label=label)
                    self.lines_[key].extend(line)
            panel.set(title=key.capitalize(), xlabel="epoch", ylabel=key)
            panel.xaxis.set_major_locator(MaxNLocator(integer=True))
            panel.legend()
        self.ax_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_history(cls, history, *, ax=None):
        """Draw a history dict such as :attr:`~skcnn.CNNClassifier.history_`.

        Parameters
        ----------
        history : dict of str to list of float
            Values per epoch; must have a ``"loss"`` entry.
        ax : array-like of matplotlib Axes, default=None
            One Axes per panel. None creates a figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, drawn.
        """
        return cls(dict(history)).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Draw the training history of a fitted classifier.

        Parameters
        ----------
        estimator : CNNClassifier or Pipeline
            A fitted :class:`~skcnn.CNNClassifier` or a pipeline ending in one.
        ax : array-like of matplotlib Axes, default=None
            One Axes per panel. None creates a figure.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, drawn.
        """
        estimator = _final_step(estimator)
        if not hasattr(estimator, "history_"):
            raise ValueError(
                f"{type(estimator).__name__} has no history_; expected a fitted "
                "CNNClassifier or a pipeline ending in one."
            )
        return cls.from_history(estimator.history_, ax=ax)


class ConvFiltersDisplay:
    """Filters of a network's first convolution, or its output for an image.

    Create one with :meth:`from_estimator`. All parameters are stored as
    attributes.

    Parameters
    ----------
    filters : ndarray of shape (n_filters, kernel_height, kernel_width)
        Kernels of the convolution, averaged over the input channels.
    feature_maps : ndarray of shape (n_maps, height, width), default=None
        Output of the convolution for one image. When given, the maps are
        drawn (titled ``"map i"``) instead of the filters (``"filter i"``),
        counting from 0.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        The drawn filters or feature maps.
    titles_ : list of matplotlib Text
        Panel titles.
    ax_ : ndarray of matplotlib Axes
        Axes of the grid; those left over are hidden.
    figure_ : matplotlib Figure
        Figure holding the grid.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn.plotting import ConvFiltersDisplay
    >>> display = ConvFiltersDisplay(np.ones((4, 3, 3))).plot(n_cols=2)
    >>> display.ax_.shape, display.titles_[0].get_text()
    ((2, 2), 'filter 0')
    """

    def __init__(self, filters, feature_maps=None):
        self.filters = filters
        self.feature_maps = feature_maps

    def plot(self, *, n_cols=8, cmap="viridis", ax=None):
        """Draw the filters, or the feature maps if there are any.

        Parameters
        ----------
        n_cols : int, default=8
            Number of columns of a new grid.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the panels.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on, at least one per panel. None creates a figure.

        Returns
        -------
        display : ConvFiltersDisplay
            The display, with the drawn artists stored.
        """
        import matplotlib.pyplot as plt

        n_cols = _check_positive_int(n_cols, "n_cols")
        prefix = "filter" if self.feature_maps is None else "map"
        panels = np.asarray(self.filters if prefix == "filter" else self.feature_maps)
        if panels.ndim != 3:
            raise ValueError(
                f"{prefix}s must have shape (n, height, width), got {panels.shape}."
            )
        titles = [f"{prefix} {i}" for i in range(len(panels))]
        colors = ["black"] * len(panels)
        fig, axes = _grid_axes(plt, ax, len(panels), n_cols, (1.3, 1.5))
        self.images_, self.titles_ = _draw_grid(
            axes, panels[..., np.newaxis], titles, colors, cmap
        )
        self.ax_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, image=None, max_filters=32, n_cols=8, cmap="viridis", ax=None
    ):
        """Draw the first Conv2D layer's filters, or its output for an image.

        Parameters
        ----------
        estimator : CNNClassifier or Pipeline
            A fitted :class:`~skcnn.CNNClassifier` or a pipeline ending in one.
        image : array-like of shape (height, width), (height, width, \
channels) or (n_features,), default=None
            One image, preprocessed like the training data. When given, the
            layer's feature maps for it are drawn instead of the filters;
            augmentation layers are skipped, as at predict time.
        max_filters : int, default=32
            Largest number of filters or feature maps drawn, from the first.
        n_cols : int, default=8
            Number of columns of the grid.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the panels.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : ConvFiltersDisplay
            The display, drawn.
        """
        from ._keras import keras

        max_filters = _check_positive_int(max_filters, "max_filters")
        estimator = _final_step(estimator)
        model = getattr(estimator, "model_", None)
        if model is None:
            raise ValueError(
                f"{type(estimator).__name__} has no model_; expected a fitted "
                "CNNClassifier or a pipeline ending in one."
            )
        convs = [
            layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
        ]
        if not convs:
            raise ValueError(f"The network {model.name!r} has no Conv2D layer.")
        kernel = np.asarray(convs[0].get_weights()[0])  # (kh, kw, in, n_filters)
        filters = kernel.mean(axis=2).transpose(2, 0, 1)[:max_filters]
        feature_maps = None
        if image is not None:
            input_shape = tuple(model.inputs[0].shape[1:])
            image = np.asarray(image, dtype=np.float32)
            if image.size != math.prod(input_shape):
                raise ValueError(
                    f"image must be one input of shape {input_shape}, got an "
                    f"array of shape {image.shape}."
                )
            conv_model = keras.Model(model.inputs[0], convs[0].output)
            output = conv_model(image.reshape(1, *input_shape), training=False)
            output = keras.ops.convert_to_numpy(output)[0]
            feature_maps = output.transpose(2, 0, 1)[:max_filters]
        display = cls(filters, feature_maps)
        return display.plot(n_cols=n_cols, cmap=cmap, ax=ax)


def _resolve_param(name, names):
    """Full parameter name for ``name``: itself, or a unique ``__`` ending."""
    if name in names:
        return name
    matches = [key for key in names if key.endswith("__" + name)]
    if len(matches) == 1:
        return matches[0]
    found = f" (it ends {matches})" if matches else ""
    raise ValueError(
        f"{name!r} is not a searched parameter{found}; valid names are {names}."
    )


def _distinct_values(params, name):
    """Values of ``name`` in first-seen order (sorted if numbers), and their keys."""
    values, keys = [], []
    for candidate in params:
        if name in candidate and repr(candidate[name]) not in keys:
            keys.append(repr(candidate[name]))
            values.append(candidate[name])
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        values = sorted(values)
        keys = [repr(v) for v in values]
    return values, keys


class SearchHeatmapDisplay:
    """Heat map of a search score over two hyperparameters.

    Create one with :meth:`from_search`. All parameters are stored as
    attributes.

    Parameters
    ----------
    scores : ndarray of shape (n_y_values, n_x_values)
        Score of each pair of values; NaN where there is none.
    x_values : list
        Values of the parameter along the x axis (columns).
    y_values : list
        Values of the parameter along the y axis (rows).
    x_name : str
        Name of the x parameter.
    y_name : str
        Name of the y parameter.
    score_name : str
        Name of the score, used as the title.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heat map.
    text_ : ndarray of shape (n_y_values, n_x_values), dtype=object
        Text annotating each cell with its score.
    colorbar_ : matplotlib Colorbar
        Colour scale of the scores.
    ax_ : matplotlib Axes
        Axes with the heat map.
    figure_ : matplotlib Figure
        Figure holding the heat map.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn.plotting import SearchHeatmapDisplay
    >>> scores = np.array([[0.80, 0.85], [0.82, 0.90]])
    >>> display = SearchHeatmapDisplay(
    ...     scores, [(8,), (16,)], [0.0, 0.25], "filters", "dropout", "accuracy"
    ... ).plot()
    >>> display.text_[1, 1].get_text()
    '0.900'
    """

    def __init__(self, scores, x_values, y_values, x_name, y_name, score_name):
        self.scores = scores
        self.x_values = x_values
        self.y_values = y_values
        self.x_name = x_name
        self.y_name = y_name
        self.score_name = score_name

    def plot(self, *, cmap="viridis", values_format=".3f", ax=None):
        """Draw the heat map.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the scores.
        values_format : str, default=".3f"
            Format of the score written in each cell.
        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure.

        Returns
        -------
        display : SearchHeatmapDisplay
            The display, with the drawn artists stored.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        else:
            fig = ax.figure
        scores = np.asarray(self.scores, dtype=float)
        self.im_ = ax.imshow(scores, cmap=cmap, interpolation="nearest")
        finite = scores[np.isfinite(scores)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        low_color, high_color = self.im_.cmap(0.0), self.im_.cmap(1.0)
        self.text_ = np.empty(scores.shape, dtype=object)
        for (i, j), value in np.ndenumerate(scores):
            color = high_color if value < middle else low_color
            text = format(value, values_format)
            self.text_[i, j] = ax.text(
                j, i, text, ha="center", va="center", color=color
            )
        self.colorbar_ = fig.colorbar(self.im_, ax=ax)
        ax.set_xticks(np.arange(scores.shape[1]))
        ax.set_xticklabels([str(v) for v in self.x_values])
        ax.set_yticks(np.arange(scores.shape[0]))
        ax.set_yticklabels([str(v) for v in self.y_values])
        ax.set(xlabel=self.x_name, ylabel=self.y_name, title=self.score_name)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_search(
        cls, search, *, x, y, score="mean_test_score", ax=None, cmap="viridis"
    ):
        """Draw a fitted search's score over two of its parameters.

        Each cell holds the mean of ``cv_results_[score]`` over the candidates
        with that pair of values, whatever their other parameters; NaN where
        no candidate has the pair. Numeric values are sorted, others kept in
        the order first seen and labelled by their ``str``.

        Parameters
        ----------
        search : GridSearchCV or RandomizedSearchCV
            A fitted search.
        x : str
            Parameter along the x axis: a key of ``cv_results_["params"]``
            such as ``"cnnclassifier__filters"``, or its unique ending after
            ``"__"`` such as ``"filters"``.
        y : str
            Parameter along the y axis, named in the same way.
        score : str, default="mean_test_score"
            Key of ``cv_results_`` holding the score.
        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure.
        cmap : str or matplotlib Colormap, default="viridis"
            Colormap of the scores.

        Returns
        -------
        display : SearchHeatmapDisplay
            The display, drawn.
        """
        check_is_fitted(search, "cv_results_")
        results = search.cv_results_
        if score not in results:
            valid = sorted(key for key in results if key.startswith("mean_"))
            raise ValueError(f"{score!r} is not a key of cv_results_; try {valid}.")
        params = list(results["params"])
        names = []
        for candidate in params:
            names.extend(key for key in candidate if key not in names)
        x, y = _resolve_param(x, names), _resolve_param(y, names)
        if x == y:
            raise ValueError(f"x and y must be different parameters, both are {x!r}.")

        x_values, x_keys = _distinct_values(params, x)
        y_values, y_keys = _distinct_values(params, y)
        cells = [[[] for _ in x_values] for _ in y_values]
        values = np.asarray(results[score], dtype=float)
        for candidate, value in zip(params, values, strict=True):
            if x in candidate and y in candidate:
                i = y_keys.index(repr(candidate[y]))
                j = x_keys.index(repr(candidate[x]))
                cells[i][j].append(value)
        scores = np.array([[np.mean(c) if c else np.nan for c in row] for row in cells])
        display = cls(scores, x_values, y_values, x, y, score)
        return display.plot(cmap=cmap, ax=ax)
