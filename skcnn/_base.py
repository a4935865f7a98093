"""The scikeras bridge: a scikit-learn classifier around a Keras network.

:class:`KerasImageClassifier` subclasses scikeras's ``BaseWrapper`` with
:class:`~sklearn.base.ClassifierMixin` on its left, so that scikit-learn sees
a classifier, and reuses scikeras's parameter routing, label encoder,
callback set-up and pickling of Keras models. The fit and predict flow is
its own; :mod:`skcnn._compat` lists what it overrides and why. Its pieces
live in modules named for what they do: ``_seeding``, ``_sample_weight``,
``_training`` (with ``_tensors`` and ``_validation_split``), ``_compile``
and ``_inference``.
"""

import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._compat import BaseWrapper, route_params
from ._compile import compile_kwargs
from ._inference import InferenceFunction, to_probabilities
from ._keras import keras
from ._params import check_param_names, set_routed_params
from ._sample_weight import drop_zero_weights, fit_sample_weight
from ._seeding import derive_seed, draw_fit_seed
from ._tensors import as_tensor
from ._tracing import released_step_gradients
from ._training import train
from ._validation_split import n_training_samples

# isort: split
from scikeras.utils import metric_name  # noqa: E402
from scikeras.utils.transformers import ClassifierLabelEncoder  # noqa: E402

__all__ = ["KerasImageClassifier"]


class KerasImageClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a Keras network, built on scikeras.

    Not for direct use: subclasses define ``__init__`` (flat keyword
    hyperparameters), ``_validate_data`` (input checks and reshaping),
    ``_check_params`` and ``_keras_build_fn``.
    """

    # class_weight is turned into sample weights here, not passed to Keras.
    _fit_kwargs = BaseWrapper._fit_kwargs - {"class_weight"}

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

    def __getstate__(self):
        # A copy: the parent may return the instance's own __dict__.
        state = dict(super().__getstate__())
        # A compiled function is process-local; it is rebuilt on loading.
        state.pop("_inference_function", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:
            self._inference_function = InferenceFunction(self.model_, self.input_shape_)

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
        return set_routed_params(self, params)

    def _check_params(self):
        """Validate hyperparameters; raise before TensorFlow is reached."""
        check_param_names(self)

    def _default_optimizer_params(self):
        """Arguments given to a string or class ``optimizer``."""
        return {}

    def _training_callbacks(self, n_samples, epochs):
        """Callbacks added to a ``Model.fit`` call on ``n_samples`` images."""
        return []

    def _effective_loss(self):
        """The loss the network is trained with (subclass hook)."""
        return self.loss

    def _distribution_strategy(self):
        """A ``tf.distribute.Strategy`` to build the network under, or None."""
        return None

    def _resolve_epochs(self, epochs, n_samples):
        """The number of epochs for a fit on ``n_samples`` (subclass hook)."""
        return epochs

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
        kwargs = compile_kwargs(
            self.get_params(), self._compile_kwargs, self._default_optimizer_params()
        )
        if self._effective_loss() is not self.loss:
            kwargs["loss"] = self._effective_loss()
        return kwargs

    def _network_seed(self):
        """Seed of the network's layers in the current fit."""
        return derive_seed(self._fit_seed, "network")

    def _initialize(self, X, y):
        """Encode the labels and build the network from validated X and y."""
        classes = getattr(self, "_partial_fit_classes", None)
        categories = "auto" if classes is None else [classes]
        self.target_encoder_ = ClassifierLabelEncoder(
            loss=self._effective_loss(), categories=categories
        ).fit(y)
        vars(self).update(self.target_encoder_.get_metadata())
        self.classes_ = self.target_encoder_.classes_
        # scikeras seeds globally when _random_state is set; skcnn seeds each
        # layer instead (see _seeding).
        self._random_state = None
        strategy = self._distribution_strategy()
        with nullcontext() if strategy is None else strategy.scope():
            self.model_ = self._build_keras_model()
            self._ensure_compiled_model()
        # Traced on its first call; created here so that predicting does not
        # change the estimator's attributes.
        self._inference_function = InferenceFunction(self.model_, self.input_shape_)
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
        self._fit_seed = draw_fit_seed(self.random_state)
        self._initialize(X, y)
        return self

    def _fit(self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs):
        reuse = bool((self.warm_start or warm_start) and self.initialized_)
        # One seed per fit: an int repeats, a RandomState advances by one draw.
        self._fit_seed = draw_fit_seed(self.random_state)
        self._planned_epochs = epochs
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
            self._keep_completed_epochs(reuse)
            raise
        except BaseException:
            if not reuse:
                self._forget_fit()
            raise

    def _fit_steps(
        self, X, y, sample_weight, reuse, warm_start, epochs, initial_epoch, **kwargs
    ):
        self._check_params()
        X, y = self._validate_data(X, y, reset=not reuse)
        sample_weight = fit_sample_weight(
            X, y, sample_weight, getattr(self, "class_weight", None)
        )
        if sample_weight is not None:
            X, y, sample_weight = drop_zero_weights(X, y, sample_weight)
        if not reuse:
            self._check_n_classes(y)
        epochs = self._planned_epochs = self._resolve_epochs(epochs, len(X))
        # Everything above is plain NumPy: bad input never reaches TensorFlow.
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

    def _keep_completed_epochs(self, reuse):
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
            f"Training was interrupted after {n_done} of {self._planned_epochs} "
            "epochs; "
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

    def _fit_keras_model(
        self, X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
    ):
        fit_args = route_params(
            self.get_params(), destination="fit", pass_filter=self._fit_kwargs
        )
        fit_args.update(kwargs)
        logs = train(
            self.model_,
            X,
            y,
            sample_weight,
            fit_args={
                k: v for k, v in fit_args.items() if not k.startswith("callbacks")
            },
            callbacks=list(self._fit_callbacks)
            + self._training_callbacks(
                n_training_samples(len(X), fit_args.get("validation_split")), epochs
            ),
            seed=self._fit_seed,
            first_epoch=initial_epoch,
            epochs=epochs,
        )
        self._record_history(logs, restart=not warm_start or initial_epoch == 0)

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

    def _predict_raw(self, X):
        check_is_fitted(self)
        X, _ = self._validate_data(X)
        if self._predict_callbacks:
            # Callbacks need Keras's own predict loop.
            predict_args = route_params(
                self.get_params(),
                destination="predict",
                pass_filter=self._predict_kwargs,
                strict=True,
            )
            predict_args = {
                k: v for k, v in predict_args.items() if not k.startswith("callbacks")
            }
            predict_args["callbacks"] = self._predict_callbacks
            predict_args.setdefault("verbose", 0)
            return self.model_.predict(as_tensor(X), **predict_args)
        # The routed predict__batch_size, else the training batch size:
        # read directly, as get_params() costs more than a small prediction.
        batch_size = getattr(self, "predict__batch_size", None)
        batch_size = batch_size or getattr(self, "batch_size", None) or 32
        return self._inference_function(X, int(batch_size))

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
        return to_probabilities(self._predict_raw(X), len(self.classes_))

    def predict(self, X):
        """Predict class labels for ``X``: the most probable class of each.

        Parameters
        ----------
        X : array-like
            Images or pixel rows, as ``predict_proba`` takes them.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
