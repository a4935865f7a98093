"""Pretrained feature extractors ("backbones") and the layers that feed them.

A backbone is given in one of four forms (:func:`check_backbone` tells them
apart before TensorFlow sees any data; :func:`resolve_backbone` builds it):

* the name of a Keras application in :data:`FAMILIES`, built without its
  top, with ImageNet weights (downloaded once into Keras's cache, see
  :mod:`.weights`), random weights or a local weights file;
* a ``keras.Model``, used as the feature extractor as it is;
* the path of a saved ``.keras`` model, cut after its last convolutional
  feature map (before any flatten or pooling), so that a network skcnn
  trained and saved can be reused;
* a fitted :class:`~skcnn.CNNClassifier` wrapped in
  :class:`sklearn.frozen.FrozenEstimator`, cut the same way. The wrapper is
  needed because :func:`sklearn.base.clone` (which every search and
  cross-validation calls) returns a fitted estimator given as a parameter
  unfitted; a frozen one it returns as it is.

Every form is copied when it is built: a fit never trains the user's model,
file or classifier in place.

The layers that feed a backbone are in :mod:`.adaptation`; which of its
layers train, in :mod:`.freezing`.
"""

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._compat import private_keras_seeds
from .._param_validation import invalid_parameter
from .freezing import all_layers
from .runtime import keras
from .weights import check_weights_file, imagenet_weights_file

__all__ = [
    "FAMILIES",
    "Backbone",
    "Family",
    "backbone_kind",
    "block_patterns",
    "check_backbone",
    "image_size_of",
    "resolve_backbone",
]


@dataclass(frozen=True)
class Family:
    """A Keras application usable as a backbone.

    Parameters
    ----------
    constructor : str
        Name of its function in ``keras.applications``.
    preprocessing : {"caffe", "tf", "builtin"}
        What its ``preprocess_input`` does to [0, 255] RGB pixels: "caffe"
        flips to BGR and subtracts the ImageNet means, "tf" scales to
        [-1, 1], "builtin" leaves them to layers inside the network.
    block_pattern : str
        Regular expression whose first match in a layer name identifies the
        block the layer belongs to (fine-tuning unfreezes whole blocks).
    native_size : int
        Side of the images it was trained on (its default input size).
    min_size : int
        Smallest input side Keras builds it for.
    options : tuple of (str, object)
        Extra constructor arguments.
    rescales_stem : bool
        Whether Keras adds a rescaling to its stem when it loads the
        ImageNet weights itself (see :meth:`build`).
    """

    constructor: str
    preprocessing: str
    block_pattern: str
    native_size: int = 224
    min_size: int = 32
    options: tuple = ()
    rescales_stem: bool = False

    def build(self, image_size, weights):
        """The application without its top, for ``image_size`` inputs.

        ``weights`` is None or the path of a weights file: skcnn never lets
        Keras download (:mod:`.weights`).
        """
        build = getattr(keras.applications, self.constructor)
        model = build(
            include_top=False,
            weights=weights,
            input_shape=(*image_size, 3),
            **dict(self.options),
        )
        if self.rescales_stem and weights is not None:
            # Keras's EfficientNet (B0-B7), built with weights="imagenet",
            # multiplies the output of its stem's Normalization by
            # 1 / sqrt(ImageNet standard deviation), to match the original
            # implementation its weights come from; built with a weights
            # file, it leaves that Rescaling layer out. Multiplying the
            # stored variance by the standard deviation gives the same
            # output, with the layers any EfficientNetB0 has.
            stem = next(
                layer
                for layer in model.layers
                if isinstance(layer, keras.layers.Normalization)
            )
            mean, variance, *rest = stem.get_weights()
            stem.set_weights([mean, variance * _IMAGENET_STDDEV, *rest])
            stem.finalize_state()  # the layer computes from a copy of its state
        return model


_BUILTIN = (("include_preprocessing", True),)

#: The Keras applications a backbone may be named by.
FAMILIES = {
    "mobilenet_v2": Family("MobileNetV2", "tf", r"block_(\d+)_"),
    "mobilenet_v3_small": Family(
        "MobileNetV3Small", "builtin", r"expanded_conv(_\d+)?_", options=_BUILTIN
    ),
    "mobilenet_v3_large": Family(
        "MobileNetV3Large", "builtin", r"expanded_conv(_\d+)?_", options=_BUILTIN
    ),
    "efficientnet_b0": Family(
        "EfficientNetB0", "builtin", r"block(\d+[a-z])_", rescales_stem=True
    ),
    "efficientnet_v2_b0": Family(
        "EfficientNetV2B0", "builtin", r"block(\d+[a-z])_", options=_BUILTIN
    ),
    "resnet50": Family("ResNet50", "caffe", r"conv(\d+_block\d+)_"),
    "convnext_tiny": Family(
        "ConvNeXtTiny", "builtin", r"stage_(\d+_block_\d+)_", options=_BUILTIN
    ),
}

# Blocks of skcnn's own network (conv1, pool1, batch_norm1, relu1, ...).
_SKCNN_BLOCKS = r"^(?:conv|pool|batch_norm|relu|dropout)(\d+)$"
# A model backbone may come from any of these.
_ANY_BLOCKS = (_SKCNN_BLOCKS, *sorted({f.block_pattern for f in FAMILIES.values()}))

# ImageNet standard deviations of the RGB channels, as Keras's EfficientNet
# states them.
_IMAGENET_STDDEV = np.array([0.229, 0.224, 0.225], dtype="float32")


@dataclass
class Backbone:
    """A built backbone and what the network around it needs to know.

    Attributes
    ----------
    model : keras.Model
        The feature extractor (a copy, owned by the network it goes into).
    family : Family or None
        The Keras application it is, or None for a model backbone.
    image_size : tuple of int or None
        ``(height, width)`` its inputs are resized to; None keeps the
        images' own size.
    channels : int
        Channels it takes.
    pooling : {"average", "flatten", None}
        The automatic pooling of its output: global average pooling for a
        Keras application, flatten for a cut network (whose feature maps
        are a few pixels wide, and averaging them throws away the layout),
        none for a model that outputs vectors.
    """

    model: object
    family: object
    image_size: object
    channels: int
    pooling: object


def backbone_kind(backbone):
    """``"name"``, ``"path"``, ``"model"`` or ``"estimator"``; no checks."""
    if isinstance(backbone, (str, os.PathLike)):
        return "name" if str(backbone) in FAMILIES else "path"
    if isinstance(backbone, keras.Model):
        return "model"
    return "estimator"


def _looks_like_path(text):
    return os.sep in text or "/" in text or Path(text).suffix != ""


def check_backbone(backbone, owner, parameter="backbone"):
    """Check a ``backbone`` parameter without building anything.

    Raises
    ------
    InvalidParameterError
        For an unknown name (with the closest known names), a path that does
        not exist, a model whose input is not a batch of images, an
        unfitted or unwrapped classifier, or anything else.
    """
    if isinstance(backbone, os.PathLike) or isinstance(backbone, str):
        text = str(backbone)
        if text in FAMILIES:
            return
        if not _looks_like_path(text):
            close = difflib.get_close_matches(text, list(FAMILIES), n=1, cutoff=0.5)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise invalid_parameter(
                parameter,
                owner,
                f"the name of a Keras application ({', '.join(FAMILIES)}) or "
                "the path of a saved .keras model",
                backbone,
                hint=f"{hint}Known names: {', '.join(FAMILIES)}.",
            )
        path = Path(text).expanduser()
        if not path.is_file():
            raise invalid_parameter(
                parameter,
                owner,
                "the path of an existing saved .keras model",
                backbone,
                hint="No such file.",
            )
        if path.suffix != ".keras":
            raise invalid_parameter(
                parameter,
                owner,
                "the path of a saved .keras model (model.save('name.keras'))",
                backbone,
            )
        return
    if isinstance(backbone, keras.Model):
        _check_model(backbone, owner, parameter)
        return
    _fitted_classifier(backbone, owner, parameter)


def _fitted_classifier(backbone, owner, parameter):
    """The fitted CNNClassifier inside a FrozenEstimator, or an error."""
    from sklearn.frozen import FrozenEstimator

    from ..classifier import CNNClassifier

    wrap = (
        "Wrap a fitted classifier as backbone=FrozenEstimator(classifier) "
        "(from sklearn.frozen): scikit-learn's clone, which every search and "
        "cross-validation calls, would otherwise pass it on unfitted."
    )
    if isinstance(backbone, CNNClassifier):
        raise invalid_parameter(
            parameter,
            owner,
            "a fitted CNNClassifier wrapped in FrozenEstimator",
            backbone,
            hint=wrap,
        )
    if isinstance(backbone, FrozenEstimator):
        inner = backbone.estimator
        if isinstance(inner, CNNClassifier):
            if not hasattr(inner, "model_"):
                raise invalid_parameter(
                    parameter,
                    owner,
                    "a fitted CNNClassifier wrapped in FrozenEstimator",
                    backbone,
                    hint="The CNNClassifier inside is not fitted: fit it first.",
                )
            return inner
    raise invalid_parameter(
        parameter,
        owner,
        "a Keras application name, a keras.Model, the path of a saved .keras "
        "model or FrozenEstimator(fitted CNNClassifier)",
        backbone,
    )


def _check_model(model, owner, parameter):
    inputs, outputs = model.inputs, model.outputs
    if len(inputs) != 1 or len(inputs[0].shape) != 4:
        raise invalid_parameter(
            parameter,
            owner,
            "a keras.Model with one input of images (batch, height, width, channels)",
            f"a model with inputs of shapes {[tuple(t.shape) for t in inputs]}",
        )
    if len(outputs) != 1 or len(outputs[0].shape) not in (2, 4):
        raise invalid_parameter(
            parameter,
            owner,
            "a keras.Model whose one output is a feature map (batch, height, "
            "width, channels) or a feature vector (batch, features)",
            f"a model with outputs of shapes {[tuple(t.shape) for t in outputs]}",
        )


def image_size_of(backbone, image_size, owner, parameter="backbone_image_size"):
    """``(height, width)`` the images are resized to for ``backbone``.

    None asks for the default: the family's native size, or the model's
    input size (None for a model that takes any size).
    """
    family = FAMILIES.get(backbone) if isinstance(backbone, str) else None
    if image_size is None:
        return None if family is None else (family.native_size,) * 2
    size = (int(image_size),) * 2 if np.ndim(image_size) == 0 else image_size
    size = tuple(int(s) for s in size)
    if family is not None and min(size) < family.min_size:
        raise invalid_parameter(
            parameter,
            owner,
            f"at least {family.min_size} pixels, the smallest input "
            f"{family.constructor} takes",
            image_size,
        )
    return size


def resolve_backbone(backbone, weights, image_size, *, seed, owner):
    """Build the :class:`Backbone` a ``backbone`` parameter names.

    Parameters
    ----------
    backbone : str, path, keras.Model or FrozenEstimator
        The parameter, already checked by :func:`check_backbone`.
    weights : "imagenet", None or path
        Weights of a Keras application (ignored for the other forms).
    image_size : int, tuple of int or None
        The ``backbone_image_size`` parameter.
    seed : int or None
        Seed of random weights: a Keras application built with
        ``weights=None`` draws from Keras's global generator, so its
        weights are drawn again from this seed, for a fit that repeats.
        Keras's default seeds of the layers built here come from it too,
        not from Python's global ``random``.
    owner : str
        Name of the estimator, for error messages.
    """
    with private_keras_seeds(seed):
        return _resolve(backbone, weights, image_size, seed=seed, owner=owner)


def _resolve(backbone, weights, image_size, *, seed, owner):
    kind = backbone_kind(backbone)
    if kind == "name":
        family = FAMILIES[str(backbone)]
        size = image_size_of(str(backbone), image_size, owner)
        path = _weights_path(str(backbone), weights, size, owner)
        try:
            model = family.build(size, path)
        except (ValueError, OSError) as exc:
            # Keras's own message can list every variable; its first line
            # says what went wrong.
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
            raise ValueError(
                f"Could not load the weights file {path} into "
                f"{family.constructor} without its top: {reason} Pass the "
                f"'no top' weights file of {family.constructor}, as Keras "
                "caches it, 'imagenet' or None."
            ) from exc
        if weights is None and seed is not None:
            _reseed(model, seed)
        return Backbone(_named(model), family, size, 3, "average")
    if kind == "model":
        model = _copy(backbone)
    elif kind == "path":
        model = _cut(_load(Path(str(backbone)).expanduser(), owner), owner)
    else:
        model = _cut(
            _copy(_fitted_classifier(backbone, owner, "backbone").model_), owner
        )
    _check_model(model, owner, "backbone")
    height, width, channels = model.inputs[0].shape[1:]
    own_size = None if height is None or width is None else (height, width)
    size = image_size_of(None, image_size, owner)
    if size is not None and own_size is not None and size != own_size:
        raise invalid_parameter(
            "backbone_image_size",
            owner,
            f"None or {own_size}, the input size of the backbone model",
            image_size,
        )
    pooling = "flatten" if len(model.outputs[0].shape) == 4 else None
    return Backbone(_named(model), None, size or own_size, int(channels), pooling)


def _named(model):
    """``model``'s graph as a model named "backbone", as networks find it."""
    return keras.Model(model.inputs[0], model.outputs[0], name="backbone")


def _weights_path(name, weights, size, owner):
    if weights is None:
        return None
    if isinstance(weights, str) and weights == "imagenet":
        return str(imagenet_weights_file(name, size[0]))
    return str(check_weights_file(weights))


def _load(path, owner):
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:
        raise ValueError(
            f"{owner} could not load {str(path)!r} as a Keras model: {exc}"
        ) from exc


def _copy(model):
    """A copy of ``model`` with its own layers and the same weights."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    for layer in all_layers(clone):
        if isinstance(layer, keras.layers.Normalization):
            # It computes from a copy of its state, made when it is built.
            layer.finalize_state()
    return clone


def _is_augmentation(layer):
    return type(layer).__name__.startswith("Random")


def _cut(model, owner):
    """``model`` from its first non-augmentation layer to its last feature map.

    Augmentation layers at the start are left out: the network the
    backbone goes into augments its own input.
    """
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    maps = [
        layer
        for layer in layers
        if len(getattr(layer, "output", None).shape) == 4
        and not _is_augmentation(layer)
    ]
    if not maps:
        raise ValueError(
            f"{owner} cannot use the model {model.name!r} as a backbone: no "
            "layer of it outputs a feature map (batch, height, width, channels)."
        )
    start = model.inputs
    first = next(layer for layer in layers if not _is_augmentation(layer))
    if first is not layers[0]:
        start = first.input
    return keras.Model(start, maps[-1].output, name=f"{model.name}_features")


def _reseed(model, seed):
    """Draw the random weights of ``model`` again, from ``seed``."""
    generator = np.random.RandomState(seed)
    # DepthwiseConv2D keeps its depthwise kernel as "kernel".
    kernels = {
        "kernel_initializer": ("kernel",),
        "depthwise_initializer": ("depthwise_kernel", "kernel"),
        "pointwise_initializer": ("pointwise_kernel",),
    }
    for layer in all_layers(model):
        for init_name, weight_names in kernels.items():
            initializer = getattr(layer, init_name, None)
            variable = next(
                (
                    getattr(layer, n)
                    for n in weight_names
                    if getattr(layer, n, None) is not None
                ),
                None,
            )
            if initializer is None or variable is None:
                continue
            config = initializer.get_config()
            if "seed" not in config:
                continue  # constant initialisers draw nothing
            config["seed"] = int(generator.randint(2**31 - 1))
            fresh = type(initializer).from_config(config)
            variable.assign(fresh(tuple(variable.shape), variable.dtype))


def block_patterns(backbone):
    """Patterns that group the layers of a ``backbone`` parameter into blocks."""
    if isinstance(backbone, str) and backbone in FAMILIES:
        return (FAMILIES[backbone].block_pattern,)
    return _ANY_BLOCKS
