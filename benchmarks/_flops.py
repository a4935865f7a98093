"""Floating-point work of a Keras network, and the machine's peak rate.

FLOPs are counted from the model's layers, a multiply and an add counting as
two operations:

- ``Conv2D``: ``2 · H_out · W_out · k_h · k_w · (C_in / groups) · C_out``;
- ``Dense``: ``2 · inputs · units`` (times any leading non-batch axes).

Everything else (pooling, activations, batch normalisation, dropout,
augmentation, biases, the loss) is left out: it is a few percent of the
total for these networks. Training an image costs about three forward
passes: the forward pass itself, then in the backward pass one product for
the gradient with respect to each layer's input and one for its weights.

The peak is measured, not taken from a data sheet: the best rate of a large
float32 matrix product in TensorFlow, on all the cores (or the GPU)
TensorFlow uses, best of several runs after a warm-up.
"""

import math
import time

TRAINING_PASSES = 3
"""Training FLOPs per image as a multiple of forward FLOPs (see above)."""


def _layers(model):
    """Every layer of ``model``, nested models opened."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def forward_flops(model):
    """Forward-pass FLOPs per image of ``model`` (Conv2D and Dense layers).

    Returns
    -------
    flops : int
        Operations for one image.
    by_layer : dict of str to int
        The same, per counted layer.
    """
    import keras

    by_layer = {}
    for layer in _layers(model):
        if isinstance(layer, keras.layers.Conv2D) and not isinstance(
            layer, keras.layers.Conv2DTranspose
        ):
            _, h_out, w_out, c_out = layer.output.shape
            c_in = layer.input.shape[-1]
            k_h, k_w = layer.kernel_size
            flops = 2 * h_out * w_out * k_h * k_w * (c_in // layer.groups) * c_out
        elif isinstance(layer, keras.layers.Dense):
            shape = layer.input.shape
            flops = 2 * math.prod(shape[1:]) * layer.units
        else:
            continue
        by_layer[layer.name] = int(flops)
    return sum(by_layer.values()), by_layer


def training_flops(model):
    """Training FLOPs per image: ``TRAINING_PASSES`` times the forward pass."""
    return TRAINING_PASSES * forward_flops(model)[0]


def peak_gflops(quick):
    """Best float32 matrix-product rate TensorFlow reaches here, in GFLOP/s.

    Returns
    -------
    result : dict
        ``gflops`` (the best rate), ``matrix_size``, ``repeats``, ``device``.
    """
    import tensorflow as tf

    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    n = 8192 if on_gpu else (1024 if quick else 2048)
    repeats = 3 if quick else 10
    a = tf.random.stateless_uniform((n, n), seed=(0, 1), dtype=tf.float32)
    b = tf.random.stateless_uniform((n, n), seed=(0, 2), dtype=tf.float32)
    # Reading one element back waits for the product to finish (on a GPU too).
    tf.linalg.matmul(a, b)[0, 0].numpy()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b)[0, 0].numpy()
        best = min(best, time.perf_counter() - start)
    return {
        "gflops": 2 * n**3 / best / 1e9,
        "matrix_size": n,
        "repeats": repeats,
        "device": "GPU" if on_gpu else "CPU",
    }
