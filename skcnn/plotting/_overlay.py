"""Saliency maps drawn over images: the checks, the scaling and the artists.

Nothing here imports matplotlib at module level.
"""

import numbers

import numpy as np


def check_alpha(alpha):
    """``alpha`` as a float; raise if it is not a number from 0 to 1."""
    if (
        not isinstance(alpha, numbers.Real)
        or isinstance(alpha, bool)
        or not 0.0 <= alpha <= 1.0
    ):
        raise ValueError(f"alpha must be a number from 0 to 1, got {alpha!r}.")
    return float(alpha)


def check_maps(maps, images):
    """``maps`` as a float array of shape ``(n, h, w)`` that fits ``images``."""
    maps = np.asarray(maps)
    if maps.ndim == 4 and maps.shape[-1] == 1:
        maps = maps[..., 0]
    if maps.ndim != 3:
        raise ValueError(
            "maps must have shape (n_images, height, width), one map per "
            f"image, got an array of shape {maps.shape}."
        )
    if len(maps) != len(images):
        raise ValueError(
            f"maps holds {len(maps)} maps but there are {len(images)} images; "
            "expected one map per image."
        )
    if len(images) and maps.shape[1:] != images.shape[1:3]:
        h, w = images.shape[1:3]
        raise ValueError(
            f"maps must have the images' height and width ({h}, {w}), got "
            f"maps of shape {maps.shape[1:]}; compute them for these images."
        )
    if maps.dtype.kind not in "biuf":
        raise ValueError(f"maps must hold numbers, got dtype {maps.dtype}.")
    maps = maps.astype(np.float64)
    if maps.size and not np.isfinite(maps).all():
        raise ValueError("maps must be finite, got NaN or infinite values.")
    if maps.size and maps.min() < 0:
        raise ValueError(
            "maps must be non-negative (as skcnn.inspection.saliency returns "
            f"them), got a minimum of {maps.min():g}."
        )
    return maps


def unit_scale(saliency_map):
    """``saliency_map`` divided by its maximum (an all-zero map stays zero)."""
    peak = saliency_map.max()
    return saliency_map / peak if peak > 0 else np.zeros_like(saliency_map)


def display_pixels(image):
    """One ``(h, w, c)`` image as floats in ``[0, 1]`` for display.

    Integer pixels are divided by 255 (after clipping to 0–255), float
    pixels in ``[0, 1]`` kept, and other float images stretched from their
    minimum to their maximum. Returns ``(h, w)`` for grayscale.
    """
    if image.dtype.kind in "biu":
        pixels = np.clip(image.astype(np.float64), 0, 255) / 255
    else:
        pixels = image.astype(np.float64)
        low, high = pixels.min(), pixels.max()
        if low < 0 or high > 1:
            span = high - low
            pixels = (pixels - low) / span if span > 0 else np.zeros_like(pixels)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def draw_overlay(ax, image, saliency_map, cmap, alpha):
    """Draw ``image`` and, over it, ``saliency_map`` scaled to ``[0, 1]``.

    Returns both AxesImages: the image's and the map's.
    """
    pixels = display_pixels(image)
    gray = dict(cmap="gray", vmin=0.0, vmax=1.0) if pixels.ndim == 2 else {}
    drawn = ax.imshow(pixels, interpolation="nearest", **gray)
    overlay = ax.imshow(
        unit_scale(saliency_map),
        cmap=cmap,
        alpha=alpha,
        vmin=0.0,
        vmax=1.0,
        interpolation="bilinear",
    )
    return drawn, overlay


def draw_colorbar(fig, axes, cmap, method):
    """One colour bar for all panels, from 0 to each map's maximum."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    shown = [panel for panel in axes.flat if panel.images]
    mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=cmap)
    what = "saliency" if method is None else f"{method} saliency"
    return fig.colorbar(
        mappable, ax=shown, shrink=0.8, label=f"{what} (1 = the map's maximum)"
    )
