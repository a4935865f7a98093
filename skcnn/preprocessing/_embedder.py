"""ImageEmbedder: images in, the pooled features of a pretrained network out.

Needs TensorFlow: :mod:`skcnn.preprocessing` and :mod:`skcnn` import this
module on first use of the name only, so that the other transformers stay
TensorFlow-free.
"""

import numbers

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, InvalidParameterError
from .._engine.adaptation import pixel_range
from .._engine.backbones import (
    FAMILIES,
    backbone_kind,
    check_backbone,
    image_size_of,
    resolve_backbone,
)
from .._engine.inference import InferenceFunction
from .._engine.pickling import pack_state, unpack_state
from .._engine.plan import draw_fit_seed
from .._engine.weights import check_weights_file
from .._param_validation import (
    Hyperparameter,
    check_hyperparameters,
    invalid_parameter,
    keyword_init,
    parameter_constraints,
)
from .._validation import (
    check_pixels,
    check_stream,
    infer_image_shape,
    is_stream,
    resolve_image_shape,
    to_images,
)
from ..architectures import BACKBONE_HYPERPARAMETERS, build_feature_extractor

__all__ = ["ImageEmbedder"]

_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")


def _renamed(spec, default=None):
    """``spec`` with another default, or as it is."""
    if default is None:
        return spec
    return Hyperparameter(default, spec.constraints, spec.rule)


#: ImageEmbedder's hyperparameters: CNNClassifier's backbone_* ones, named
#: without the prefix, and the batch size and seed.
EMBEDDER_HYPERPARAMETERS = {
    "backbone": _renamed(BACKBONE_HYPERPARAMETERS["backbone"], "mobilenet_v2"),
    "weights": BACKBONE_HYPERPARAMETERS["backbone_weights"],
    "image_size": BACKBONE_HYPERPARAMETERS["backbone_image_size"],
    "pooling": BACKBONE_HYPERPARAMETERS["backbone_pooling"],
    "batch_size": Hyperparameter(64, [_POSITIVE]),
    "random_state": Hyperparameter(None, ["random_state"]),
}

# Names CNNClassifier's messages give these parameters, as ImageEmbedder's.
_PARAMETER_NAMES = {
    "'backbone_image_size' parameter": "'image_size' parameter",
    "'backbone_weights' parameter": "'weights' parameter",
}


class ImageEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Turn images into the pooled features of a pretrained network.

    Each image goes through a pretrained convolutional network without its
    classification top (a "backbone"), whose last feature map is pooled into
    one vector: :meth:`transform` returns ``(n_samples, n_features)``
    float32 features that a linear model, a nearest-neighbour search or a
    clustering can work on. Nothing is trained, so a pipeline such as
    ``make_pipeline(ImageLoader(), ImageEmbedder(), LogisticRegression())``
    gets the benefit of ImageNet pretraining at the cost of one forward pass
    per image.

    The images may be the uint8 output of :class:`ImageLoader` or any array
    of grayscale images ``(n_samples, height, width)`` or channels-last
    images ``(n_samples, height, width, channels)`` with 1 or 3 channels, of
    pixels in [0, 255] (such as uint8) or in [0, 1] (as
    :class:`PixelScaler` makes them). They are resized to ``image_size``,
    a grayscale channel is repeated to three, and the backbone's own
    preprocessing is applied, all inside the network. Flat pixel rows are
    refused: reshape them into images first, with :class:`ImageReshaper`.

    :meth:`fit` learns nothing from the images but their shape and pixel
    range; it builds the network (downloading the ImageNet weights once, into
    Keras's cache), which :meth:`transform` then runs ``batch_size`` images
    at a time.

    Parameters
    ----------
    backbone : str, path-like, keras.Model or FrozenEstimator, \
default="mobilenet_v2"
        The feature extractor, in any of the forms
        :class:`CNNClassifier`'s ``backbone`` takes:

        * the name of a Keras application: ``"mobilenet_v2"``,
          ``"mobilenet_v3_small"``, ``"mobilenet_v3_large"``,
          ``"efficientnet_b0"``, ``"efficientnet_v2_b0"``, ``"resnet50"`` or
          ``"convnext_tiny"``, built without its top;
        * a ``keras.Model`` whose one input is a batch of images and whose
          output a feature map or a feature vector, used as it is (a copy);
        * the path of a saved ``.keras`` model, cut after its last feature
          map (before any flatten or pooling);
        * a fitted :class:`CNNClassifier` wrapped in
          :class:`sklearn.frozen.FrozenEstimator`, cut the same way.

        The default, MobileNetV2, gives 1280 features that transfer well,
        computes fast on a CPU (about 0.3 GFLOPs per 224x224 image) and
        downloads 9 MB of weights. EfficientNet, ResNet50 and ConvNeXt are
        more accurate on ImageNet and cost more time; MobileNetV3Small (576
        features) costs less.
    weights : "imagenet", None or path-like, default="imagenet"
        Weights of a named backbone (ignored for the other forms):
        ``"imagenet"`` (downloaded once into Keras's cache), None for random
        weights (drawn from ``random_state``; for tests and benchmarks), or
        the path of a weights file of the application without its top.
    image_size : int or tuple of (int, int), default=None
        Size ``(height, width)`` the images are resized to inside the
        network; an int is a square. None means the named backbone's native
        size, 224, or the input size of a model backbone (the images' own
        size for a model that takes any). At least 32 for a named backbone.
    pooling : {"auto", "average", "flatten"}, default="auto"
        How the last feature map becomes one vector: global average pooling
        or flatten. ``"auto"`` averages for a named backbone and flattens a
        cut network (a saved model or classifier, whose feature maps are a
        few pixels wide); a model that outputs vectors is not pooled.
    batch_size : int, default=64
        Number of images per forward pass in :meth:`transform`.
    random_state : int, RandomState instance or None, default=None
        Seeds the random weights of a named backbone with ``weights=None``;
        ignored otherwise. An int gives the same weights at every fit, None
        fresh ones.

    Attributes
    ----------
    input_shape_ : tuple of int
        Channels-last shape ``(height, width, channels)`` of the images seen
        in :meth:`fit`.
    pixel_range_ : tuple of (int, int)
        ``(0, 255)`` or ``(0, 1)``: the range of the pixels seen in
        :meth:`fit`, by the rule of :class:`CNNClassifier`: uint8 images, and
        images with a value above 1, are taken as [0, 255].
    n_features_in_ : int
        Number of values per image seen in :meth:`fit`.

    See Also
    --------
    ImageLoader : Load image files into one array of images.
    ImageReshaper : Reshape flat pixel rows into images.
    CNNClassifier : Train a network, with or without a pretrained backbone.

    Notes
    -----
    The network is built once per fitted instance. A pickled embedder with
    ImageNet weights leaves it out (it reads the weights again from Keras's
    cache on first use after loading), as does one whose backbone is a
    ``keras.Model`` or a ``FrozenEstimator`` (pickled as parameters anyway);
    with random weights, a weights file or a saved model's path the pickle
    holds the network, so that a loaded embedder gives the same features.

    A named backbone's ImageNet preprocessing assumes RGB images:
    grayscale images are repeated to three equal channels.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn import ImageEmbedder
    >>> rng = np.random.default_rng(0)
    >>> images = rng.integers(0, 256, size=(4, 40, 40, 3), dtype=np.uint8)
    >>> embedder = ImageEmbedder(weights=None, image_size=32, random_state=0)
    >>> features = embedder.fit_transform(images)
    >>> features.shape, features.dtype
    ((4, 1280), dtype('float32'))
    >>> embedder.get_feature_names_out()[:2]
    array(['imageembedder0', 'imageembedder1'], dtype=object)

    With ImageNet weights (downloaded on first use), in front of a linear
    classifier:

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skcnn import ImageLoader
    >>> model = make_pipeline(
    ...     ImageLoader(image_size=224), ImageEmbedder(), LogisticRegression()
    ... )
    >>> model.fit(paths, labels)  # doctest: +SKIP
    """

    _hyperparameters = EMBEDDER_HYPERPARAMETERS
    _parameter_constraints = parameter_constraints(_hyperparameters)
    __init__ = keyword_init(_hyperparameters, routed=False)

    def _check_params(self):
        """Validate every parameter before any data is looked at."""
        name = type(self).__name__
        check_hyperparameters(self._hyperparameters, self.get_params(deep=False), name)
        check_backbone(self.backbone, name)
        size = image_size_of(
            self.backbone, self.image_size, name, parameter="image_size"
        )
        kind = backbone_kind(self.backbone)
        if kind == "model" and size is not None:
            own_size = tuple(self.backbone.inputs[0].shape[1:3])
            if None not in own_size and size != own_size:
                raise invalid_parameter(
                    "image_size",
                    name,
                    f"None or {own_size}, the input size of the backbone model",
                    self.image_size,
                )
        weights = self.weights
        if kind == "name" and not (
            weights is None or (isinstance(weights, str) and weights == "imagenet")
        ):
            try:
                check_weights_file(weights)
            except (OSError, ValueError) as exc:
                raise invalid_parameter(
                    "weights",
                    name,
                    '"imagenet", None or the path of a weights file',
                    weights,
                    hint=str(exc),
                ) from None

    def _check_images(self, X, reset):
        """Validated images ``(n, h, w, c)``; flat rows are refused."""
        if is_stream(X):
            fitted = None if reset else self.input_shape_
            check_stream(self, X, reset=reset, fitted_shape=fitted)
            return X
        if not sparse.issparse(X) and getattr(X, "ndim", None) == 2:
            self._refuse_rows(X.shape)
        fitted = None if reset else self.input_shape_
        X = check_pixels(self, X, reset=reset, fitted_shape=fitted)
        if X.ndim == 2:
            self._refuse_rows(X.shape)
        return X

    def _refuse_rows(self, shape):
        n_values = int(shape[1]) if len(shape) > 1 else 0
        h, w, c = infer_image_shape(n_values) if n_values > 0 else (1, 1, 1)
        if (h, w) == (1, n_values):
            shape_text, reshape = "(height, width)", "X.reshape(-1, height, width)"
        elif c == 1:
            shape_text, reshape = f"({h}, {w})", f"X.reshape(-1, {h}, {w})"
        else:
            shape_text = f"({h}, {w}, {c})"
            reshape = f"X.reshape(-1, {h}, {w}, {c})"
        raise ValueError(
            f"{type(self).__name__} expects images (n_samples, height, width) "
            "or (n_samples, height, width, channels), got flat pixel rows of "
            f"shape {tuple(shape)}. Reshape them into images first: put "
            f"ImageReshaper(image_shape={shape_text}) in front of it, or pass "
            f"{reshape}."
        )

    def _check_channels(self, channels):
        if backbone_kind(self.backbone) == "name" and channels not in (1, 3):
            family = FAMILIES[str(self.backbone)].constructor
            raise ValueError(
                f"{type(self).__name__} with backbone {self.backbone!r} takes "
                f"grayscale (1 channel) or RGB (3 channels) images, as "
                f"{family} was trained on; got images of {channels} channels. "
                "Drop an alpha channel with X[..., :3]."
            )

    def _keeps_network(self):
        """Whether a pickle holds the network (it cannot be rebuilt as it was).

        A named backbone with ImageNet weights reads them again from Keras's
        cache, and a keras.Model or FrozenEstimator backbone is pickled as a
        parameter: these are rebuilt. Random weights, a weights file and a
        saved model's path (which may change or go away) are kept.
        """
        kind = backbone_kind(self.backbone)
        if kind == "name":
            return not (isinstance(self.weights, str) and self.weights == "imagenet")
        return kind == "path"

    def _build_network(self, input_shape, fitted_range, seed):
        name = type(self).__name__
        try:
            backbone = resolve_backbone(
                self.backbone, self.weights, self.image_size, seed=seed, owner=name
            )
        except InvalidParameterError as exc:
            # resolve_backbone words its errors for CNNClassifier's parameters.
            message = str(exc)
            for theirs, ours in _PARAMETER_NAMES.items():
                message = message.replace(theirs, ours)
            raise InvalidParameterError(message) from None
        return build_feature_extractor(
            input_shape, backbone, pixel_range=fitted_range, pooling=self.pooling
        )

    def _inference_function(self):
        """The compiled forward pass; the network is rebuilt if it was not pickled."""
        inference = getattr(self, "_inference", None)
        if inference is None:
            network = getattr(self, "_network", None)
            if network is None:
                # Only networks that rebuild exactly are left out of a pickle;
                # none of them draws random weights.
                network = self._build_network(
                    self.input_shape_, self.pixel_range_, seed=None
                )
                self._network = network
            inference = InferenceFunction(network, self.input_shape_)
            self._inference = inference
        return inference

    def fit(self, X, y=None):
        """Check the images' shape and pixel range, and build the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or \
(n_samples, height, width, channels)
            Images with 1 or 3 channels, of pixels in [0, 255] or [0, 1], or
            an :class:`~skcnn.preprocessing.ImageStream` of them.
        y : None
            Ignored.

        Returns
        -------
        self : ImageEmbedder
            The fitted embedder.
        """
        self._check_params()
        X = self._check_images(X, reset=True)
        name = type(self).__name__
        if is_stream(X):
            input_shape = tuple(int(v) for v in X.shape[1:])
        else:
            input_shape = resolve_image_shape(self, X, None)
        self._check_channels(input_shape[2])
        fitted_range = pixel_range(X, name)
        seed = None
        if backbone_kind(self.backbone) == "name" and self.weights is None:
            seed = draw_fit_seed(self.random_state)
        network = self._build_network(input_shape, fitted_range, seed)
        self.__dict__.pop("_inference", None)
        self.input_shape_ = input_shape
        self.pixel_range_ = fitted_range
        self._network = network
        self._n_features_out = int(network.outputs[0].shape[-1])
        return self

    def transform(self, X):
        """Compute the features of the images in ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width) or \
(n_samples, height, width, channels)
            Images of the shape seen in :meth:`fit`, of pixels in the same
            range, or an :class:`~skcnn.preprocessing.ImageStream` of them,
            read one batch at a time.

        Returns
        -------
        features : ndarray of shape (n_samples, n_features)
            The pooled features of the backbone, float32.
        """
        check_is_fitted(self)
        X = self._check_images(X, reset=False)
        if is_stream(X):
            # Read batch by batch; checking the range first would read it twice.
            images = X
        else:
            self._check_range(X)
            images = to_images(X, self.input_shape_)
        features = self._inference_function()(images, self.batch_size)
        return np.asarray(features, dtype=np.float32)

    def _check_range(self, X):
        """Refuse pixels outside the range seen in fit (a scale mix-up)."""
        high = self.pixel_range_[1]
        if X.dtype == np.uint8 and high == 255:
            return
        low, peak = float(np.min(X)), float(np.max(X))
        if low < 0 or peak > high:
            raise ValueError(
                f"{type(self).__name__} was fitted on pixels in [0, {high}], got "
                f"values from {low:g} to {peak:g}. Give transform images on "
                "the scale of those seen in fit (the network's input scaling "
                "is set from them)."
            )

    def __getstate__(self):
        state = dict(super().__getstate__())
        # A compiled function is process-local; it is rebuilt on first use.
        state.pop("_inference", None)
        if not self._keeps_network():
            state.pop("_network", None)
        # Stamped with the versions, the network packed (see pickling).
        return pack_state(state)

    def __setstate__(self, state):
        super().__setstate__(unpack_state(self, state))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.non_deterministic = (
            self.weights is None
            and self.random_state is None
            and backbone_kind(self.backbone) == "name"
        )
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
