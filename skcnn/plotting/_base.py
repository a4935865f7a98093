"""What the Displays share: argument checks, label text, Axes and image grids.

Nothing here imports matplotlib at module level. :func:`pyplot` loads it on
the first drawing, so that importing :mod:`skcnn.plotting` stays cheap.
"""

import math
import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .._validation import infer_image_shape


def pyplot():
    """Return :mod:`matplotlib.pyplot`, imported on first use."""
    import matplotlib.pyplot as plt

    return plt


def check_positive_int(value, name):
    """Return ``value`` as an int; raise if it is not a positive integer."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def as_image_stack(images):
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


def check_length(values, n_items, name, *, items="images", required=False):
    """Return ``values`` as a 1-D array of ``n_items`` entries.

    None stays None, unless ``required``, in which case it is an error.
    """
    if values is None:
        if required:
            raise ValueError(f"{name} is required, got None.")
        return None
    values = column_or_1d(values)
    if len(values) != n_items:
        raise ValueError(
            f"{name} has {len(values)} entries but there are {n_items} {items}."
        )
    return values


def label_text(label, class_names):
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


def single_axes(ax, figsize=None):
    """``(figure, ax)``: the given Axes, or one on a new figure."""
    if ax is None:
        return pyplot().subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def grid_axes(ax, n_panels, n_cols, panel_size):
    """``(figure, axes)``: a new grid for ``n_panels`` panels, or the given Axes."""
    n_cols = check_positive_int(n_cols, "n_cols")
    if ax is None:
        n_cols = max(1, min(n_cols, n_panels))
        n_rows = max(1, math.ceil(n_panels / n_cols))
        figsize = (panel_size[0] * n_cols, panel_size[1] * n_rows)
        return pyplot().subplots(
            n_rows, n_cols, figsize=figsize, squeeze=False, layout="constrained"
        )
    axes = np.asarray(ax, dtype=object)
    axes = axes.reshape(1) if axes.ndim == 0 else axes
    if axes.size < max(n_panels, 1):
        raise ValueError(f"ax holds {axes.size} Axes but {n_panels} panels are drawn.")
    return axes.flat[0].figure, axes


def draw_grid(axes, images, titles, colors, cmap):
    """Draw ``(n, h, w, c)`` ``images`` into ``axes``; hide the Axes left over.

    Returns the drawn images and titles (none when ``titles`` is None).
    """
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


def fitted_attribute(estimator, name):
    """The fitted attribute ``name`` of ``estimator``, or of a pipeline's last step."""
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    check_is_fitted(estimator)
    value = getattr(estimator, name, None)
    if value is None:
        raise ValueError(
            f"{type(estimator).__name__} has no {name}; expected a fitted "
            "CNNClassifier or a pipeline ending in one."
        )
    return value


def n_samples(X):
    """Number of samples of ``X``: an array, a list of paths or an ImageStream."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def take_rows(X, rows):
    """The samples ``rows`` of ``X``, of the same kind as ``X``.

    Arrays and ImageStreams are indexed with ``rows``; pandas objects
    through ``iloc``; other sequences (lists of paths) give a list.
    """
    rows = np.asarray(rows, dtype=np.intp)
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    if isinstance(X, (list, tuple)):
        return [X[i] for i in rows]
    return X[rows]
