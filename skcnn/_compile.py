"""Arguments for ``Model.compile`` from an estimator's routed parameters.

Strings and classes given as ``optimizer``, ``loss`` or ``metrics`` are
resolved and instantiated with their routed arguments
(``optimizer__beta_1``, ``loss__from_logits``, ``metrics__0__name``, ...)
exactly as scikeras does.
"""

from ._compat import (
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)

__all__ = ["compile_kwargs"]


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
