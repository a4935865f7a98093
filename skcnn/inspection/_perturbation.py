"""SmoothGrad and occlusion: maps from perturbed copies of the images.

SmoothGrad averages the input gradients of noisy copies; occlusion hides
one patch at a time and records how much the class's logit drops. The
copies are made here, in NumPy, a batch at a time; the network's logits and
gradients come from :class:`skcnn._engine.saliency.SaliencyNetwork`.
"""

import numpy as np
from sklearn.utils import check_random_state

from .._validation import is_stream

__all__ = ["batches", "occlusion_maps", "patch_geometry", "smoothed_gradients"]


def batches(images, batch_size):
    """``(rows, float32 batch)`` pairs over an array or a stream, in order."""
    if is_stream(images):
        parts = images.batches(batch_size)
    else:
        parts = (
            images[start : start + batch_size]
            for start in range(0, len(images), batch_size)
        )
    start = 0
    for batch in parts:
        stop = start + len(batch)
        yield slice(start, stop), np.asarray(batch, dtype=np.float32)
        start = stop


def _predicted(network, batch, targets):
    """``targets`` with -1 replaced by the class of the largest logit."""
    if (targets >= 0).all():
        return targets
    predicted = np.argmax(network.logits(batch), axis=1).astype(np.int32)
    return np.where(targets < 0, predicted, targets)


def smoothed_gradients(
    network, images, targets, batch_size, samples, level, random_state
):
    """Input-gradient maps, averaged over ``samples`` noisy copies if any."""
    if samples == 0:
        return [
            network.input_gradients(batch, targets[rows])[0]
            for rows, batch in batches(images, batch_size)
        ]
    # Fresh entropy for None, without drawing from NumPy's global state.
    rng = (
        np.random.RandomState()
        if random_state is None
        else check_random_state(random_state)
    )
    seeds = rng.randint(np.iinfo(np.int32).max, size=len(images))
    maps = []
    for rows, batch in batches(images, batch_size):
        chosen = _predicted(network, batch, targets[rows])
        draws = [np.random.RandomState(seed) for seed in seeds[rows]]
        spread = np.ptp(batch.reshape(len(batch), -1), axis=1)
        scale = (level * spread).astype(np.float32).reshape(-1, 1, 1, 1)
        total = np.zeros(batch.shape[:3], dtype=np.float32)
        for _ in range(samples):
            noise = np.stack([draw.standard_normal(batch.shape[1:]) for draw in draws])
            noisy = batch + scale * noise.astype(np.float32)
            total += network.input_gradients(noisy, chosen)[0]
        maps.append(total / samples)
    return maps


def _auto_patch(height, width):
    return max(2, round(min(height, width) / 6))


def patch_geometry(patch_size, stride, image_size):
    """``(patch height, patch width, stride)`` for images of ``image_size``."""
    height, width = image_size
    side = _auto_patch(height, width) if patch_size == "auto" else int(patch_size)
    step = max(1, side // 2) if stride == "auto" else int(stride)
    return min(side, height), min(side, width), step


def _starts(size, patch, step):
    """Patch offsets along one axis, the last one flush with the edge."""
    starts = list(range(0, size - patch + 1, step))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def _patch_masks(image_size, patch):
    """Boolean masks ``(n_positions, height, width)``, one per patch position."""
    height, width = image_size
    patch_height, patch_width, step = patch
    masks = [
        (top, left)
        for top in _starts(height, patch_height, step)
        for left in _starts(width, patch_width, step)
    ]
    out = np.zeros((len(masks), height, width), dtype=bool)
    for i, (top, left) in enumerate(masks):
        out[i, top : top + patch_height, left : left + patch_width] = True
    return out


def occlusion_maps(network, images, targets, batch_size, patch, baseline):
    """Occlusion maps: the drop of the target's logit, averaged over the patches."""
    masks = _patch_masks(network.input_shape[:2], patch)
    n_positions = len(masks)
    flat_masks = masks.reshape(n_positions, -1).astype(np.float32)
    coverage = flat_masks.sum(axis=0)
    maps = []
    for rows, batch in batches(images, batch_size):
        logits = network.logits(batch)
        chosen = targets[rows]
        chosen = np.where(chosen < 0, np.argmax(logits, axis=1), chosen)
        reference = logits[np.arange(len(batch)), chosen]
        drops = np.empty(len(batch) * n_positions, dtype=np.float32)
        for start in range(0, len(drops), batch_size):
            pairs = np.arange(start, min(start + batch_size, len(drops)))
            image, position = np.divmod(pairs, n_positions)
            hidden = np.where(masks[position][..., None], baseline, batch[image])
            scores = network.logits(hidden.astype(np.float32))
            drops[pairs] = (
                reference[image] - scores[np.arange(len(pairs)), chosen[image]]
            )
        drops = np.maximum(drops.reshape(len(batch), n_positions), 0)
        heat = (drops @ flat_masks) / coverage
        maps.append(heat.reshape(batch.shape[:3]))
    return maps
