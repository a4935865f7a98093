"""The scikeras bridge: a scikit-learn classifier around a Keras network.

:class:`KerasImageClassifier` subclasses scikeras's ``BaseWrapper`` with
:class:`~sklearn.base.ClassifierMixin` on its left, so that scikit-learn sees
a classifier, and reuses scikeras's parameter routing, label encoder,
callback set-up and pickling of Keras models. The fit and predict flow is
its own (:mod:`skcnn._compat` lists what it overrides and why; the
development guide draws it): one :class:`~skcnn._engine.plan.FitPlan`
carries a fit through parameter checks, input validation, the build of the
network and training, and nothing of it is left on the estimator but the
fitted attributes.
"""

import warnings
from contextlib import nullcontext

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import BaseWrapper, route_params
from .._param_validation import check_hyperparameters
from .._validation import is_stream
from .checkpoints import open_checkpoint
from .data import as_tensor, n_training_samples, stream_batches
from .inference import InferenceFunction, to_probabilities
from .parameters import check_param_names, compile_kwargs, set_routed_params
from .pickling import pack_state, unpack_state
from .plan import FitPlan, draw_fit_seed
from .runtime import keras, released_step_gradients
from .training import drop_zero_weights, fit_sample_weight, train

# isort: split
from scikeras.utils import metric_name  # noqa: E402
from scikeras.utils.transformers import ClassifierLabelEncoder  # noqa: E402

__all__ = ["KerasImageClassifier"]


class KerasImageClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a Keras network, built on scikeras.

    Not for direct use. A subclass declares its hyperparameters in
    ``_hyperparameters`` (a dict of
    :class:`~skcnn._param_validation.Hyperparameter`; ``__init__`` and
    ``_parameter_constraints`` are made from it) and defines these hooks:

    ``_validate_data(X, y=None, reset=False)``
        Check the input and return images ``(n, h, w, c)`` and labels;
        with ``reset``, record what fit saw (``input_shape_``, ...).
    ``_build_network(input_shape, n_classes, seed)``
        The uncompiled Keras model of the built-in architecture, used when
        the ``model`` parameter is None.
    ``_get_compile_kwargs()``
        scikeras's hook: the ``Model.compile`` arguments (here, routed
        parameters applied by :func:`~skcnn._engine.parameters.compile_kwargs`).
    ``_planned_epochs(epochs, n_samples)``
        The number of epochs a fit on ``n_samples`` trains (``"auto"``).
    ``_training_callbacks(plan, n_samples)``
        The estimator's own Keras callbacks for a fit on ``n_samples``.
    ``_distribution_strategy()``
        A ``tf.distribute.Strategy`` to build the network under, or None.
    ``_train(X, y, plan, callbacks)``
        Train ``model_`` and return Keras's per-epoch logs; by default one
        :func:`~skcnn._engine.training.train` run.
    """

    _hyperparameters = {}

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
        # Stamped with the versions, the network packed (see pickling).
        state = pack_state(super().__getstate__())
        # A compiled function is process-local; it is rebuilt on loading.
        state.pop("_inference_function", None)
        return state

    def __setstate__(self, state):
        state = unpack_state(self, state)
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

    # -- hooks with defaults ---------------------------------------------

    def _check_params(self):
        """Validate every parameter; raise before TensorFlow is reached."""
        check_param_names(self)
        check_hyperparameters(
            self._hyperparameters, self.get_params(deep=False), type(self).__name__
        )

    def _get_compile_kwargs(self):
        """Arguments for ``Model.compile``, routed parameters applied."""
        return compile_kwargs(self.get_params(), self._compile_kwargs, {})

    def _planned_epochs(self, epochs, n_samples):
        """The number of epochs of a fit on ``n_samples``."""
        return epochs

    def _training_callbacks(self, plan, n_samples):
        """Callbacks of the estimator's own for a fit on ``n_samples``."""
        return []

    def _distribution_strategy(self):
        """A ``tf.distribute.Strategy`` to build the network under, or None."""
        return None

    def _train(self, X, y, plan, callbacks):
        """Train ``model_`` with the user's ``callbacks``; return the logs."""
        return train(self.model_, X, y, plan, callbacks=callbacks + plan.callbacks)

    # -- the fit ----------------------------------------------------------

    def _check_model_param(self):
        # scikeras's hook, used by its _build_keras_model for a user's model;
        # unlike scikeras's, it takes any callable (a class, a partial).
        model = self.model
        return (lambda: model) if isinstance(model, keras.Model) else model

    def _plan_fit(
        self,
        X,
        y,
        sample_weight,
        *,
        reuse,
        first_epoch,
        epochs,
        classes,
        partial,
        kwargs,
    ):
        """The :class:`FitPlan` of a fit on validated ``X`` and ``y``.

        Returns the plan and ``X``, ``y`` without the samples of weight zero.
        """
        fit_args = route_params(
            self.get_params(), destination="fit", pass_filter=self._fit_kwargs
        )
        fit_args.update(kwargs)
        plan = FitPlan(
            # One seed per fit: an int repeats, a RandomState advances by one draw.
            seed=draw_fit_seed(self.random_state),
            reuse=reuse,
            first_epoch=first_epoch,
            classes=classes,
            partial=partial,
            fit_args={k: v for k, v in fit_args.items() if k != "callbacks"},
        )
        plan.sample_weight = fit_sample_weight(X, y, sample_weight, self.class_weight)
        if plan.sample_weight is not None:
            X, y, plan.sample_weight = drop_zero_weights(X, y, plan.sample_weight)
        plan.epochs = self._planned_epochs(epochs, len(X))
        n_train = n_training_samples(len(X), plan.validation_fraction)
        plan.callbacks = self._training_callbacks(plan, n_train)
        return plan, X, y

    def _initialize(self, X, y, plan):
        """Encode the labels and build the network, as ``plan`` says."""
        categories = "auto" if plan.classes is None else [plan.classes]
        self.target_encoder_ = ClassifierLabelEncoder(
            loss=self.loss, categories=categories
        ).fit(y)
        vars(self).update(self.target_encoder_.get_metadata())
        self.classes_ = self.target_encoder_.classes_
        self._check_n_classes()
        # scikeras seeds Python, NumPy and TensorFlow globally while building
        # a user's model when this attribute of its is set; skcnn seeds each
        # layer instead (see plan).
        self._random_state = None
        strategy = self._distribution_strategy()
        with nullcontext() if strategy is None else strategy.scope():
            if self.model is None:
                self.model_ = self._build_network(
                    self.input_shape_, self.n_classes_, plan.network_seed
                )
            else:
                self.model_ = self._build_keras_model()
            self._ensure_compiled_model()
        # Traced on its first call; created here so that predicting does not
        # change the estimator's attributes.
        self._inference_function = InferenceFunction(self.model_, self.input_shape_)
        self._initialize_callbacks()

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
        X, y = self._validate_data(X, y, reset=True)
        self._initialize(X, y, FitPlan(seed=draw_fit_seed(self.random_state)))
        return self

    def _fit(
        self,
        X,
        y,
        sample_weight,
        warm_start,
        epochs,
        initial_epoch,
        classes=None,
        partial=False,
        **kwargs,
    ):
        reuse = bool((self.warm_start or warm_start) and self.initialized_)
        plan = None
        try:
            with released_step_gradients():
                self._check_params()
                X, y = self._validate_data(X, y, reset=not reuse)
                plan, X, y = self._plan_fit(
                    X,
                    y,
                    sample_weight,
                    reuse=reuse,
                    first_epoch=initial_epoch,
                    epochs=epochs,
                    classes=classes,
                    partial=partial,
                    kwargs=kwargs,
                )
                # Everything above is plain NumPy: bad input never reaches
                # TensorFlow.
                if reuse:
                    self._ensure_compiled_model()
                # Before the network is built: a fit resuming with
                # random_state=None takes the checkpoint's seed.
                plan.checkpoint = open_checkpoint(self, X, y, plan, reuse=reuse)
                if not reuse:
                    self._initialize(X, y, plan)
                if plan.checkpoint is not None:
                    plan.checkpoint.network = self.model_
                encoded = self.target_encoder_.transform(y)
                self._check_model_compatibility(encoded)
                logs = self._train(X, encoded, plan, list(self._fit_callbacks))
                self._record_history(logs, restart=not warm_start or initial_epoch == 0)
                if plan.checkpoint is not None:
                    plan.checkpoint.remove()
        except KeyboardInterrupt:
            self._keep_completed_epochs(reuse, plan)
            raise
        except BaseException:
            if not reuse:
                self._forget_fit()
            raise

    def _check_n_classes(self):
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                "the data (with non-zero sample weight), but the data contains "
                f"only one class: {self.classes_[0]!r}."
            )

    def _forget_fit(self):
        """Return to the unfitted state: drop every fitted attribute."""
        for name in [
            k for k in vars(self) if k.endswith("_") and not k.startswith("_")
        ]:
            delattr(self, name)

    def _keep_completed_epochs(self, reuse, plan):
        """After Ctrl-C: keep the epochs completed so far, or become unfitted."""
        model = getattr(self, "model_", None)
        completed = getattr(getattr(model, "history", None), "history", {})
        n_done = len(completed.get("loss", []))
        if n_done == 0 and not reuse:
            self._forget_fit()
            return
        if n_done:
            self._record_history(completed, restart=not reuse)
        planned = "?" if plan is None else plan.epochs
        kept = ""
        checkpoint = None if plan is None else plan.checkpoint
        if checkpoint is not None and checkpoint.folder.exists():
            kept = (
                f" Its checkpoint stays in {checkpoint.folder}: fit again with "
                "the same arguments to resume from it."
            )
        warnings.warn(
            f"Training was interrupted after {n_done} of {planned} epochs; "
            f"{type(self).__name__} keeps the weights reached so far.{kept}",
            UserWarning,
            stacklevel=3,
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
        self._fit(
            X,
            y,
            sample_weight=sample_weight,
            warm_start=True,
            epochs=1,
            initial_epoch=self.current_epoch,
            classes=None if classes is None else np.unique(classes),
            partial=True,
        )
        return self

    # -- predictions ------------------------------------------------------

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
            if is_stream(X):
                batch_size = predict_args.pop("batch_size", None) or 32
                return self.model_.predict(
                    stream_batches(X, batch_size), **predict_args
                )
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
