"""ImageGridDisplay: a grid of images, titled with labels and predictions."""

from sklearn.utils.validation import check_is_fitted

from ._base import (
    as_image_stack,
    check_length,
    check_positive_int,
    draw_grid,
    grid_axes,
    label_text,
)
from ._docstrings import fill_doc


@fill_doc(n_cols=5, cmap="gray", cmap_of="grayscale images")
class ImageGridDisplay:
    """Grid of images, optionally titled with their labels and predictions.

    Create one with :meth:`from_images`, :meth:`from_predictions` or
    :meth:`from_estimator`. All parameters are stored as attributes.

    Parameters
    ----------
    {images}
    labels : array-like of shape (n_images,), default=None
        Label of each image, shown as its title.
    predictions : array-like of shape (n_images,), default=None
        Predicted labels. With them, titles read ``"true: A\\npred: B"``, in
        green for a correct prediction and in red for a wrong one.
    {class_names}

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        The drawn images.
    titles_ : list of matplotlib Text
        Panel titles; empty without labels.
    message_ : matplotlib Text or None
        Note drawn in place of the grid when there is no image to show.
    {grid_attributes}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcnn.plotting import ImageGridDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> ImageGridDisplay.from_images(X, y, n_images=10).ax_.shape
    (2, 5)
    >>> display = ImageGridDisplay(X[:3], labels=["a", "b", "c"]).plot()
    >>> [title.get_text() for title in display.titles_]
    ['a', 'b', 'c']
    """

    def __init__(self, images, *, labels=None, predictions=None, class_names=None):
        self.images = images
        self.labels = labels
        self.predictions = predictions
        self.class_names = class_names

    def plot(self, *, n_cols=5, cmap="gray", ax=None):
        """Draw the images in a grid.

        Each image is titled with its label, or with its true and predicted
        labels; a grid without images shows a note instead.

        Parameters
        ----------
        {grid_plot}

        {plot_returns}
        """
        images = as_image_stack(self.images)
        labels = check_length(self.labels, len(images), "labels")
        predictions = check_length(self.predictions, len(images), "predictions")
        if predictions is not None and labels is None:
            raise ValueError("predictions can only be shown together with labels.")
        titles, colors = _titles(labels, predictions, self.class_names)

        fig, axes = grid_axes(ax, len(images), n_cols, (1.6, 1.9))
        self.images_, self.titles_ = draw_grid(axes, images, titles, colors, cmap)
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
        class_names=None,
        n_cols=5,
        cmap="gray",
        ax=None,
    ):
        """Draw the first images, titled with their labels when given.

        Parameters
        ----------
        {images}
        labels : array-like of shape (n_images,), default=None
            Label of each image.
        {n_images}
        {class_names}
        {grid_plot}

        {from_returns}
        """
        images = as_image_stack(images)
        labels = check_length(labels, len(images), "labels")
        images, labels = _head(n_images, images, labels)
        display = cls(images, labels=labels, class_names=class_names)
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
        class_names=None,
        n_cols=5,
        cmap="gray",
        ax=None,
    ):
        """Draw images titled with their true and predicted labels.

        Titles of correct predictions are green, those of wrong ones red.

        Parameters
        ----------
        {images}
        y_true : array-like of shape (n_images,)
            True labels.
        y_pred : array-like of shape (n_images,)
            Predicted labels.
        {only_errors}
        {n_images}
        {class_names}
        {grid_plot}

        {from_returns}
        """
        images = as_image_stack(images)
        y_true = check_length(y_true, len(images), "y_true", required=True)
        y_pred = check_length(y_pred, len(images), "y_pred", required=True)
        if only_errors:
            wrong = y_true != y_pred
            images, y_true, y_pred = images[wrong], y_true[wrong], y_pred[wrong]
        images, y_true, y_pred = _head(n_images, images, y_true, y_pred)
        display = cls(
            images, labels=y_true, predictions=y_pred, class_names=class_names
        )
        return display.plot(n_cols=n_cols, cmap=cmap, ax=ax)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        images=None,
        only_errors=False,
        n_images=10,
        class_names=None,
        n_cols=5,
        cmap="gray",
        ax=None,
    ):
        """Draw images titled with their labels and a fitted model's predictions.

        The model predicts every row of ``X``; the drawing is that of
        :meth:`from_predictions`.

        Parameters
        ----------
        estimator : estimator or Pipeline
            A fitted classifier, such as a :class:`~skcnn.CNNClassifier` or a
            pipeline ending in one.
        X : array-like of shape (n_images, ...)
            Input of ``estimator.predict``.
        y : array-like of shape (n_images,)
            True labels.
        images : array-like of shape (n_images, n_pixels), (n_images, \
height, width) or (n_images, height, width, channels), default=None
            Images drawn for the rows of ``X``, for example when ``X`` holds
            file names or pixels scaled for the network. None draws ``X``.
        {only_errors}
        {n_images}
        {class_names}
        {grid_plot}

        {from_returns}
        """
        check_is_fitted(estimator)
        check_positive_int(n_images, "n_images")  # before the costly predict
        y_pred = estimator.predict(X)
        return cls.from_predictions(
            X if images is None else images,
            y,
            y_pred,
            only_errors=only_errors,
            n_images=n_images,
            n_cols=n_cols,
            class_names=class_names,
            cmap=cmap,
            ax=ax,
        )


def _head(n_images, *arrays):
    """The first ``n_images`` entries of each array (None stays None)."""
    n_images = check_positive_int(n_images, "n_images")
    return [None if a is None else a[:n_images] for a in arrays]


def _titles(labels, predictions, class_names):
    """Panel titles and their colours: labels, or true and predicted labels."""
    if predictions is not None:
        pairs = list(zip(labels, predictions, strict=True))
        titles = [
            f"true: {label_text(t, class_names)}\npred: {label_text(p, class_names)}"
            for t, p in pairs
        ]
        return titles, ["tab:green" if t == p else "tab:red" for t, p in pairs]
    if labels is None:
        return None, None
    return [label_text(label, class_names) for label in labels], ["black"] * len(labels)
