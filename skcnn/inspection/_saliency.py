"""Saliency maps of a fitted CNNClassifier: the public function and its input.

Everything here is NumPy: the parameters, the estimator, the images and the
target classes are checked before TensorFlow sees anything, and the
batching, SmoothGrad's noise and occlusion's patches are made here. The
network's logits and gradients come from :mod:`skcnn._engine.saliency`,
imported on the first map.
"""

import numbers

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions
from .._param_validation import Hyperparameter, check_hyperparameters
from .._validation import is_stream
from ._perturbation import (
    batches,
    occlusion_maps,
    patch_geometry,
    smoothed_gradients,
)

__all__ = ["DEFAULT_METHOD", "METHODS", "explained_images", "saliency"]

METHODS = ("hirescam", "gradcam", "gradients", "occlusion")
"""The methods :func:`saliency` computes maps by."""

DEFAULT_METHOD = "occlusion"
"""The method of ``method=None``: the one that finds the evidence best on
skcnn's default network, measured (see :ref:`saliency`); it also needs no
convolution. The class activation maps cost about a hundredth of it."""

_CAM_METHODS = ("hirescam", "gradcam")
_NAME = "saliency"
_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")
_AUTO_OR_POSITIVE = [_POSITIVE, StrOptions({"auto"})]

#: The parameters of :func:`saliency` besides the estimator and the data,
#: with their defaults and the values they take.
PARAMETERS = {
    "method": Hyperparameter(None, [StrOptions(set(METHODS)), None]),
    "target": Hyperparameter(None, "no_validation"),  # checked against classes_
    "layer": Hyperparameter(None, [str, None]),
    "batch_size": Hyperparameter(32, [_POSITIVE]),
    "smooth_samples": Hyperparameter(
        0, [Interval(numbers.Integral, 0, None, closed="left")]
    ),
    "noise_level": Hyperparameter(
        0.15, [Interval(numbers.Real, 0, None, closed="left")]
    ),
    "patch_size": Hyperparameter("auto", _AUTO_OR_POSITIVE),
    "stride": Hyperparameter("auto", _AUTO_OR_POSITIVE),
    "baseline": Hyperparameter(
        0.0, [Interval(numbers.Real, None, None, closed="neither")]
    ),
    "random_state": Hyperparameter(None, ["random_state"]),
}


def saliency(
    estimator,
    X,
    *,
    method=None,
    target=None,
    layer=None,
    batch_size=32,
    smooth_samples=0,
    noise_level=0.15,
    patch_size="auto",
    stride="auto",
    baseline=0.0,
    random_state=None,
):
    """Saliency maps: how much each pixel of each image counts for a class.

    For each image, a non-negative map of its height and width whose large
    values mark the pixels the network's score for the ``target`` class
    depends on most. Scores are the network's logits (the values before
    its softmax), whose gradients do not vanish when the network is sure.
    See :ref:`saliency` for what each method shows, how well each finds
    the evidence, and their limits.

    Parameters
    ----------
    estimator : CNNClassifier or Pipeline
        A fitted :class:`~skcnn.CNNClassifier`, or a fitted scikit-learn
        ``Pipeline`` whose last step is one.
    X : array-like, ImageStream or list of paths
        The images to explain, as ``estimator`` takes them: for a
        pipeline, its raw input (file paths, flat pixel rows, an
        :class:`~skcnn.preprocessing.ImageStream`), which its steps before
        the classifier transform.
    method : {"hirescam", "gradcam", "gradients", "occlusion"}, default=None
        ``"hirescam"``: gradient times activation, element by element,
        summed over the channels of a feature map, then ReLU.
        ``"gradcam"``: the activation weighted by the gradient averaged over
        the map's positions (classic Grad-CAM), then ReLU. Both are
        computed at ``layer`` and upsampled bilinearly to the image size.
        ``"gradients"``: the absolute gradient of the score with respect to
        each pixel, largest over the channels (with SmoothGrad when
        ``smooth_samples > 0``). ``"occlusion"``: how much the score drops
        when a patch of ``baseline`` pixels hides each place, averaged over
        the patches that cover a pixel. None is :data:`DEFAULT_METHOD`,
        ``"occlusion"``, the one that finds the evidence best on skcnn's
        own network; ``"hirescam"`` and ``"gradcam"`` cost about a
        hundredth of it.
    target : label or array-like of shape (n_samples,), default=None
        The class to explain, as a label of ``classes_`` (never an index:
        with classes ``[3, 7]``, ``target=3`` is the class 3): one label for
        all images, or one per image. None explains each image's predicted
        class.
    layer : str, default=None
        For ``"hirescam"`` and ``"gradcam"``: the name of the layer whose
        feature map ``(batch, height, width, channels)`` the map is computed
        at. A layer inside a nested model (the ``"backbone"`` of a network
        built on a pretrained one) is named by its path,
        ``"backbone/conv_1"``, or by its own name when no other layer has
        it. None is the output of the network's last convolution layer,
        nested models searched too (in skcnn's own network, ``"conv3"`` by
        default, before that block's pooling; with a Keras application,
        its last convolution). One block earlier (``"conv2"``) the map is
        finer and, on skcnn's own network, finds the evidence more often.
    batch_size : int, default=32
        Images given to the network at a time (noisy or occluded copies,
        for SmoothGrad and occlusion).
    smooth_samples : int, default=0
        For ``"gradients"``: SmoothGrad, the average of the maps of this
        many noisy copies of each image. 0 computes the plain gradient.
    noise_level : float, default=0.15
        For SmoothGrad: the standard deviation of the Gaussian noise, as a
        fraction of each image's range of pixel values (largest minus
        smallest).
    patch_size : int or "auto", default="auto"
        For ``"occlusion"``: the side of the square patch, in pixels.
        ``"auto"`` is a sixth of the image's smaller side, at least 2.
    stride : int or "auto", default="auto"
        For ``"occlusion"``: the step between patches, in pixels. ``"auto"``
        is half the patch size, at least 1. The network runs once per image
        and patch position: about ``(height / stride) * (width / stride)``
        times per image.
    baseline : float, default=0.0
        For ``"occlusion"``: the value of the hiding patch's pixels, in the
        units the classifier receives (after the pipeline's scaling).
    random_state : int, RandomState instance or None, default=None
        Seeds SmoothGrad's noise; each image's noise is drawn from its own
        seed, so a map does not depend on ``batch_size`` or on the other
        images. None draws fresh entropy; no global random state is read or
        changed.

    Returns
    -------
    maps : ndarray of shape (n_samples, height, width), dtype float32
        One map per image, at the height and width of the images the
        classifier receives (before any resizing inside its network); every
        value is 0 or more. The scale depends on the method and the
        network: compare places within a map, not maps of different
        methods.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the classifier is not fitted.
    TypeError
        If ``estimator`` is not a ``CNNClassifier`` or a ``Pipeline``
        ending in one.
    ValueError
        If ``target`` is not a class, if ``layer`` is not a feature map,
        or if a class activation map is asked of a network without a
        convolution.

    See Also
    --------
    skcnn.plotting.SaliencyDisplay : Draw the maps over their images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skcnn import CNNClassifier
    >>> from skcnn.inspection import saliency
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = CNNClassifier(filters=(8,), epochs=1, random_state=0)
    >>> clf = clf.fit(X[:200] / 16, y[:200])
    >>> maps = saliency(clf, X[:3] / 16)
    >>> maps.shape
    (3, 8, 8)
    >>> saliency(clf, X[:3] / 16, method="occlusion", target=4).shape
    (3, 8, 8)
    """
    params = dict(
        method=method,
        target=target,
        layer=layer,
        batch_size=batch_size,
        smooth_samples=smooth_samples,
        noise_level=noise_level,
        patch_size=patch_size,
        stride=stride,
        baseline=baseline,
        random_state=random_state,
    )
    check_hyperparameters(PARAMETERS, params, _NAME)
    chosen = DEFAULT_METHOD if method is None else method
    if layer is not None and chosen not in _CAM_METHODS:
        given = f"the default method, {chosen!r}," if method is None else ""
        given = given or f"method={chosen!r}"
        raise ValueError(
            f"layer={layer!r} is for the class activation maps, but "
            f"{given} works on the input pixels: pass "
            'method="hirescam" or method="gradcam" with layer, or leave '
            "layer=None."
        )
    method = chosen
    classifier, images = _classifier_input(estimator, X)
    targets = _target_indices(classifier.classes_, target, len(images))

    from .._engine.saliency import saliency_network

    network = saliency_network(classifier.model_, classifier.input_shape_)
    batch_size = int(batch_size)
    if method in _CAM_METHODS:
        path = network.resolve_layer(layer)
        maps = [
            network.class_activation_maps(method, path, batch, targets[rows])[0]
            for rows, batch in batches(images, batch_size)
        ]
    elif method == "gradients":
        maps = smoothed_gradients(
            network,
            images,
            targets,
            batch_size,
            int(smooth_samples),
            float(noise_level),
            random_state,
        )
    else:
        maps = occlusion_maps(
            network,
            images,
            targets,
            batch_size,
            patch_geometry(patch_size, stride, classifier.input_shape_[:2]),
            float(baseline),
        )
    maps = maps[0] if len(maps) == 1 else np.concatenate(maps)
    return np.maximum(maps, 0, dtype=np.float32)


def explained_images(estimator, X):
    """The fitted classifier at the end of ``estimator`` and the images it receives.

    Parameters
    ----------
    estimator : CNNClassifier or Pipeline
        As :func:`saliency` takes it.
    X : array-like, ImageStream or list of paths
        As :func:`saliency` takes it.

    Returns
    -------
    classifier : CNNClassifier
        The fitted classifier.
    images : ndarray of shape (n_samples, height, width, channels)
        ``X`` as the classifier receives it: through the pipeline's steps
        before it and its own input validation (flat rows reshaped); a
        stream is decoded, batch by batch, into one array.
    """
    classifier, images = _classifier_input(estimator, X)
    if is_stream(images):
        images = np.concatenate(list(images.batches(int(classifier.batch_size))))
    return classifier, images


# -- the estimator and its input ---------------------------------------------


def _final_classifier(estimator):
    """The fitted CNNClassifier at the end of ``estimator``, checked."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import Pipeline

    from ..classifier import CNNClassifier

    final = estimator
    while isinstance(final, (Pipeline, FrozenEstimator)):
        final = final.steps[-1][1] if isinstance(final, Pipeline) else final.estimator
    if not isinstance(final, CNNClassifier):
        what = f"a {type(estimator).__name__}"
        if final is not estimator:
            what += f" ending in {type(final).__name__}"
        raise TypeError(
            f"{_NAME} explains a fitted CNNClassifier, or a Pipeline whose last "
            f"step is one; got {what}."
        )
    try:
        check_is_fitted(final)
    except NotFittedError:
        raise NotFittedError(
            f"{_NAME} needs a fitted CNNClassifier, got an unfitted one: call "
            "fit first."
        ) from None
    return final


def _transformed(estimator, X):
    """``X`` through every step of ``estimator`` before the classifier."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, FrozenEstimator):
        return _transformed(estimator.estimator, X)
    if isinstance(estimator, Pipeline):
        if len(estimator) > 1:
            X = estimator[:-1].transform(X)
        return _transformed(estimator.steps[-1][1], X)
    return X


def _classifier_input(estimator, X):
    """The classifier and ``X`` validated as its predict would: images or a stream."""
    classifier = _final_classifier(estimator)
    images, _ = classifier._validate_data(_transformed(estimator, X))
    return classifier, images


def _target_indices(classes, target, n_samples):
    """One index into ``classes`` per image; -1 for the predicted class."""
    if target is None:
        return np.full(n_samples, -1, dtype=np.int32)
    if np.ndim(target) == 0:
        labels = [target]
    else:
        labels = np.asarray(target, dtype=object)
        if labels.ndim != 1 or len(labels) != n_samples:
            raise ValueError(
                "target must be one label or one label per image: expected "
                f"{n_samples} labels, got an array of shape {labels.shape}."
            )
        labels = labels.tolist()
    index = {}
    for i, label in enumerate(classes.tolist()):
        index.setdefault(label, i)
    found = np.empty(len(labels), dtype=np.int32)
    for i, label in enumerate(labels):
        key = label.item() if isinstance(label, np.generic) else label
        try:
            found[i] = index[key]
        except (KeyError, TypeError):
            raise ValueError(_not_a_class(key, classes)) from None
    return np.broadcast_to(found, n_samples) if len(found) == 1 else found


def _not_a_class(label, classes):
    listed = classes.tolist()
    shown = ", ".join(repr(c) for c in listed[:20])
    if len(listed) > 20:
        shown += f", ... ({len(listed)} classes)"
    message = (
        f"target={label!r} is not a class of the classifier, whose classes_ "
        f"are [{shown}]. target takes class labels, not indices."
    )
    if (
        isinstance(label, numbers.Integral)
        and not isinstance(label, bool)
        and 0 <= label < len(listed)
    ):
        message += f" For classes_[{label}], pass target={listed[label]!r}."
    return message
