"""ConvFiltersDisplay: a network's first convolution, as filters or feature maps."""

import math

import numpy as np

from ._base import check_positive_int, draw_grid, fitted_attribute, grid_axes
from ._docstrings import fill_doc


@fill_doc(n_cols=8, cmap="viridis", cmap_of="the panels")
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
    {grid_attributes}

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn.plotting import ConvFiltersDisplay
    >>> display = ConvFiltersDisplay(np.ones((4, 3, 3))).plot(n_cols=2)
    >>> display.ax_.shape, display.titles_[0].get_text()
    ((2, 2), 'filter 0')
    """

    def __init__(self, filters, *, feature_maps=None):
        self.filters = filters
        self.feature_maps = feature_maps

    def plot(self, *, n_cols=8, cmap="viridis", ax=None):
        """Draw the filters, or the feature maps if there are any.

        Parameters
        ----------
        {grid_plot}

        {plot_returns}
        """
        prefix = "filter" if self.feature_maps is None else "map"
        panels = np.asarray(self.filters if prefix == "filter" else self.feature_maps)
        if panels.ndim != 3:
            raise ValueError(
                f"{prefix}s must have shape (n, height, width), got {panels.shape}."
            )
        titles = [f"{prefix} {i}" for i in range(len(panels))]
        colors = ["black"] * len(panels)
        fig, axes = grid_axes(ax, len(panels), n_cols, (1.3, 1.5))
        self.images_, self.titles_ = draw_grid(
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
        {estimator}
        image : array-like of shape (height, width), (height, width, \
channels) or (n_features,), default=None
            One image, preprocessed like the training data. When given, the
            layer's feature maps for it are drawn instead of the filters;
            augmentation layers are skipped, as at predict time.
        max_filters : int, default=32
            Largest number of filters or feature maps drawn, from the first.
        {grid_plot}

        {from_returns}
        """
        max_filters = check_positive_int(max_filters, "max_filters")
        model = fitted_attribute(estimator, "model_")
        conv = _first_conv(model)
        kernel = np.asarray(conv.get_weights()[0])  # (kh, kw, in, n_filters)
        filters = kernel.mean(axis=2).transpose(2, 0, 1)[:max_filters]
        feature_maps = None
        if image is not None:
            feature_maps = _feature_maps(model, conv, image)[:max_filters]
        display = cls(filters, feature_maps=feature_maps)
        return display.plot(n_cols=n_cols, cmap=cmap, ax=ax)


def _first_conv(model):
    """The first Conv2D layer of a Keras ``model``."""
    from .._engine.runtime import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            return layer
    raise ValueError(f"The network {model.name!r} has no Conv2D layer.")


def _feature_maps(model, conv, image):
    """Output of the layer ``conv`` of ``model`` for one image, maps first."""
    from .._engine.runtime import keras

    input_shape = tuple(model.inputs[0].shape[1:])
    image = np.asarray(image, dtype=np.float32)
    if image.size != math.prod(input_shape):
        raise ValueError(
            f"image must be one input of shape {input_shape}, got an "
            f"array of shape {image.shape}."
        )
    conv_model = keras.Model(model.inputs[0], conv.output)
    output = conv_model(image.reshape(1, *input_shape), training=False)
    return keras.ops.convert_to_numpy(output)[0].transpose(2, 0, 1)
