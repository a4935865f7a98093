"""Which layers of a backbone train: frozen, or unfrozen from the top in whole blocks.

BatchNormalization layers of a backbone are never trainable: a frozen
BatchNormalization layer runs in inference mode in Keras 3, so its moving
statistics (learnt on the pretraining data) are neither used from small
batches nor overwritten, in both phases of a fine-tuning fit. (Calling the
backbone with ``training=False`` inside a functional model does not do this
in Keras 3.15: the outer ``training`` flag wins.)
"""

import math
import re

from .runtime import keras

__all__ = ["all_layers", "freeze", "unfreeze_top"]


def freeze(model):
    """Make every layer of ``model`` untrainable."""
    model.trainable = False


def all_layers(model):
    """Every layer inside ``model``, nested models' layers included."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)


def _block_of(name, patterns):
    """The block a layer name says it belongs to, or None."""
    for pattern in patterns:
        match = re.search(pattern, name)
        if match:
            # The captured part names the block ("2" of conv2, pool2, ...);
            # a pattern that captures nothing names it whole.
            groups = [g for g in match.groups() if g is not None]
            return pattern, groups[0] if groups else match.group(0)
    return None


def _blocks(layers, patterns):
    """The block of each layer: its name's, else that of the block around it.

    Layers Keras names by their kind alone (``activation_15``, ``re_lu_8``)
    sit inside the blocks of MobileNetV3: one between two layers of the same
    block belongs to it. Any other unnamed layer (a stem, a top) is a block
    of its own.
    """
    named = [_block_of(layer.name, patterns) for layer in layers]
    blocks = []
    for i, block in enumerate(named):
        if block is None:
            before = next((b for b in reversed(named[:i]) if b is not None), None)
            after = next((b for b in named[i + 1 :] if b is not None), None)
            block = before if before is not None and before == after else ("", i)
        blocks.append(block)
    return blocks


def unfreeze_top(model, fraction, patterns):
    """Unfreeze the top ``fraction`` of ``backbone``'s layers, in whole blocks.

    The layers are counted from the output: ``ceil(fraction * n_layers)``
    of them, extended downwards to the first layer of the block the last of
    them belongs to. BatchNormalization layers stay frozen.

    Returns
    -------
    n_trainable : int
        Number of layers unfrozen (BatchNormalization layers included in
        the count of the span, not unfrozen).
    """
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    freeze(model)
    if fraction <= 0:
        return 0
    start = len(layers) - min(len(layers), math.ceil(fraction * len(layers)))
    blocks = _blocks(layers, patterns)
    start = blocks.index(blocks[start])  # the first layer of its block
    # A model's trainable flag overrides its layers': set it, then each layer.
    model.trainable = True
    for i, layer in enumerate(layers):
        layer.trainable = i >= start and not isinstance(
            layer, keras.layers.BatchNormalization
        )
    for layer in all_layers(model):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    return len(layers) - start
