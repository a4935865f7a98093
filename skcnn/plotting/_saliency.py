"""SaliencyDisplay: saliency maps drawn over the images they explain."""

import numpy as np

from ._base import (
    as_image_stack,
    check_length,
    check_positive_int,
    grid_axes,
    label_text,
    n_samples,
    take_rows,
)
from ._docstrings import fill_doc
from ._overlay import check_alpha, check_maps, draw_colorbar, draw_overlay


@fill_doc(n_cols=5, cmap="turbo", cmap_of="the saliency maps")
class SaliencyDisplay:
    """Saliency maps overlaid on their images, titled with labels and predictions.

    Each panel shows an image, in gray or in colour, with its saliency map
    drawn over it in a colormap. Every map is scaled by its own maximum, so
    that the colour bar reads from 0 (no evidence) to 1 (the map's
    strongest evidence). Create one with :meth:`from_estimator` (which
    computes the maps with :func:`skcnn.inspection.saliency`) or
    :meth:`from_predictions`. All parameters are stored as attributes.

    Parameters
    ----------
    images : array-like of shape (n_images, n_pixels), (n_images, height, \
width) or (n_images, height, width, channels)
        The images the maps explain; flat rows are reshaped with
        :func:`~skcnn.preprocessing.infer_image_shape`. They are scaled for
        display only: integer pixels are read as 0–255, float pixels in
        ``[0, 1]`` are shown as they are and other float images (standardised
        pixels, for example) are stretched to ``[0, 1]`` image by image.
    maps : array-like of shape (n_images, height, width)
        One non-negative saliency map per image, of the image's height and
        width, such as :func:`skcnn.inspection.saliency` returns.
    labels : array-like of shape (n_images,), default=None
        True label of each image.
    predictions : array-like of shape (n_images,), default=None
        Predicted labels. With ``labels``, titles read ``"true: A\\npred: B"``,
        in green for a correct prediction and in red for a wrong one; alone,
        ``"pred: B"``.
    class_names : sequence of str or dict, default=None
        Names shown instead of the labels: a sequence is indexed by integer
        labels, a dict maps labels to names (labels it lacks are shown as
        they are).
    method : str, default=None
        Name of the method that computed the maps, written on the colour bar.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        The drawn images, under the maps.
    overlays_ : list of matplotlib AxesImage
        The drawn maps, each scaled to ``[0, 1]`` by its maximum.
    titles_ : list of matplotlib Text
        Panel titles; empty without labels and predictions.
    colorbar_ : matplotlib Colorbar or None
        The colour bar of the maps; None when it is not drawn.
    message_ : matplotlib Text or None
        Note drawn in place of the grid when there is no image to show.
    {grid_attributes}

    See Also
    --------
    skcnn.inspection.saliency : Compute saliency maps.
    ImageGridDisplay : Images alone, titled with labels and predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn.plotting import SaliencyDisplay
    >>> images = np.zeros((2, 8, 8))
    >>> maps = np.zeros((2, 8, 8))
    >>> maps[0, 2, 3] = maps[1, 5, 5] = 4.0
    >>> display = SaliencyDisplay(images, maps=maps, labels=[1, 2],
    ...                           predictions=[1, 3]).plot()
    >>> display.ax_.shape, float(display.overlays_[0].get_array().max())
    ((1, 2), 1.0)
    >>> [title.get_color() for title in display.titles_]
    ['tab:green', 'tab:red']
    """

    def __init__(
        self,
        images,
        *,
        maps,
        labels=None,
        predictions=None,
        class_names=None,
        method=None,
    ):
        self.images = images
        self.maps = maps
        self.labels = labels
        self.predictions = predictions
        self.class_names = class_names
        self.method = method

    def plot(self, *, n_cols=5, cmap="turbo", alpha=0.5, colorbar=True, ax=None):
        """Draw each map over its image, in a grid, with a colour bar.

        Parameters
        ----------
        {n_cols}
        {cmap}
        {alpha}
        {colorbar}
        {grid_ax}

        {plot_returns}
        """
        images = as_image_stack(self.images)
        maps = check_maps(self.maps, images)
        alpha = check_alpha(alpha)
        labels = check_length(self.labels, len(images), "labels")
        predictions = check_length(self.predictions, len(images), "predictions")
        titles, colors = _titles(labels, predictions, self.class_names)

        fig, axes = grid_axes(ax, len(images), n_cols, (1.8, 2.0))
        self.images_, self.overlays_, self.titles_ = [], [], []
        for i, panel in enumerate(axes.flat):
            panel.axis("off")
            if i >= len(images):
                continue
            drawn, overlay = draw_overlay(panel, images[i], maps[i], cmap, alpha)
            self.images_.append(drawn)
            self.overlays_.append(overlay)
            if titles is not None:
                self.titles_.append(
                    panel.set_title(titles[i], color=colors[i], fontsize=9)
                )
        self.message_ = self.colorbar_ = None
        if len(images) == 0:
            note = "no misclassified images" if predictions is not None else "no images"
            first = axes.flat[0]
            self.message_ = first.text(
                0.5, 0.5, note, ha="center", va="center", transform=first.transAxes
            )
        elif colorbar:
            self.colorbar_ = draw_colorbar(fig, axes, cmap, self.method)
        self.ax_, self.figure_ = axes, fig
        return self

    @classmethod
    def from_predictions(
        cls,
        images,
        maps,
        *,
        y_true=None,
        y_pred=None,
        only_errors=False,
        n_images=10,
        class_names=None,
        method=None,
        n_cols=5,
        cmap="turbo",
        alpha=0.5,
        colorbar=True,
        ax=None,
    ):
        """Draw saliency maps computed before over their images.

        Parameters
        ----------
        images : array-like of shape (n_images, n_pixels), (n_images, \
height, width) or (n_images, height, width, channels)
            The images the maps explain, as described for the class.
        maps : array-like of shape (n_images, height, width)
            One non-negative map per image, of the image's height and width.
        y_true : array-like of shape (n_images,), default=None
            True labels.
        y_pred : array-like of shape (n_images,), default=None
            Predicted labels.
        only_errors : bool, default=False
            Whether to draw only the images whose ``y_pred`` differs from
            ``y_true`` (both are then required). If there are none, the
            figure shows the note "no misclassified images".
        {n_images}
        {class_names}
        method : str, default=None
            Name of the method that computed the maps, for the colour bar.
        {n_cols}
        {cmap}
        {alpha}
        {colorbar}
        {grid_ax}

        {from_returns}
        """
        n_images = check_positive_int(n_images, "n_images")
        images = as_image_stack(images)
        maps = check_maps(maps, images)
        y_true = check_length(y_true, len(images), "y_true")
        y_pred = check_length(y_pred, len(images), "y_pred")
        rows = _rows(len(images), y_true, y_pred, only_errors, n_images)
        display = cls(
            images[rows],
            maps=maps[rows],
            labels=None if y_true is None else y_true[rows],
            predictions=None if y_pred is None else y_pred[rows],
            class_names=class_names,
            method=method,
        )
        return display.plot(
            n_cols=n_cols, cmap=cmap, alpha=alpha, colorbar=colorbar, ax=ax
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        method=None,
        target=None,
        layer=None,
        only_errors=False,
        n_images=10,
        batch_size=32,
        random_state=None,
        class_names=None,
        n_cols=5,
        cmap="turbo",
        alpha=0.5,
        colorbar=True,
        ax=None,
    ):
        """Compute the saliency maps of a fitted CNN and draw them over the images.

        The maps are those of :func:`skcnn.inspection.saliency`, for the
        first ``n_images`` rows of ``X`` (or the first misclassified ones);
        the images drawn under them are the ones the network receives,
        after the pipeline's preprocessing. Titles show the labels ``y``
        and the estimator's predictions.

        Parameters
        ----------
        {estimator}
        X : array-like of shape (n_samples, ...), list of str or ImageStream
            Input of ``estimator.predict``: images, flat pixel rows, or file
            paths for a pipeline that starts with an ImageLoader.
        y : array-like of shape (n_samples,), default=None
            True labels. None titles the panels with the predictions alone.
        method : str, default=None
            Saliency method, one of
            :data:`skcnn.inspection.METHODS`; None is
            :func:`~skcnn.inspection.saliency`'s default.
        target : label, default=None
            Class whose evidence is shown. None explains each image's
            predicted class.
        layer : str, default=None
            Name of the convolution layer the map is taken at, for the
            methods that use one; None chooses as
            :func:`~skcnn.inspection.saliency` does.
        only_errors : bool, default=False
            Whether to draw only misclassified images (``y`` is then
            required, and all of ``X`` is predicted to find them). If there
            are none, the figure shows the note "no misclassified images".
        {n_images}
        batch_size : int, default=32
            Images computed at a time.
        random_state : int, RandomState instance or None, default=None
            Seed of the methods that draw random numbers (noise of smoothed
            maps).
        {class_names}
        {n_cols}
        {cmap}
        {alpha}
        {colorbar}
        {grid_ax}

        {from_returns}
        """
        from sklearn.utils.validation import check_is_fitted

        from ..inspection import saliency
        from ..inspection._saliency import DEFAULT_METHOD, explained_images

        check_is_fitted(estimator)
        # Checked before the costly predictions and gradients.
        n_images = check_positive_int(n_images, "n_images")
        check_alpha(alpha)
        check_positive_int(n_cols, "n_cols")
        y = check_length(y, n_samples(X), "y", items="samples")
        if only_errors:
            if y is None:
                raise ValueError("only_errors=True needs the true labels y.")
            wrong = np.flatnonzero(np.asarray(estimator.predict(X)) != y)
            rows = wrong[:n_images]
        else:
            rows = np.arange(min(n_images, n_samples(X)))
        X_shown = take_rows(X, rows)
        y_shown = None if y is None else y[rows]
        y_pred = None
        maps = np.zeros((0, 1, 1), dtype=np.float32)
        images = np.zeros((0, 1, 1, 1), dtype=np.float32)
        if len(rows):
            y_pred = np.asarray(estimator.predict(X_shown))
            maps = saliency(
                estimator,
                X_shown,
                method=method,
                target=target,
                layer=layer,
                batch_size=batch_size,
                random_state=random_state,
            )
            _, images = explained_images(estimator, X_shown)
        elif only_errors:
            y_pred = np.zeros(0)  # the note says "no misclassified images"
        display = cls(
            images,
            maps=maps,
            labels=y_shown,
            predictions=y_pred,
            class_names=class_names,
            method=DEFAULT_METHOD if method is None else method,
        )
        return display.plot(
            n_cols=n_cols, cmap=cmap, alpha=alpha, colorbar=colorbar, ax=ax
        )


def _rows(n, y_true, y_pred, only_errors, n_images):
    """Indices of the panels drawn: the first ``n_images``, or errors only."""
    if not only_errors:
        return np.arange(min(n, n_images))
    if y_true is None or y_pred is None:
        raise ValueError("only_errors=True needs both y_true and y_pred.")
    return np.flatnonzero(y_true != y_pred)[:n_images]


def _titles(labels, predictions, class_names):
    """Panel titles and their colours; None when there is nothing to say."""
    if labels is not None and predictions is not None:
        pairs = list(zip(labels, predictions, strict=True))
        titles = [
            f"true: {label_text(t, class_names)}\npred: {label_text(p, class_names)}"
            for t, p in pairs
        ]
        return titles, ["tab:green" if t == p else "tab:red" for t, p in pairs]
    if predictions is not None:
        titles = [f"pred: {label_text(p, class_names)}" for p in predictions]
        return titles, ["black"] * len(titles)
    if labels is not None:
        return [label_text(t, class_names) for t in labels], ["black"] * len(labels)
    return None, None
