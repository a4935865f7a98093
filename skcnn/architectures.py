"""Network architectures as small pure functions.

Each function takes an input shape, a number of classes and flat
hyperparameters, and returns an uncompiled :class:`keras.Model` whose output is
a softmax over the classes. :class:`~skcnn.CNNClassifier` builds its network
with :func:`build_cnn`, whose hyperparameters are declared once, in
:data:`CNN_HYPERPARAMETERS`, with their defaults and the values they take;
the classifier takes them from there. The other functions reproduce
reference networks for examples and benchmarks.
"""

import numbers
import os

import numpy as np

from ._compat import Interval, StrOptions
from ._engine.runtime import keras
from ._param_validation import (
    Hyperparameter,
    Rule,
    check_hyperparameters,
    is_positive_int,
)

__all__ = [
    "BACKBONE_HYPERPARAMETERS",
    "CNN_HYPERPARAMETERS",
    "augmentation_layers",
    "build_cnn",
    "build_feature_extractor",
    "build_transfer_cnn",
    "build_tutorial_mnist_cnn",
]


def _is_filters(filters):
    if isinstance(filters, (tuple, list)):
        return len(filters) > 0 and all(is_positive_int(f) for f in filters)
    return is_positive_int(filters)


_FRACTION = Interval(numbers.Real, 0, 1, closed="left")
_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")

#: The hyperparameters of :func:`build_cnn`, which are also
#: :class:`~skcnn.CNNClassifier`'s architecture hyperparameters (documented
#: there): name -> default and the values it takes.
CNN_HYPERPARAMETERS = {
    "filters": Hyperparameter(
        (16, 32, 64),
        [_POSITIVE, tuple, list],
        Rule(
            _is_filters,
            "a positive int or a non-empty tuple of positive ints (one per "
            "convolutional block)",
        ),
    ),
    "kernel_size": Hyperparameter(3, [_POSITIVE]),
    "pool_size": Hyperparameter(2, [_POSITIVE]),
    "dense_units": Hyperparameter(
        512, [Interval(numbers.Integral, 0, None, closed="left")]
    ),
    "dropout": Hyperparameter(0.0, [_FRACTION]),
    "dense_dropout": Hyperparameter(0.3, [_FRACTION]),
    "batch_norm": Hyperparameter(True, ["boolean"]),
    "rotation": Hyperparameter(0.0, [Interval(numbers.Real, 0, 0.5, closed="both")]),
    "shift": Hyperparameter(0.1, [_FRACTION]),
    "zoom": Hyperparameter(0.0, [_FRACTION]),
    "horizontal_flip": Hyperparameter(False, ["boolean"]),
    "precision": Hyperparameter(
        "float32", [StrOptions({"float32", "mixed_float16", "mixed_bfloat16"})]
    ),
}


def _is_image_size(size):
    if size is None or is_positive_int(size):
        return True
    return (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(is_positive_int(s) for s in size)
    )


def _is_weights(weights):
    return (
        weights is None
        or weights == "imagenet"
        or isinstance(weights, (str, os.PathLike))
    )


#: The hyperparameters of a network built around a pretrained backbone
#: (:func:`build_transfer_cnn`), documented in :class:`~skcnn.CNNClassifier`.
#: A backbone is checked in full, and built, when a fit starts
#: (:mod:`skcnn._engine.backbones`).
BACKBONE_HYPERPARAMETERS = {
    "backbone": Hyperparameter(None, [str, os.PathLike, object, None]),
    "backbone_weights": Hyperparameter(
        "imagenet",
        [str, os.PathLike, None],
        Rule(_is_weights, '"imagenet", None or the path of a weights file'),
    ),
    "backbone_image_size": Hyperparameter(
        None,
        [_POSITIVE, tuple, list, None],
        Rule(_is_image_size, "None, a positive int or a (height, width) tuple"),
    ),
    "backbone_pooling": Hyperparameter(
        "auto", [StrOptions({"auto", "average", "flatten"})]
    ),
}


def augmentation_layers(
    *, rotation=0.0, shift=0.0, zoom=0.0, horizontal_flip=False, seed=None
):
    """Keras preprocessing layers that augment images during training only.

    Parameters
    ----------
    rotation : float, default=0.0
        Largest rotation, as a fraction of a full turn (0.05 is 18 degrees).
    shift : float, default=0.0
        Largest translation, as a fraction of height and width.
    zoom : float, default=0.0
        Largest zoom in or out, as a fraction of the image size.
    horizontal_flip : bool, default=False
        Whether to flip images left-right at random.
    seed : int, default=None
        Seed of the layers' random draws; each layer gets its own seed
        derived from it. None follows Keras's global seed.

    Returns
    -------
    layers : list of keras.layers.Layer
        Empty when no augmentation is asked for. Each layer is the identity at
        inference time.

    Examples
    --------
    >>> from skcnn.architectures import augmentation_layers
    >>> layers = augmentation_layers(rotation=0.05, horizontal_flip=True)
    >>> [type(layer).__name__ for layer in layers]
    ['RandomFlip', 'RandomRotation']
    """
    seeds = _layer_seeds(seed)
    layers = []
    if horizontal_flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=next(seeds)))
    if rotation:
        layers.append(
            keras.layers.RandomRotation(
                rotation, fill_mode="constant", seed=next(seeds)
            )
        )
    if shift:
        layers.append(
            keras.layers.RandomTranslation(
                shift, shift, fill_mode="constant", seed=next(seeds)
            )
        )
    if zoom:
        layers.append(
            keras.layers.RandomZoom(zoom, fill_mode="constant", seed=next(seeds))
        )
    return layers


def _layer_seeds(seed):
    """Distinct per-layer seeds drawn from ``seed``; all None when it is None."""
    generator = None if seed is None else np.random.RandomState(seed)
    while True:
        yield None if generator is None else int(generator.randint(2**31 - 1))


def _augment(inputs, seed, **augmentation):
    """``inputs`` through the augmentation layers, none for strips of pixels."""
    x = inputs
    if min(inputs.shape[1:3]) > 1:
        for layer in augmentation_layers(seed=seed, **augmentation):
            x = layer(x)
    return x


def _head(x, n_classes, dense_units, dense_dropout, seeds, dtype):
    """[Dense(dense_units) → ReLU → Dropout] → Dense(n_classes) softmax."""
    if dense_units:
        x = keras.layers.Dense(
            int(dense_units),
            activation="relu",
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            dtype=dtype,
            name="dense",
        )(x)
        if dense_dropout:
            x = keras.layers.Dropout(
                float(dense_dropout),
                seed=next(seeds),
                dtype=dtype,
                name="dense_dropout",
            )(x)
    # Float32 whatever the precision: probabilities stay exact enough.
    return keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        dtype="float32",
        name="classes",
    )(x)


def _pool_size(spatial, pool_size):
    """Per-axis pool size that keeps every spatial size at 1 or more."""
    return tuple(pool_size if size >= pool_size else 1 for size in spatial)


def build_cnn(input_shape, n_classes, *, seed=None, **hyperparameters):
    """Build the convolutional network used by :class:`~skcnn.CNNClassifier`.

    One block per entry of ``filters``: Conv2D (``padding="same"``) →
    MaxPooling2D → [BatchNormalization] → ReLU → [Dropout]; then Flatten →
    [Dense(``dense_units``) → ReLU → Dropout] → Dense(``n_classes``) softmax.
    Pooling is skipped along any axis whose size would drop below 1, so tiny
    or one-row images still work. Augmentation layers, when asked for, come
    first and only act while training; they are left out when the images
    have a height or width of 1 (such as the ``(1, n_features, 1)`` strips
    tabular rows become), where moving, turning or flipping pixels has no
    meaning.

    Parameters
    ----------
    input_shape : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    n_classes : int
        Number of output classes.
    seed : int, default=None
        Seed of every random draw of the network: initial weights, dropout
        masks and augmentation. Each layer gets its own seed derived from it,
        so the network does not depend on Python's or Keras's global random
        state (which other threads may use). None follows Keras's global
        seed.
    **hyperparameters : dict
        The architecture hyperparameters of :class:`~skcnn.CNNClassifier`,
        by name (``filters``, ``kernel_size``, ``pool_size``,
        ``dense_units``, ``dropout``, ``dense_dropout``, ``batch_norm``,
        ``rotation``, ``shift``, ``zoom``, ``horizontal_flip``,
        ``precision``), documented there; those not given take the
        classifier's defaults (:data:`CNN_HYPERPARAMETERS`). ``precision``
        sets the Keras dtype policy of the layers after the augmentation;
        the output layer always computes in float32, so probabilities stay
        exact enough.

    Returns
    -------
    model : keras.Model
        The uncompiled network.

    Examples
    --------
    >>> from skcnn.architectures import build_cnn
    >>> model = build_cnn((28, 28, 1), 10)
    >>> model.output_shape
    (None, 10)
    >>> build_cnn((28, 28, 1), 10, filters=(8,), dense_units=0).count_params()
    15794
    """
    unknown = sorted(set(hyperparameters) - set(CNN_HYPERPARAMETERS))
    if unknown:
        raise TypeError(
            f"build_cnn got unexpected hyperparameters {unknown}; it takes "
            f"{', '.join(CNN_HYPERPARAMETERS)}."
        )
    check_hyperparameters(CNN_HYPERPARAMETERS, hyperparameters, "build_cnn")
    params = {name: spec.default for name, spec in CNN_HYPERPARAMETERS.items()}
    params.update(hyperparameters)
    filters = params["filters"]
    filters = (filters,) if is_positive_int(filters) else tuple(filters)
    kernel_size, pool_size = int(params["kernel_size"]), int(params["pool_size"])
    dense_units, batch_norm = int(params["dense_units"]), bool(params["batch_norm"])
    dropout, dense_dropout = float(params["dropout"]), float(params["dense_dropout"])
    precision = params["precision"]
    seeds = _layer_seeds(seed)
    dtype = None if precision == "float32" else precision
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = _augment(
        inputs,
        next(seeds),
        rotation=float(params["rotation"]),
        shift=float(params["shift"]),
        zoom=float(params["zoom"]),
        horizontal_flip=bool(params["horizontal_flip"]),
    )
    for i, n_filters in enumerate(filters, start=1):
        x = keras.layers.Conv2D(
            n_filters,
            kernel_size,
            padding="same",
            use_bias=not batch_norm,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            dtype=dtype,
            name=f"conv{i}",
        )(x)
        # Pooling before the normalisation and the ReLU gives the same
        # function as after it for the ReLU (both are monotonic per pixel)
        # and a quarter of the work for both.
        pool = _pool_size(x.shape[1:3], pool_size)
        if pool != (1, 1):
            x = keras.layers.MaxPooling2D(pool, dtype=dtype, name=f"pool{i}")(x)
        if batch_norm:
            # Momentum 0.9 (Keras: 0.99): the moving statistics used at
            # predict time settle within an epoch also on small data sets.
            x = keras.layers.BatchNormalization(
                momentum=0.9, dtype=dtype, name=f"batch_norm{i}"
            )(x)
        x = keras.layers.Activation("relu", dtype=dtype, name=f"relu{i}")(x)
        if dropout:
            x = keras.layers.Dropout(
                dropout, seed=next(seeds), dtype=dtype, name=f"dropout{i}"
            )(x)
    x = keras.layers.Flatten(dtype=dtype, name="flatten")(x)
    outputs = _head(x, n_classes, dense_units, dense_dropout, seeds, dtype)
    return keras.Model(inputs, outputs, name="cnn")


def build_transfer_cnn(
    input_shape,
    n_classes,
    backbone,
    *,
    pixel_range=(0, 255),
    pooling="auto",
    dense_units=512,
    dense_dropout=0.3,
    rotation=0.0,
    shift=0.0,
    zoom=0.0,
    horizontal_flip=False,
    precision="float32",
    seed=None,
):
    """Build a classifier network around a pretrained ``backbone``.

    Images → [augmentation] → [Resizing] → [preprocessing] → the backbone
    (frozen) → pooling (the layer named ``"features"``) → [Dense(
    ``dense_units``) → ReLU → Dropout] → Dense(``n_classes``) softmax. The
    input adaptation (resizing, channel repetition and the family's own
    preprocessing) is part of the network, made of layers that serialise
    without code, so a saved network predicts from the raw pixels.

    Parameters
    ----------
    input_shape : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    n_classes : int
        Number of output classes.
    backbone : keras.Model or skcnn._engine.backbones.Backbone
        The feature extractor, which becomes the layer named
        ``"backbone"``: a Keras model (used through a copy), or a backbone
        built as :class:`~skcnn.CNNClassifier` builds its ``backbone``
        parameter.
    pixel_range : tuple of (int, int), default=(0, 255)
        Range of the pixel values the network is given: ``(0, 255)`` or
        ``(0, 1)``.
    pooling : {"auto", "average", "flatten"}, default="auto"
        How the backbone's feature maps become one vector: global average
        pooling, or flatten. ``"auto"`` averages for a Keras application
        and flattens for a cut network; a backbone that outputs vectors is
        not pooled.
    dense_units, dense_dropout, rotation, shift, zoom, horizontal_flip, precision, seed
        As for :func:`build_cnn`. ``precision`` applies to the head; the
        backbone computes in float32.

    Returns
    -------
    model : keras.Model
        The uncompiled network, with the backbone frozen.

    Examples
    --------
    >>> from skcnn.architectures import build_cnn, build_transfer_cnn
    >>> pretrained = build_cnn((28, 28, 1), 5, filters=(8, 16))
    >>> model = build_transfer_cnn((28, 28, 1), 3, pretrained, dense_units=32)
    >>> [layer.name for layer in model.layers[-5:]]
    ['backbone', 'features', 'dense', 'dense_dropout', 'classes']
    >>> model.get_layer("backbone").trainable
    False
    """
    backbone = _as_backbone(backbone, "build_transfer_cnn")
    seeds = _layer_seeds(seed)
    dtype = None if precision == "float32" else precision
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    x = _augment(
        inputs,
        next(seeds),
        rotation=rotation,
        shift=shift,
        zoom=zoom,
        horizontal_flip=horizontal_flip,
    )
    x = _features(x, backbone, pixel_range, pooling, dtype)
    outputs = _head(x, n_classes, dense_units, dense_dropout, seeds, dtype)
    return keras.Model(inputs, outputs, name="transfer_cnn")


def _as_backbone(backbone, owner):
    from ._engine.backbones import Backbone, resolve_backbone

    if isinstance(backbone, Backbone):
        return backbone
    return resolve_backbone(backbone, None, None, seed=None, owner=owner)


def _features(x, backbone, pixel_range, pooling, dtype=None):
    """``x`` through the input adaptation, the frozen backbone and the pooling."""
    from ._engine.adaptation import adaptation_layers
    from ._engine.freezing import freeze

    for layer in adaptation_layers(x.shape[-1], backbone, pixel_range):
        x = layer(x)
    freeze(backbone.model)
    x = backbone.model(x)
    if pooling == "auto":
        pooling = backbone.pooling
    if len(x.shape) == 2:
        return keras.layers.Identity(name="features")(x)
    if pooling == "average":
        return keras.layers.GlobalAveragePooling2D(dtype=dtype, name="features")(x)
    return keras.layers.Flatten(dtype=dtype, name="features")(x)


def build_feature_extractor(
    input_shape, backbone, *, pixel_range=(0, 255), pooling="auto"
):
    """Build a network from images to the pooled features of ``backbone``.

    Images → [Resizing] → [preprocessing] → the backbone (frozen) → pooling
    (the layer named ``"features"``), as in :func:`build_transfer_cnn`,
    without augmentation or head; :class:`~skcnn.ImageEmbedder` uses it.

    Parameters
    ----------
    input_shape : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    backbone : keras.Model or skcnn._engine.backbones.Backbone
        The feature extractor, as for :func:`build_transfer_cnn`.
    pixel_range : tuple of (int, int), default=(0, 255)
        Range of the pixel values the network is given.
    pooling : {"auto", "average", "flatten"}, default="auto"
        As for :func:`build_transfer_cnn`.

    Returns
    -------
    model : keras.Model
        Its output is ``(batch, n_features)`` float32.

    Examples
    --------
    >>> import keras
    >>> from skcnn.architectures import build_cnn, build_feature_extractor
    >>> cnn = build_cnn((28, 28, 1), 5, filters=(8, 16))
    >>> maps = keras.Model(cnn.inputs, cnn.get_layer("relu2").output)
    >>> build_feature_extractor((28, 28, 1), maps).output_shape
    (None, 784)
    """
    backbone = _as_backbone(backbone, "build_feature_extractor")
    inputs = keras.Input(shape=tuple(input_shape), name="images")
    outputs = _features(inputs, backbone, pixel_range, pooling)
    return keras.Model(inputs, outputs, name="feature_extractor")


def build_tutorial_mnist_cnn(input_shape=(28, 28, 1), n_classes=10):
    """The classic Keras MNIST tutorial network (225,034 parameters on MNIST).

    Conv32(3×3) → MaxPool2 → Dropout 0.25 → Conv64(3×3) → MaxPool2 → Dropout
    0.25 → Flatten → Dense128 → Dropout 0.5 → Dense10 softmax, with ``"valid"``
    padding as in the tutorial. Used as a reference in benchmarks.

    Parameters
    ----------
    input_shape : tuple of int, default=(28, 28, 1)
        Channels-last shape of one image.
    n_classes : int, default=10
        Number of output classes.

    Returns
    -------
    model : keras.Sequential
        The tutorial's network, uncompiled.

    Examples
    --------
    >>> from skcnn.architectures import build_tutorial_mnist_cnn
    >>> build_tutorial_mnist_cnn().count_params()
    225034
    """
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(0.25),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(0.25),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(n_classes, activation="softmax"),
        ],
        name="tutorial_mnist_cnn",
    )
