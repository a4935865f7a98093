"""The one module of skcnn that touches scikeras.

:class:`KerasImageClassifier` subclasses scikeras's ``BaseWrapper`` with
:class:`~sklearn.base.ClassifierMixin` on its left, so that scikit-learn sees a
classifier (``is_classifier``, stratified CV, tags), and reuses scikeras's
parameter routing (``optimizer__*``, ``fit__*``, ``callbacks__*``, ...), its
label encoder and its pickling of Keras models. What scikeras gets wrong for
current scikit-learn is replaced here:

* tags are declared through ``__sklearn_tags__``;
* input is validated before TensorFlow sees it, with scikit-learn's messages;
* ``random_state`` seeds Python, NumPy, TensorFlow and Keras only for the
  duration of a fit and restores them afterwards; scikeras's global switch of
  TensorFlow op determinism is never used;
* small predictions call the network directly instead of ``Model.predict``,
  whose fixed cost per call dominates for a few images.
"""

import random
import warnings
from contextlib import contextmanager, nullcontext

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.validation import (
    _check_sample_weight,
    _num_samples,
    check_is_fitted,
)

from ._arrays import aligned_copy, aligned_take, is_aligned
from ._keras import keras, tf
from ._params import ROUTING_PREFIXES, check_param_names, suggest_param
from ._tracing import released_step_gradients

# isort: split
from scikeras._utils import (  # noqa: E402
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)
from scikeras.utils import metric_name
from scikeras.utils.transformers import ClassifierLabelEncoder
from scikeras.wrappers import BaseWrapper

__all__ = ["KerasImageClassifier", "keras_random_state"]

if "__sklearn_tags__" not in vars(BaseWrapper):
    # scikeras 0.13 declares its tags only through the `_more_tags` hook that
    # scikit-learn dropped in 1.6, and scikit-learn now rejects any class in an
    # estimator's MRO that defines `_more_tags` without `__sklearn_tags__`.
    # Give BaseWrapper the modern hook; it returns what BaseWrapper already
    # gets today (its parents' tags), so no scikeras behaviour changes.
    def _base_wrapper_tags(self):
        return super(BaseWrapper, self).__sklearn_tags__()

    BaseWrapper.__sklearn_tags__ = _base_wrapper_tags


@contextmanager
def keras_random_state(seed):
    """Seed Python, NumPy, TensorFlow and Keras inside a ``with`` block.

    When TensorFlow sees a GPU, it also runs deterministic kernels inside, so
    that results do not depend on thread timing there. CPU kernels already
    repeat their results from run to run, and the switch would make tf.data
    copy the whole training array whenever a fit starts. Everything is
    restored on exit: the Python and NumPy generator states, TensorFlow's
    global seed and op-determinism switch, and Keras's global seed
    generator. ``seed=None`` does nothing.
    """
    if seed is None:
        yield
        return
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils
    from tensorflow.python.eager import context
    from tensorflow.python.framework import config

    python_state = random.getstate()
    numpy_state = np.random.get_state()
    tf_seed = context.global_seed()
    keras_seed = global_state.get_global_attribute(rng_utils.GLOBAL_RANDOM_SEED)
    keras_generator = global_state.get_global_attribute(
        seed_generator.GLOBAL_SEED_GENERATOR
    )
    determinism_was_on = config.is_op_determinism_enabled()
    keras.utils.set_random_seed(int(seed))
    # Deterministic GPU kernels, switched through TensorFlow's API (never
    # through the TF_DETERMINISTIC_OPS variable, which TensorFlow reads once
    # and then keeps on for the whole process) and switched back on exit.
    if tf.config.list_physical_devices("GPU"):
        config.enable_op_determinism()
    try:
        yield
    finally:
        if not determinism_was_on:
            config.disable_op_determinism()
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        tf.random.set_seed(tf_seed)
        global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, keras_seed)
        global_state.set_global_attribute(
            seed_generator.GLOBAL_SEED_GENERATOR, keras_generator
        )


def _validation_split(X, y, sample_weight, fraction):
    """Hold out a shuffled, stratified ``fraction`` of the training data.

    Keras's own ``validation_split`` takes the last samples before shuffling,
    which holds out a single class when the data are sorted by label. The
    split draws from NumPy's global generator (``random_state=None``), which
    ``keras_random_state`` seeds during a seeded fit.
    """
    from sklearn.model_selection import train_test_split

    labels = y if y.ndim == 1 else y.argmax(axis=1)
    indices = np.arange(len(labels))
    try:
        train, val = train_test_split(
            indices, test_size=fraction, stratify=labels, random_state=None
        )
    except ValueError:  # too few samples per class to stratify
        train, val = train_test_split(indices, test_size=fraction, random_state=None)
    if len(train) == 0 or len(val) == 0:
        raise ValueError(
            f"validation_split={fraction} leaves no training or no validation "
            f"samples out of {len(labels)}."
        )
    weights = None if sample_weight is None else sample_weight[train]
    validation = (aligned_take(X, val), y[val])
    if sample_weight is not None:
        validation += (sample_weight[val],)
    return aligned_take(X, train), y[train], weights, validation


# NumPy dtypes TensorFlow can take over through DLPack without a copy.
_SHAREABLE_DTYPES = frozenset(
    np.dtype(t)
    for t in (np.float16, np.float32, np.uint8, np.int8, np.uint16, np.int16, np.int32)
)


def _as_tensor(X):
    """``X`` as a tensor for Keras, sharing its memory whenever possible.

    Keras turns a NumPy array into one constant tensor before training or
    predicting: a full copy, two when the array is not 64-byte aligned. A
    C-contiguous, writeable, aligned array (``PixelScaler``'s output is one)
    is handed over through DLPack instead, without a copy; other arrays of
    those dtypes get one aligned copy. Anything else (float64, which Keras
    casts to float32 anyway) is left to Keras.
    """
    if not isinstance(X, np.ndarray) or X.dtype not in _SHAREABLE_DTYPES:
        return X
    if not (X.flags.c_contiguous and X.flags.writeable and is_aligned(X)):
        X = aligned_copy(X)
    return tf.experimental.dlpack.from_dlpack(X.__dlpack__())


class KerasImageClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a Keras network, built on scikeras.

    Not for direct use: subclasses define ``__init__`` (flat keyword
    hyperparameters), ``_validate_data`` (input checks and reshaping),
    ``_check_params`` and ``_keras_build_fn``.
    """

    # class_weight is turned into sample weights here, not passed to Keras.
    _fit_kwargs = BaseWrapper._fit_kwargs - {"class_weight"}

    # ------------------------------------------------------------------
    # scikit-learn identity
    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_label = False
        tags.target_tags.required = True
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    def __repr__(self, N_CHAR_MAX=700):
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

    def set_params(self, **params):
        """Set the parameters of this estimator.

        Routed parameters such as ``optimizer__beta_1`` or ``fit__shuffle``
        are accepted as well as the estimator's own.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        valid = self.get_params(deep=False)
        for key, value in params.items():
            routed = "__" in key and key.split("__", 1)[0] in ROUTING_PREFIXES
            if not routed and key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator "
                    f"{type(self).__name__}.{suggest_param(self, key)} "
                    "Valid parameters are the estimator's own "
                    f"({', '.join(sorted(k for k in valid if '__' not in k))}) "
                    f"and routed ones, prefixed with one of "
                    f"{', '.join(p + '__' for p in ROUTING_PREFIXES)}."
                )
            setattr(self, key, value)
        return self

    # ------------------------------------------------------------------
    # hooks for subclasses
    # ------------------------------------------------------------------
    def _check_params(self):
        """Validate hyperparameters; raise before TensorFlow is reached."""
        check_param_names(self)

    def _default_optimizer_params(self):
        """Arguments given to a string or class ``optimizer``."""
        return {}

    def _training_callbacks(self):
        """Callbacks added to every ``Model.fit`` call."""
        return []

    def _distribution_strategy(self):
        """A ``tf.distribute.Strategy`` to build the network under, or None."""
        return None

    def _strategy_scope(self):
        strategy = self._distribution_strategy()
        return nullcontext() if strategy is None else strategy.scope()

    # ------------------------------------------------------------------
    # building the network
    # ------------------------------------------------------------------
    def _check_model_param(self):
        model = self.model
        if model is None:
            return self._keras_build_fn
        if isinstance(model, keras.Model):
            return lambda: model
        if callable(model):
            return model
        raise TypeError(
            "model must be None, a function that returns a keras.Model, or a "
            f"keras.Model, got {model!r}."
        )

    def _get_compile_kwargs(self):
        """Arguments for ``Model.compile``, routed parameters applied."""
        params = self.get_params()
        kwargs = route_params(
            params, destination="compile", pass_filter=self._compile_kwargs
        )
        optimizer = try_to_convert_strings_to_classes(
            kwargs["optimizer"], get_optimizer_class
        )
        optimizer_params = route_params(
            params, destination="optimizer", pass_filter=set(), strict=False
        )
        if isinstance(optimizer, type):
            optimizer_params = {**self._default_optimizer_params(), **optimizer_params}
        kwargs["optimizer"] = unflatten_params(items=optimizer, params=optimizer_params)
        loss = kwargs.get("loss")
        if loss is None:
            loss = "sparse_categorical_crossentropy"
        loss = try_to_convert_strings_to_classes(
            loss, get_loss_class_function_or_string
        )
        kwargs["loss"] = unflatten_params(
            items=loss,
            params=route_params(params, destination="loss", pass_filter=set()),
        )
        metrics = kwargs.get("metrics")
        if metrics is None:
            kwargs["metrics"] = ["accuracy"]
        else:
            metrics = try_to_convert_strings_to_classes(metrics, get_metric_class)
            metrics = unflatten_params(
                items=metrics,
                params=route_params(params, destination="metrics", pass_filter=set()),
            )
            if not isinstance(metrics, (dict, list)):
                metrics = list(metrics) if isinstance(metrics, tuple) else [metrics]
            kwargs["metrics"] = metrics
        return kwargs

    def _random_seed(self):
        """Integer seed for this fit, or None."""
        if isinstance(self.random_state, np.random.RandomState):
            # Draw from a copy, so that every fit gets the same seed.
            generator = np.random.RandomState()
            generator.set_state(self.random_state.get_state())
            return int(generator.randint(np.iinfo(np.int32).max))
        return self.random_state

    def _initialize(self, X, y):
        """Encode the labels and build the network from validated X and y."""
        classes = getattr(self, "_partial_fit_classes", None)
        categories = "auto" if classes is None else [classes]
        self.target_encoder_ = ClassifierLabelEncoder(
            loss=self.loss, categories=categories
        ).fit(y)
        vars(self).update(self.target_encoder_.get_metadata())
        self.classes_ = np.unique(y) if classes is None else classes
        # scikeras seeds (and toggles TF op determinism) when _random_state is
        # set; seeding is done around the whole fit by keras_random_state.
        self._random_state = None
        with self._strategy_scope():
            self.model_ = self._build_keras_model()
            self._ensure_compiled_model()
        self._initialize_callbacks()
        return X, y

    def initialize(self, X, y):
        """Build the network for ``X`` and ``y`` without training it.

        Parameters
        ----------
        X : array-like
            Training images or pixel rows.
        y : array-like of shape (n_samples,)
            Target labels.

        Returns
        -------
        self : estimator instance
            The estimator, with an untrained ``model_``.
        """
        self._check_params()
        self._partial_fit_classes = None
        X, y = self._validate_data(X, y, reset=True)
        with keras_random_state(self._random_seed()):
            self._initialize(X, y)
        return self

    # ------------------------------------------------------------------
    # training
    # ------------------------------------------------------------------
    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        reuse = bool((self.warm_start or warm_start) and self.initialized_)
        try:
            n_samples = _num_samples(X)
        except TypeError:  # not array-like: validation below says so
            n_samples = None
        if n_samples is not None:
            epochs = self._resolve_epochs(epochs, n_samples)
        try:
            with released_step_gradients():
                self._fit_steps(
                    X,
                    y,
                    sample_weight,
                    reuse,
                    warm_start,
                    epochs,
                    initial_epoch,
                    **kwargs,
                )
        except KeyboardInterrupt:
            self._keep_completed_epochs(reuse, epochs)
            raise
        except BaseException:
            if not reuse:
                self._forget_fit()
            raise

    def _resolve_epochs(self, epochs, n_samples):
        """The number of epochs for a fit on ``n_samples`` (subclass hook)."""
        return epochs

    def _fit_steps(
        self, X, y, sample_weight, reuse, warm_start, epochs, initial_epoch, **kwargs
    ):
        self._check_params()
        X, y = self._validate_data(X, y, reset=not reuse)
        sample_weight = self._fit_sample_weight(X, y, sample_weight)
        if sample_weight is not None:
            X, y, sample_weight = self._validate_sample_weight(X, y, sample_weight)
        if not reuse:
            self._check_n_classes(y)
        # Everything above is plain NumPy: bad input never reaches TensorFlow.
        with keras_random_state(self._random_seed()):
            if not reuse:
                self._initialize(X, y)
            self._ensure_compiled_model()
            encoded = self.target_encoder_.transform(y)
            self._check_model_compatibility(encoded)
            self._fit_keras_model(
                X,
                encoded,
                sample_weight=sample_weight,
                warm_start=warm_start,
                epochs=epochs,
                initial_epoch=initial_epoch,
                **kwargs,
            )

    def _forget_fit(self):
        """Return to the unfitted state: drop every fitted attribute."""
        for name in [
            k for k in vars(self) if k.endswith("_") and not k.startswith("_")
        ]:
            delattr(self, name)

    def _keep_completed_epochs(self, reuse, epochs):
        """After Ctrl-C: keep the epochs completed so far, or become unfitted."""
        model = getattr(self, "model_", None)
        completed = getattr(getattr(model, "history", None), "history", {})
        n_done = len(completed.get("loss", []))
        if n_done == 0 and not reuse:
            self._forget_fit()
            return
        if n_done:
            self._record_history(completed, restart=not reuse)
        warnings.warn(
            f"Training was interrupted after {n_done} of {epochs} epochs; "
            f"{type(self).__name__} keeps the weights reached so far.",
            UserWarning,
            stacklevel=3,
        )

    def _check_n_classes(self, y):
        classes = getattr(self, "_partial_fit_classes", None)
        if classes is None:
            classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                "the data (with non-zero sample weight), but the data contains "
                f"only one class: {classes[0]!r}."
            )

    def _fit_sample_weight(self, X, y, sample_weight):
        """Sample weights times class weights, or None when neither is set."""
        class_weight = getattr(self, "class_weight", None)
        if sample_weight is None and class_weight is None:
            return None
        weights = _check_sample_weight(sample_weight, X, dtype=np.float32)
        if class_weight is not None:
            weights = weights * compute_sample_weight(class_weight, y).astype(
                np.float32
            )
        return weights

    @staticmethod
    def _validate_sample_weight(X, y, sample_weight):
        """Drop samples of zero weight, as scikit-learn estimators do."""
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative.")
        keep = sample_weight != 0
        if not keep.any():
            raise ValueError(
                "All sample weights are zero: there is nothing to train on."
            )
        if keep.all():
            return X, y, sample_weight
        return X[keep], y[keep], sample_weight[keep]

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        params = self.get_params()
        fit_args = route_params(params, destination="fit", pass_filter=self._fit_kwargs)
        fit_args["sample_weight"] = sample_weight
        fit_args["epochs"] = initial_epoch + epochs
        fit_args["initial_epoch"] = initial_epoch
        fit_args.update(kwargs)
        fit_args = {k: v for k, v in fit_args.items() if not k.startswith("callbacks")}
        fit_args["callbacks"] = list(self._fit_callbacks) + self._training_callbacks()
        fraction = fit_args.pop("validation_split", 0.0)
        if fraction and fit_args.get("validation_data") is None:
            X, y, fit_args["sample_weight"], fit_args["validation_data"] = (
                _validation_split(X, y, fit_args["sample_weight"], fraction)
            )
        if isinstance(fit_args.get("validation_data"), tuple):
            images, *rest = fit_args["validation_data"]
            fit_args["validation_data"] = (_as_tensor(images), *rest)
        history = self.model_.fit(x=_as_tensor(X), y=y, **fit_args)
        self._record_history(
            history.history, restart=not warm_start or initial_epoch == 0
        )

    def _record_history(self, logs, restart):
        """Append Keras's per-epoch logs to ``history_``, anew if ``restart``."""
        if restart or not hasattr(self, "history_"):
            self.history_ = {}
        for key, values in logs.items():
            if not (key == "loss" or key.startswith("val_")):
                try:
                    key = metric_name(key)
                except ValueError:
                    pass
            self.history_.setdefault(key, []).extend(float(v) for v in values)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch, keeping the weights learned so far.

        Parameters
        ----------
        X : array-like
            Training images or pixel rows.
        y : array-like of shape (n_samples,)
            Target labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that will ever be seen; needed on the first call when
            ``y`` does not hold every class.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : estimator instance
            The estimator.
        """
        if not self.initialized_:
            self._partial_fit_classes = None if classes is None else np.unique(classes)
        self._fit(
            X,
            y,
            sample_weight=sample_weight,
            warm_start=True,
            epochs=1,
            initial_epoch=self.current_epoch,
        )
        return self

    # ------------------------------------------------------------------
    # prediction
    # ------------------------------------------------------------------
    def _predict_raw(self, X):
        check_is_fitted(self)
        X, _ = self._validate_data(X)
        params = self.get_params()
        predict_args = route_params(
            params, destination="predict", pass_filter=self._predict_kwargs, strict=True
        )
        predict_args = {
            k: v for k, v in predict_args.items() if not k.startswith("callbacks")
        }
        batch_size = predict_args.get("batch_size") or 32
        if len(X) <= batch_size and not self._predict_callbacks:
            # One direct call costs milliseconds; Model.predict has a large
            # fixed cost per call (a data pipeline, a traced function).
            return keras.ops.convert_to_numpy(self.model_(X, training=False))
        predict_args["callbacks"] = self._predict_callbacks
        predict_args.setdefault("verbose", 0)
        return self.model_.predict(_as_tensor(X), **predict_args)

    def predict_proba(self, X):
        """Class probabilities for ``X``.

        Parameters
        ----------
        X : array-like
            Images or pixel rows shaped as in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; each row sums to 1.
        """
        raw = np.asarray(self._predict_raw(X), dtype=np.float64)
        if raw.ndim == 1:
            raw = raw.reshape(-1, 1)
        if raw.shape[1] == 1 and len(self.classes_) == 2:
            raw = np.column_stack([1.0 - raw[:, 0], raw[:, 0]])
        if raw.shape[1] != len(self.classes_):
            raise ValueError(
                f"The network returns {raw.shape[1]} outputs per sample, but "
                f"there are {len(self.classes_)} classes."
            )
        raw /= raw.sum(axis=1, keepdims=True)
        return raw

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : array-like
            Images or pixel rows shaped as in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``X`` and ``y``.

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
            Accuracy of ``self.predict(X)``.
        """
        return ClassifierMixin.score(self, X, y, sample_weight=sample_weight)
