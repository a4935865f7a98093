"""The estimator's parameters on their way to Keras.

* Names: routed parameters (``<destination>__<name>``, scikeras's
  convention) are checked against what their destination accepts, so that a
  typo is reported before TensorFlow is reached instead of deep inside
  Keras, with a "did you mean" suggestion.
* Rules that need Keras to be stated: which optimizer names Keras knows.
* Compile arguments: strings and classes given as ``optimizer``, ``loss`` or
  ``metrics`` are resolved and instantiated with their routed arguments
  (``optimizer__beta_1``, ``loss__from_logits``, ``metrics__0__name``, ...)
  exactly as scikeras does.
* The ``epochs="auto"`` rule.
"""

import difflib
import inspect

from .._compat import (
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)
from .._param_validation import InvalidParameterError, Rule
from .runtime import keras

#: Prefixes of routed parameters (``<prefix>__<name>``) and where they go.
ROUTING_PREFIXES = (
    "model",
    "fit",
    "compile",
    "predict",
    "optimizer",
    "loss",
    "metrics",
    "callbacks",
    "score",
)

KERAS_SIGNATURES = {
    "fit": keras.Model.fit,
    "predict": keras.Model.predict,
    "compile": keras.Model.compile,
}


def suggest(name, candidates):
    """A ", did you mean X?" suffix, or an empty string."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def argument_names(func, *, open_ended=None):
    """Keyword names ``func`` accepts.

    When ``func`` also takes ``**kwargs``, return ``open_ended`` instead
    (None: any name may be accepted) unless it is False, which lists only the
    named arguments.
    """
    names = set()
    for param in inspect.signature(func).parameters.values():
        if param.kind == param.VAR_KEYWORD and open_ended is not False:
            return open_ended
        if param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            names.add(param.name)
    return names - {"self", "args", "kwargs"}


def optimizer_argument_names(optimizer_class):
    """Arguments of a Keras optimizer class, its base class's included."""
    names = set()
    for cls in inspect.getmro(optimizer_class):
        if "__init__" in vars(cls):
            names |= argument_names(cls.__init__, open_ended=False)
    return names


def known_optimizers():
    """Lower-case names of the optimizers Keras knows by string."""
    return sorted(
        name.lower()
        for name in dir(keras.optimizers)
        if isinstance(getattr(keras.optimizers, name), type)
        and issubclass(getattr(keras.optimizers, name), keras.optimizers.Optimizer)
        and name not in ("Optimizer", "LossScaleOptimizer", "MultiOptimizer")
    )


def own_parameter_names(estimator):
    """The names ``estimator``'s ``__init__`` declares (routed ones aside)."""
    return argument_names(type(estimator).__init__, open_ended=False)


def suggest_param(estimator, key):
    """Suggest the parameter a misspelled ``key`` probably meant."""
    if "__" in key:
        prefix, rest = key.split("__", 1)
        match = difflib.get_close_matches(prefix, ROUTING_PREFIXES, n=1)
        return f" Did you mean '{match[0]}__{rest}'?" if match else ""
    return suggest(key, own_parameter_names(estimator))


def unknown_parameter(estimator, key):
    """The error for a parameter name ``estimator`` does not take.

    The same from ``fit`` and from ``set_params``.
    """
    own = sorted(own_parameter_names(estimator))
    return InvalidParameterError(
        f"{type(estimator).__name__} got an unexpected parameter {key!r}."
        f"{suggest_param(estimator, key)} Valid parameters are its own "
        f"({', '.join(own)}) and routed ones, written <destination>__<name> "
        f"with destination one of {', '.join(ROUTING_PREFIXES)}."
    )


def check_param_names(estimator):
    """Reject unknown parameters and routed ones their destination refuses."""
    name = type(estimator).__name__
    own = own_parameter_names(estimator)
    for key in estimator.get_params(deep=False):
        if "__" not in key:
            if key not in own:
                raise unknown_parameter(estimator, key)
            continue
        prefix, rest = key.split("__", 1)
        if prefix not in ROUTING_PREFIXES:
            raise unknown_parameter(estimator, key)
        if "__" in rest or rest[:1].isdigit():
            continue  # nested routing (e.g. metrics__0__name): Keras checks it
        accepted = _routed_argument_names(estimator, prefix)
        if accepted is not None and rest not in accepted:
            match = difflib.get_close_matches(rest, sorted(accepted), n=1)
            hint = f" Did you mean '{prefix}__{match[0]}'?" if match else ""
            raise InvalidParameterError(
                f"Invalid parameter {key!r} for {name}: {rest!r} is not an "
                f"argument of its {prefix} destination.{hint}"
            )


def _routed_argument_names(estimator, prefix):
    """Names a routed destination accepts, or None when unknown."""
    if prefix in KERAS_SIGNATURES:
        accepted = argument_names(KERAS_SIGNATURES[prefix])
        return None if accepted is None else accepted - {"x", "y"}
    if prefix == "optimizer":
        optimizer = estimator.optimizer
        if isinstance(optimizer, str):
            optimizer = type(keras.optimizers.get(optimizer))
        if isinstance(optimizer, type):
            return optimizer_argument_names(optimizer)
    model = getattr(estimator, "model", None)
    if prefix == "model" and callable(model) and not isinstance(model, keras.Model):
        return argument_names(model)
    return None


def _is_usable_optimizer(optimizer):
    if isinstance(optimizer, str):
        try:
            keras.optimizers.get(optimizer)
        except ValueError:
            return False
        return True
    if isinstance(optimizer, type):
        return issubclass(optimizer, keras.optimizers.Optimizer)
    return isinstance(optimizer, keras.optimizers.Optimizer)


def _optimizer_hint(optimizer):
    if not isinstance(optimizer, str):
        return ""
    return suggest(optimizer.lower(), known_optimizers()).lstrip()


#: What the ``optimizer`` constraints (a str, a class or an Optimizer)
#: cannot say: the name must be one Keras knows, the class an Optimizer.
OPTIMIZER_RULE = Rule(
    _is_usable_optimizer,
    "the name of a Keras optimizer (adam, sgd, rmsprop, adamw, ...), or a "
    "keras.optimizers.Optimizer class or instance",
    hint=_optimizer_hint,
)


def set_routed_params(estimator, params):
    """``set_params`` that also takes routed names; typos get a suggestion."""
    valid = estimator.get_params(deep=False)
    for key, value in params.items():
        routed = "__" in key and key.split("__", 1)[0] in ROUTING_PREFIXES
        if not routed and key not in valid:
            raise unknown_parameter(estimator, key)
        setattr(estimator, key, value)
    return estimator


def compile_kwargs(params, compile_names, default_optimizer_params):
    """Arguments for ``Model.compile``, routed parameters applied.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``.
    compile_names : set of str
        Names ``Model.compile`` accepts.
    default_optimizer_params : dict
        Arguments for an optimizer given by name or class (such as the
        estimator's ``learning_rate``); routed ``optimizer__*`` parameters
        take precedence.

    Returns
    -------
    kwargs : dict
        ``optimizer``, ``loss`` (sparse categorical cross-entropy by
        default), ``metrics`` (accuracy by default) and any routed
        ``compile__*`` argument.
    """
    kwargs = route_params(params, destination="compile", pass_filter=compile_names)
    optimizer = try_to_convert_strings_to_classes(
        kwargs["optimizer"], get_optimizer_class
    )
    optimizer_params = route_params(
        params, destination="optimizer", pass_filter=set(), strict=False
    )
    if isinstance(optimizer, type):
        optimizer_params = {**default_optimizer_params, **optimizer_params}
    kwargs["optimizer"] = unflatten_params(items=optimizer, params=optimizer_params)
    loss = kwargs.get("loss")
    if loss is None:
        loss = "sparse_categorical_crossentropy"
    loss = try_to_convert_strings_to_classes(loss, get_loss_class_function_or_string)
    kwargs["loss"] = unflatten_params(
        items=loss,
        params=route_params(params, destination="loss", pass_filter=set()),
    )
    metrics = kwargs.get("metrics")
    if metrics is None:
        kwargs["metrics"] = ["accuracy"]
        return kwargs
    metrics = try_to_convert_strings_to_classes(metrics, get_metric_class)
    metrics = unflatten_params(
        items=metrics,
        params=route_params(params, destination="metrics", pass_filter=set()),
    )
    if not isinstance(metrics, (dict, list)):
        metrics = list(metrics) if isinstance(metrics, tuple) else [metrics]
    kwargs["metrics"] = metrics
    return kwargs


# "auto" epochs: about this many images shown in all, within these bounds.
_AUTO_EPOCH_IMAGES = 240_000
_AUTO_EPOCH_RANGE = (15, 60)
# The head on a frozen backbone has few weights and converges sooner.
_AUTO_HEAD_EPOCH_IMAGES = 30_000
_AUTO_HEAD_EPOCH_RANGE = (10, 30)


def auto_head_epochs(n_samples):
    """Epochs of a head on a frozen backbone: about 30,000 images, from 10 to 30."""
    low, high = _AUTO_HEAD_EPOCH_RANGE
    return int(min(high, max(low, round(_AUTO_HEAD_EPOCH_IMAGES / max(n_samples, 1)))))


def auto_epochs(n_samples):
    """Epochs that show the network about 240,000 images, from 15 to 60."""
    low, high = _AUTO_EPOCH_RANGE
    return int(min(high, max(low, round(_AUTO_EPOCH_IMAGES / max(n_samples, 1)))))
