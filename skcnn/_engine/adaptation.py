"""The layers between a user's images and a pretrained backbone.

A network built around a backbone takes the images as the user gives them
(any size, grayscale or RGB, pixels in [0, 255] or in [0, 1]) and turns them
into what the backbone was trained on, with Keras layers that serialise
without code (no ``Lambda``), so that a saved network loads under Keras's
``safe_mode`` and predicts from raw pixels:

* ``Resizing`` to the backbone's input size;
* one frozen ``Dense`` layer on the channel axis that repeats a grayscale
  channel to three and applies the family's own preprocessing. For every
  Keras application that preprocessing is an affine map of each pixel's
  channels: ResNet50's "caffe" mode flips RGB to BGR and subtracts the
  ImageNet means; MobileNetV2 scales to [-1, 1]; EfficientNet,
  EfficientNetV2, MobileNetV3 and ConvNeXt take [0, 255] and normalise
  inside. The pixel range seen in fit sets the scale of the map.
"""

import numpy as np

from .._validation import is_stream
from .runtime import keras

__all__ = ["adaptation_layers", "pixel_range"]

# ImageNet means of Keras's "caffe" preprocessing, in BGR order.
_CAFFE_MEANS = (103.939, 116.779, 123.68)


def pixel_range(X, owner):
    """The range of pixel values ``X`` is in: ``(0, 255)`` or ``(0, 1)``.

    uint8 images and images whose largest value is above 1 are taken as
    [0, 255]; others as [0, 1] (as :class:`~skcnn.PixelScaler` makes them).

    Raises
    ------
    ValueError
        For values below 0 or above 255.
    """
    if X.dtype == np.uint8:
        return (0, 255)
    if is_stream(X):
        # One pass over the batches: the range of scaled images is not known
        # before they are decoded.
        ranges = [(batch.min(), batch.max()) for batch in X.batches()]
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        low, high = float(low), float(high)
    else:
        low, high = float(np.min(X)), float(np.max(X))
    if low < 0 or high > 255:
        raise ValueError(
            f"{owner} with a backbone expects pixel values in [0, 255] (such "
            "as uint8 images) or in [0, 1] (as PixelScaler makes them), got "
            f"values from {low:g} to {high:g}. A pretrained network's input "
            "scaling is fixed: scale the images to one of those ranges."
        )
    return (0, 255) if high > 1 else (0, 1)


def adaptation_layers(channels, backbone, fitted_range):
    """Layers from the images to what ``backbone`` takes.

    ``Resizing`` to its input size (when that differs from the images'),
    then a frozen ``Dense`` layer on the channel axis that repeats a
    grayscale channel and applies the family's preprocessing (when there is
    anything to do). Both serialise without code.
    """
    layers = []
    if backbone.image_size is not None:
        layers.append(keras.layers.Resizing(*backbone.image_size, name="resize"))
    kernel, bias = _preprocessing(channels, backbone, fitted_range)
    if kernel is not None:
        # Constant initialisers: the weights are set right below, and a
        # random one would draw a default seed from Python's global random.
        dense = keras.layers.Dense(
            backbone.channels,
            trainable=False,
            kernel_initializer="zeros",
            name="preprocess",
        )
        dense.build((None, None, None, channels))
        dense.set_weights([kernel, bias])
        layers.append(dense)
    return layers


def _preprocessing(channels, backbone, fitted_range):
    """Kernel and bias of the per-pixel affine map, or (None, None) for none."""
    wanted = backbone.channels
    if channels not in (1, wanted):
        raise ValueError(
            f"The backbone takes images of {wanted} channels; got images of "
            f"{channels} channels, which cannot be turned into {wanted}."
        )
    # channels x wanted: the identity, or a row of ones that repeats gray.
    kernel = np.ones((1, wanted)) if channels == 1 else np.eye(wanted)
    bias = np.zeros(wanted)
    family = backbone.family
    if family is not None:
        # Keras's preprocess_input expects [0, 255].
        kernel = kernel * (255.0 / fitted_range[1])
        if family.preprocessing == "tf":
            kernel, bias = kernel / 127.5, bias - 1.0
        elif family.preprocessing == "caffe":
            kernel, bias = kernel[:, ::-1], -np.asarray(_CAFFE_MEANS)
    if channels == wanted and np.array_equal(kernel, np.eye(wanted)) and not bias.any():
        return None, None
    return kernel.astype("float32"), bias.astype("float32")
