"""Checks of estimator parameter names, with "did you mean" suggestions.

Routed parameters (``<destination>__<name>``, scikeras's convention) are
checked against what their destination accepts, so that a typo is reported
before TensorFlow is reached instead of deep inside Keras.
"""

import difflib
import inspect

from ._keras import keras

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


def suggest_param(estimator, key):
    """Suggest the parameter a misspelled ``key`` probably meant."""
    if "__" in key:
        prefix, rest = key.split("__", 1)
        match = difflib.get_close_matches(prefix, ROUTING_PREFIXES, n=1)
        return f" Did you mean '{match[0]}__{rest}'?" if match else ""
    own = [k for k in estimator.get_params(deep=False) if "__" not in k]
    return suggest(key, own)


def check_param_names(estimator):
    """Reject unknown parameters and routed ones their destination refuses."""
    name = type(estimator).__name__
    own = argument_names(type(estimator).__init__, open_ended=False)
    for key in estimator.get_params(deep=False):
        if "__" not in key:
            if key not in own:
                raise TypeError(
                    f"{name} got an unexpected parameter {key!r}."
                    f"{suggest(key, own)} Routed parameters are written "
                    "<destination>__<name>, with destination one of "
                    f"{', '.join(ROUTING_PREFIXES)}."
                )
            continue
        prefix, rest = key.split("__", 1)
        if prefix not in ROUTING_PREFIXES:
            raise ValueError(
                f"Invalid parameter {key!r} for {name}: {prefix!r} is not a "
                f"routing prefix (one of {', '.join(ROUTING_PREFIXES)})."
                f"{suggest_param(estimator, key)}"
            )
        if "__" in rest or rest[:1].isdigit():
            continue  # nested routing (e.g. metrics__0__name): Keras checks it
        accepted = _routed_argument_names(estimator, prefix)
        if accepted is not None and rest not in accepted:
            match = difflib.get_close_matches(rest, sorted(accepted), n=1)
            hint = f" Did you mean '{prefix}__{match[0]}'?" if match else ""
            raise ValueError(
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


def check_optimizer(optimizer, owner):
    """Raise a clear error unless ``optimizer`` is one Keras can use."""
    if isinstance(optimizer, str):
        try:
            keras.optimizers.get(optimizer)
        except ValueError:
            raise ValueError(
                f"Unknown optimizer {optimizer!r} for {owner}."
                f"{suggest(optimizer.lower(), known_optimizers())} Known "
                f"optimizers: {', '.join(known_optimizers())}; a "
                "keras.optimizers.Optimizer class or instance works too."
            ) from None
    elif not (
        isinstance(optimizer, keras.optimizers.Optimizer)
        or (
            isinstance(optimizer, type)
            and issubclass(optimizer, keras.optimizers.Optimizer)
        )
    ):
        raise TypeError(
            "optimizer must be a string, or a keras.optimizers.Optimizer "
            f"class or instance, got {optimizer!r}."
        )


def set_routed_params(estimator, params):
    """``set_params`` that also takes routed names; typos get a suggestion."""
    valid = estimator.get_params(deep=False)
    for key, value in params.items():
        routed = "__" in key and key.split("__", 1)[0] in ROUTING_PREFIXES
        if not routed and key not in valid:
            raise ValueError(
                f"Invalid parameter {key!r} for estimator "
                f"{type(estimator).__name__}.{suggest_param(estimator, key)} "
                "Valid parameters are the estimator's own "
                f"({', '.join(sorted(k for k in valid if '__' not in k))}) "
                f"and routed ones, prefixed with one of "
                f"{', '.join(p + '__' for p in ROUTING_PREFIXES)}."
            )
        setattr(estimator, key, value)
    return estimator
