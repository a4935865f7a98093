"""CNNClassifier: a convolutional network that acts as a scikit-learn classifier.

Its hyperparameters are declared once each, with their default and the
values they take: the architecture's in
:data:`skcnn.architectures.CNN_HYPERPARAMETERS`, the training's here
(:data:`TRAINING_HYPERPARAMETERS`). ``__init__`` and the constraints
scikit-learn checks are made from these declarations; the class docstring
documents them.
"""

import numbers
import os

from ._compat import Interval, StrOptions
from ._engine.adaptation import pixel_range
from ._engine.backbones import (
    backbone_kind,
    block_patterns,
    check_backbone,
    image_size_of,
    resolve_backbone,
)
from ._engine.bridge import KerasImageClassifier
from ._engine.data import n_training_samples
from ._engine.fine_tuning import train_in_phases
from ._engine.parameters import (
    OPTIMIZER_RULE,
    auto_epochs,
    auto_head_epochs,
    compile_kwargs,
)
from ._engine.runtime import keras, tf
from ._engine.training import SmoothedSparseCrossentropy, schedule_callbacks
from ._engine.weights import check_weights_file
from ._param_validation import Hyperparameter, keyword_init, parameter_constraints
from ._validation import (
    IMAGE_SHAPE_RULE,
    check_image_shape,
    check_labels,
    check_pixels,
    check_stream,
    is_stream,
    resolve_image_shape,
    to_images,
)
from .architectures import (
    BACKBONE_HYPERPARAMETERS,
    CNN_HYPERPARAMETERS,
    build_cnn,
    build_transfer_cnn,
)

__all__ = ["CNNClassifier", "TRAINING_HYPERPARAMETERS"]

_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")
_FRACTION = Interval(numbers.Real, 0, 1, closed="left")

#: CNNClassifier's hyperparameters besides the architecture's: name ->
#: default and the values it takes.
TRAINING_HYPERPARAMETERS = {
    "optimizer": Hyperparameter(
        "adam", [str, type, keras.optimizers.Optimizer], OPTIMIZER_RULE
    ),
    "learning_rate": Hyperparameter(
        3e-3, [Interval(numbers.Real, 0, None, closed="neither")]
    ),
    "learning_rate_schedule": Hyperparameter(
        "one_cycle", [StrOptions({"constant", "one_cycle"})]
    ),
    "label_smoothing": Hyperparameter(0.1, [_FRACTION]),
    "epochs": Hyperparameter("auto", [_POSITIVE, StrOptions({"auto"})]),
    "batch_size": Hyperparameter(128, [_POSITIVE]),
    "validation_split": Hyperparameter(0.0, [_FRACTION]),
    "early_stopping": Hyperparameter(
        None, [Interval(numbers.Integral, 0, None, closed="left"), None]
    ),
    "class_weight": Hyperparameter(None, [dict, StrOptions({"balanced"}), None]),
    "random_state": Hyperparameter(None, ["random_state"]),
    "verbose": Hyperparameter(0, ["verbose"]),
    "image_shape": Hyperparameter(None, [tuple, list, None], IMAGE_SHAPE_RULE),
    "model": Hyperparameter(None, [callable, None]),
    "loss": Hyperparameter("sparse_categorical_crossentropy", [str, callable]),
    # Keras takes metrics as names, functions or Metric objects, alone or in
    # lists and dicts, and checks each of them when compiling (before any
    # data is seen).
    "metrics": Hyperparameter(None, [list, tuple, dict, str, callable, None]),
    "callbacks": Hyperparameter(
        None, [list, tuple, dict, keras.callbacks.Callback, type, None]
    ),
    "warm_start": Hyperparameter(False, ["boolean"]),
    "checkpoint": Hyperparameter(None, [str, os.PathLike, None]),
    "checkpoint_every": Hyperparameter(1, [_POSITIVE]),
    "distribute": Hyperparameter(
        None, [StrOptions({"mirrored"}), tf.distribute.Strategy, None]
    ),
    "fine_tune": Hyperparameter(0.0, [Interval(numbers.Real, 0, 1, closed="both")]),
    "fine_tune_epochs": Hyperparameter(10, [_POSITIVE]),
    "fine_tune_learning_rate": Hyperparameter(
        3e-4, [Interval(numbers.Real, 0, None, closed="neither")]
    ),
}

# Augmentation hyperparameters: with none of them set, a frozen backbone sees
# every image the same way in every epoch.
_AUGMENTATION = ("rotation", "shift", "zoom", "horizontal_flip")


class CNNClassifier(KerasImageClassifier):
    """Convolutional neural network classifier for images.

    A Keras network of convolutional blocks, trained with TensorFlow, behind
    the scikit-learn classifier API: it works in pipelines, grid searches,
    cross-validation (stratified), ensembles and calibration like any other
    classifier. Built on scikeras, whose routed parameters
    (``optimizer__beta_1``, ``fit__shuffle``, ``callbacks__...``) work too.

    Input may be flat pixel rows ``(n_samples, n_features)``, grayscale
    images ``(n_samples, height, width)`` or channels-last images
    ``(n_samples, height, width, channels)``, in any numeric dtype (uint8 and
    float32 are used without a copy). Flat rows are reshaped to
    ``image_shape``, or to the shape :func:`~skcnn.preprocessing.infer_image_shape`
    infers. Pixels are used as given: put :class:`~skcnn.PixelScaler` in front
    to scale them.

    Parameters
    ----------
    filters : tuple of int, default=(16, 32, 64)
        Number of filters of each convolutional block; one block per entry:
        Conv2D → MaxPooling2D → [BatchNormalization] → ReLU → [Dropout].
    kernel_size : int, default=3
        Side of the square convolution kernels.
    pool_size : int, default=2
        Side of the square max-pooling windows. Pooling is skipped along any
        axis whose size would drop below 1.
    dense_units : int, default=512
        Width of the hidden dense layer after the blocks; 0 means none.
    dropout : float, default=0.0
        Dropout rate after each convolutional block, in ``[0, 1)``.
    dense_dropout : float, default=0.3
        Dropout rate after the hidden dense layer, in ``[0, 1)``.
    batch_norm : bool, default=True
        Whether to normalise each block's pooled output (BatchNormalization,
        after pooling, where it costs a quarter of the work).
    rotation : float, default=0.0
        Training-time random rotation, as a fraction of a full turn (0.05 is
        up to 18 degrees either way). Augmentation layers live inside the
        network, act on each training batch and never at predict time.
    shift : float, default=0.1
        Training-time random translation, as a fraction of height and width
        (0.1 moves a 28-pixel image by up to 2.8 pixels). Augmentation is
        left out for inputs of height or width 1, such as the
        ``(1, n_features, 1)`` strips tabular rows become.
    zoom : float, default=0.0
        Training-time random zoom in or out, as a fraction of the image size.
    horizontal_flip : bool, default=False
        Training-time random left-right flips (not for digits).
    precision : {"float32", "mixed_float16", "mixed_bfloat16"}, default="float32"
        Mixed precision: the network computes in 16 bits and keeps float32
        weights and outputs. ``"mixed_float16"`` (with loss scaling) speeds
        up training on most NVIDIA GPUs; ``"mixed_bfloat16"`` on TPUs and on
        CPUs with bfloat16 instructions. Check the accuracy it reaches.
        With a backbone, it applies to the head; the backbone computes in
        float32.
    backbone : str, path, keras.Model or FrozenEstimator, default=None
        A pretrained network to build on instead of training one from
        scratch (see :ref:`pretrained`). None trains skcnn's own network.
        Otherwise the network is: input adaptation (resizing, channel
        repetition, the family's preprocessing), augmentation, the
        backbone, pooling, then the head (``dense_units``,
        ``dense_dropout``, a softmax); ``filters``, ``kernel_size``,
        ``pool_size``, ``dropout`` and ``batch_norm`` are then ignored.
        It may be the name of a Keras application (``"mobilenet_v2"``,
        ``"mobilenet_v3_small"``, ``"mobilenet_v3_large"``,
        ``"efficientnet_b0"``, ``"efficientnet_v2_b0"``, ``"resnet50"``,
        ``"convnext_tiny"``), built without its top; a ``keras.Model``,
        used as the feature extractor; the path of a saved ``.keras``
        model, cut after its last convolutional feature map; or a fitted
        ``CNNClassifier`` wrapped in :class:`sklearn.frozen.FrozenEstimator`
        (so that cloning keeps it fitted), cut the same way. The backbone
        is copied at fit, never trained in place.
    backbone_weights : "imagenet", None or path, default="imagenet"
        Weights of a Keras application: ``"imagenet"`` (downloaded once
        into Keras's cache, ``~/.keras/models``), None (random) or the
        path of its weights file without the top, as Keras caches it.
    backbone_image_size : int or tuple of int, default=None
        ``(height, width)`` (or one side) the images are resized to inside
        the network. None is the family's native size (224 for the Keras
        applications) or a model's own input size. The Keras applications
        take 32 pixels or more; smaller sizes are faster, and less
        accurate with ImageNet weights.
    backbone_pooling : {"auto", "average", "flatten"}, default="auto"
        How the backbone's feature maps become the head's input.
        ``"auto"`` is global average pooling for a Keras application and
        flatten for a cut network, whose feature maps are a few pixels
        wide: averaging them throws the layout away.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Name, class or instance of a Keras optimizer. Its arguments can be
        routed, e.g. ``optimizer__beta_1=0.8``.
    learning_rate : float, default=3e-3
        Learning rate of an optimizer given by name or class
        (``optimizer__learning_rate`` takes precedence); the peak rate of
        the ``"one_cycle"`` schedule.
    learning_rate_schedule : {"one_cycle", "constant"}, default="one_cycle"
        ``"one_cycle"`` warms the rate up linearly from a tenth of
        ``learning_rate`` over the first 10 % of the steps of each fit, then
        lowers it along a cosine to almost zero at the last step.
        ``"constant"`` keeps the optimizer's rate.
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy loss, in ``[0, 1)``: the target
        of each sample puts this much probability evenly on all classes.
        Applies to the default loss and to ``"categorical_crossentropy"``;
        0 disables it.
    epochs : int or "auto", default="auto"
        Number of passes over the training data. ``"auto"`` shows the network
        about 240,000 images in all: ``round(240_000 / n_samples)`` epochs,
        kept between 15 and 60 (60 up to 4,000 images, 15 from 16,000 on).
        With a backbone, ``epochs`` trains the head alone and ``"auto"``
        shows it about 30,000 images: ``round(30_000 / n_samples)``
        epochs, kept between 10 and 30.
    batch_size : int, default=128
        Number of images per gradient step (and per predict batch).
    validation_split : float, default=0.0
        Fraction of the training data held out, at random and stratified by
        class, to report ``val_loss`` and ``val_accuracy`` per epoch (unlike
        Keras's own option, which holds out the last samples).
    early_stopping : int, default=None
        Patience, in epochs: stop when ``val_loss`` (with
        ``validation_split > 0``), else the training loss, has not improved
        for that many epochs, and restore the best weights. None trains for
        all ``epochs``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, ``{label: weight}``, multiplied into the
        sample weights.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout, augmentation, the validation hold-out and the
        order of the batches. An int gives the same fit every time, also
        beside other fits in threads; a ``RandomState`` is advanced by one
        draw per fit; None draws fresh entropy. No global random state or
        TensorFlow setting is read or changed. See :ref:`reproducibility`.
    verbose : int, default=0
        0 is silent, 1 shows a progress bar per epoch, 2 one line per epoch.
    image_shape : tuple of int, default=None
        Shape ``(height, width)`` or ``(height, width, channels)`` to reshape
        flat rows to; None infers it.
    model : callable or keras.Model, default=None
        Replace the built-in network: a function returning a (compiled or
        not) Keras model, receiving scikeras's ``meta`` (with
        ``input_shape_`` and ``n_classes_``) and ``compile_kwargs`` if it
        asks for them; its output must be one probability per class.
    loss : str or keras.losses.Loss, default="sparse_categorical_crossentropy"
        Training loss; ``"categorical_crossentropy"`` one-hot encodes labels.
    metrics : list, default=None
        Keras metrics recorded in ``history_``; None records accuracy.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks, used in fit and predict.
    warm_start : bool, default=False
        Whether ``fit`` continues from the current weights. With a
        backbone, a warm-start fit runs both phases again from there, and
        ``partial_fit`` trains the head alone for one epoch.
    checkpoint : str or path-like, default=None
        A folder where ``fit`` keeps its training state every
        ``checkpoint_every`` epochs (see :ref:`resumable-fits`): the
        network's variables, the optimizer's, the epoch, the schedule's
        position, early stopping's state and the history so far. A fit
        started again with the same data and arguments resumes from the
        last state saved; a seeded fit so resumed gives the model the
        uninterrupted fit gives. Each fit's state lies in a subfolder
        named by a fingerprint of its data, hyperparameters and library
        versions, so fits sharing the folder (the clones of a grid search)
        never take each other's. A fit that completes removes its
        subfolder; an interrupted one leaves it. ``partial_fit`` keeps no
        checkpoint. None keeps none.
    checkpoint_every : int, default=1
        Epochs between two saves of the training state, with
        ``checkpoint``.
    distribute : {"mirrored"}, tf.distribute.Strategy or None, default=None
        Train on several devices at once: ``"mirrored"`` builds and compiles
        the network inside a ``tf.distribute.MirroredStrategy`` over every
        visible GPU (the CPU when there is none); a strategy instance is used
        as given. None trains on TensorFlow's default device.
    fine_tune : float, default=0.0
        With a backbone: the fraction of its layers, counted from the
        output and rounded to whole blocks, that a second phase of training
        unfreezes (1.0 is all). 0 keeps the backbone frozen. Its
        BatchNormalization layers stay frozen, in inference mode, in both
        phases.
    fine_tune_epochs : int, default=10
        Epochs of the fine-tuning phase, after ``epochs`` of the head. The
        learning-rate schedule and early stopping restart for it.
    fine_tune_learning_rate : float, default=3e-4
        Peak learning rate of the fine-tuning phase.
    **kwargs : dict
        Routed parameters, ``<destination>__<name>`` with destination one of
        ``model``, ``fit``, ``compile``, ``predict``, ``optimizer``, ``loss``,
        ``metrics``, ``callbacks``, ``score``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen during fit.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of values per sample seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during fit, when ``X`` was a DataFrame.
    input_shape_ : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    history_ : dict of str to list of float
        Loss and metrics per epoch (``val_*`` entries when validating).
        With a backbone, its ``"phase"`` entry says which phase each epoch
        belongs to: 1 (the head) or 2 (fine-tuning).
    pixel_range_ : tuple of int
        With a backbone: the range of the pixel values seen in fit,
        ``(0, 255)`` or ``(0, 1)``, which the network's input adaptation
        expects.
    model_ : keras.Model
        The trained network.

    See Also
    --------
    skcnn.ImageReshaper : Reshape flat pixel rows into images.
    skcnn.PixelScaler : Scale pixel values to floats.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from skcnn import CNNClassifier, PixelScaler
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = make_pipeline(
    ...     PixelScaler(max_value=16),
    ...     CNNClassifier(filters=(8,), dense_units=0, epochs=2, random_state=0),
    ... )
    >>> clf.fit(X[:300], y[:300]).predict(X[300:305]).shape
    (5,)
    """

    _hyperparameters = {
        **CNN_HYPERPARAMETERS,
        **BACKBONE_HYPERPARAMETERS,
        **TRAINING_HYPERPARAMETERS,
    }
    _parameter_constraints = parameter_constraints(_hyperparameters)
    __init__ = keyword_init(_hyperparameters)

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        """Validate ``X`` (and ``y``); return images ``(n, h, w, c)`` and labels."""
        name = type(self).__name__
        if reset and y is None:
            raise ValueError(
                f"{name} requires y to be passed, but the target y is None."
            )
        fitted_shape = None if reset else self.input_shape_
        if is_stream(X):
            shape = check_image_shape(self.image_shape, name) if reset else None
            shape = check_stream(
                self, X, reset=reset, fitted_shape=fitted_shape, image_shape=shape
            )
            if reset:
                self.input_shape_ = shape
            images = X
        else:
            X = check_pixels(self, X, reset=reset, fitted_shape=fitted_shape)
            if reset:
                image_shape = check_image_shape(self.image_shape, name)
                self.input_shape_ = resolve_image_shape(self, X, image_shape)
            images = to_images(X, self.input_shape_)
        if reset:
            if self.backbone is not None:
                self.pixel_range_ = pixel_range(images, name)
            elif hasattr(self, "pixel_range_"):
                del self.pixel_range_
        if y is not None:
            y = check_labels(self, y, images)
        return images, y

    def _check_params(self):
        super()._check_params()
        if self.backbone is not None:
            name = type(self).__name__
            check_backbone(self.backbone, name)
            image_size_of(self.backbone, self.backbone_image_size, name)
            weights = self.backbone_weights
            if backbone_kind(self.backbone) == "name" and weights not in (
                None,
                "imagenet",
            ):
                check_weights_file(weights)

    def _build_network(self, input_shape, n_classes, seed):
        hyperparameters = {name: getattr(self, name) for name in CNN_HYPERPARAMETERS}
        if self.backbone is None:
            return build_cnn(input_shape, n_classes, seed=seed, **hyperparameters)
        backbone = resolve_backbone(
            self.backbone,
            self.backbone_weights,
            self.backbone_image_size,
            seed=seed,
            owner=type(self).__name__,
        )
        head = ("dense_units", "dense_dropout", "precision", *_AUGMENTATION)
        return build_transfer_cnn(
            input_shape,
            n_classes,
            backbone,
            pixel_range=self.pixel_range_,
            pooling=self.backbone_pooling,
            seed=seed,
            **{name: hyperparameters[name] for name in head},
        )

    def _get_compile_kwargs(self):
        kwargs = compile_kwargs(
            self.get_params(),
            self._compile_kwargs,
            {"learning_rate": float(self.learning_rate)},
        )
        if self.label_smoothing and self.loss == "sparse_categorical_crossentropy":
            kwargs["loss"] = SmoothedSparseCrossentropy(float(self.label_smoothing))
        elif self.label_smoothing and self.loss == "categorical_crossentropy":
            kwargs["loss"] = keras.losses.CategoricalCrossentropy(
                label_smoothing=float(self.label_smoothing)
            )
        optimizer = kwargs["optimizer"]
        if (
            self.model is None
            and self.precision == "mixed_float16"
            and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        ):
            # float16 gradients underflow without loss scaling.
            kwargs["optimizer"] = keras.optimizers.LossScaleOptimizer(optimizer)
        return kwargs

    def _planned_epochs(self, epochs, n_samples):
        if epochs != "auto":
            return epochs
        return (
            auto_epochs(n_samples)
            if self.backbone is None
            else auto_head_epochs(n_samples)
        )

    def _training_callbacks(self, plan, n_samples, *, peak=None, epochs=None):
        if peak is None:
            peak = getattr(self, "optimizer__learning_rate", None) or self.learning_rate
        callbacks = schedule_callbacks(
            self.learning_rate_schedule,
            float(peak),
            n_samples,
            plan.batch_size,
            plan.epochs if epochs is None else epochs,
        )
        if self.early_stopping is not None:
            monitor = "val_loss" if plan.validates else "loss"
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=monitor,
                    patience=int(self.early_stopping),
                    restore_best_weights=True,
                )
            )
        return callbacks

    def _distribution_strategy(self):
        if self.distribute == "mirrored":
            return tf.distribute.MirroredStrategy()
        return self.distribute

    def _train(self, X, y, plan, callbacks):
        if self.backbone is None:
            return super()._train(X, y, plan, callbacks)
        n_train = n_training_samples(len(X), plan.validation_fraction)
        augments = any(getattr(self, name) for name in _AUGMENTATION)
        return train_in_phases(
            self.model_,
            X,
            y,
            plan,
            callbacks=callbacks,
            compile_for=self._compile_phase,
            phase_callbacks=lambda epochs: self._training_callbacks(
                plan,
                n_train,
                peak=self.fine_tune_learning_rate,
                epochs=epochs,
            ),
            fine_tune=float(self.fine_tune),
            fine_tune_epochs=int(self.fine_tune_epochs),
            block_patterns=block_patterns(self.backbone),
            cache_features=(
                plan.epochs > 1
                and not augments
                and not callbacks
                and self.distribute is None
                and plan.fit_args.get("validation_data") is None
            ),
        )

    def _compile_phase(self, model, phase):
        """Compile ``model`` for a training phase: a fresh optimizer over its
        trainable variables, at the fine-tuning rate in phase ``"fine_tune"``."""
        kwargs = self._get_compile_kwargs()
        optimizer = kwargs["optimizer"]
        if isinstance(optimizer, keras.optimizers.Optimizer) and optimizer.built:
            # An optimizer instance given by the user: a fresh copy, as an
            # optimizer is tied to the variables it first trained.
            optimizer = type(optimizer).from_config(optimizer.get_config())
        if phase == "fine_tune":
            optimizer.learning_rate = float(self.fine_tune_learning_rate)
        kwargs["optimizer"] = optimizer
        with model.distribute_strategy.scope():
            model.compile(**kwargs)

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build the network and train it on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Training pixel rows or images.
        y : array-like of shape (n_samples,)
            Target labels: integers, strings or booleans.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights; samples of weight 0 are left out.
        **kwargs : dict
            Extra arguments for ``keras.Model.fit`` (prefer routed
            ``fit__<name>`` parameters, which survive ``clone``).

        Returns
        -------
        self : CNNClassifier
            The fitted classifier.
        """
        return super().fit(X, y, sample_weight=sample_weight, **kwargs)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : array-like
            Images or pixel rows shaped as in fit.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy, the fraction of correctly classified samples.
        """
        return super().score(X, y, sample_weight=sample_weight)
