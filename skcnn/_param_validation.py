"""Hyperparameters declared once, and one error type for bad ones (no TensorFlow).

An estimator declares each hyperparameter once, as a :class:`Hyperparameter`:
its default, scikit-learn's constraints on it and, where those cannot express
the rule, a :class:`Rule`. From the declarations come the estimator's
``__init__`` (:func:`keyword_init`), its ``_parameter_constraints``
(:func:`parameter_constraints`) and the checks at fit
(:func:`check_hyperparameters`). Every bad value raises scikit-learn's
:class:`InvalidParameterError` (a ``ValueError`` and a ``TypeError``) with
scikit-learn's wording: the parameter, the class and the value given.
"""

import inspect
import numbers
from dataclasses import dataclass, field

from ._compat import InvalidParameterError, validate_parameter_constraints

__all__ = [
    "Hyperparameter",
    "InvalidParameterError",
    "Rule",
    "check_hyperparameters",
    "invalid_parameter",
    "is_positive_int",
    "keyword_init",
    "parameter_constraints",
]


def invalid_parameter(name, owner, expected, value, hint=""):
    """The :class:`InvalidParameterError` for ``value`` of parameter ``name``.

    Worded as scikit-learn words its own: "The 'name' parameter of Owner
    must be <expected>. Got <value> instead.", then ``hint`` if any.
    """
    message = f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} "
    message += "instead." + (f" {hint}" if hint else "")
    return InvalidParameterError(message)


def is_positive_int(value):
    """Whether ``value`` is an integer (not a bool) of at least 1."""
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, bool)
        and value >= 1
    )


@dataclass(frozen=True)
class Rule:
    """A condition on a hyperparameter that scikit-learn's constraints cannot express.

    Parameters
    ----------
    test : callable
        ``test(value) -> bool``: whether ``value`` is valid.
    expected : str
        What a valid value is, completing "The 'x' parameter of Y must be ...".
    hint : callable, default=None
        ``hint(value) -> str``: advice appended to the message (such as a
        "Did you mean" suggestion), or None.
    """

    test: object
    expected: str
    hint: object = None

    def check(self, name, value, owner):
        """Raise :class:`InvalidParameterError` unless ``value`` passes."""
        if not self.test(value):
            hint = self.hint(value) if self.hint is not None else ""
            raise invalid_parameter(name, owner, self.expected, value, hint)


@dataclass(frozen=True)
class Hyperparameter:
    """One hyperparameter: its default and what values it takes.

    Parameters
    ----------
    default : object
        The default value, immutable (scikit-learn's ``clone`` shares it).
    constraints : list or "no_validation"
        scikit-learn's constraints (``Interval``, ``StrOptions``, types,
        ``"boolean"``, ``None``, ...): a value is valid if it meets one.
    rule : Rule, default=None
        The whole condition, where the constraints can state only the types
        (a tuple, but of positive ints): it is checked instead of them, and
        its wording says what a valid value is. It accepts no value the
        constraints refuse.
    """

    default: object
    constraints: object
    rule: Rule = field(default=None)


def parameter_constraints(declarations):
    """``_parameter_constraints`` for scikit-learn, from the declarations."""
    return {name: spec.constraints for name, spec in declarations.items()}


def check_hyperparameters(declarations, params, owner):
    """Validate ``params`` against ``declarations``; raise for the first bad one.

    Parameters
    ----------
    declarations : dict of str to Hyperparameter
        The estimator's declared hyperparameters.
    params : dict
        Values to check, by name; names without a declaration are ignored.
    owner : str
        The class name used in messages.
    """
    for name, value in params.items():
        spec = declarations.get(name)
        if spec is None:
            continue
        if spec.rule is not None:
            spec.rule.check(name, value, owner)
        else:
            validate_parameter_constraints(
                {name: spec.constraints}, {name: value}, caller_name=owner
            )


def keyword_init(declarations, *, routed=True):
    """An ``__init__`` that stores the declared hyperparameters as attributes.

    Its signature lists every declaration with its default, as scikit-learn
    reads it (``get_params``, ``clone``, ``repr``, the docs); with ``routed``
    it also takes ``**kwargs`` (routed parameters such as
    ``optimizer__beta_1``), stored as given.

    Parameters
    ----------
    declarations : dict of str to Hyperparameter
        The hyperparameters, in the order of the signature.
    routed : bool, default=True
        Whether the signature ends in ``**kwargs``.

    Returns
    -------
    __init__ : function
        To be assigned as the class's ``__init__``.
    """
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
    parameters += [
        inspect.Parameter(
            name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=spec.default
        )
        for name, spec in declarations.items()
    ]
    if routed:
        parameters.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    signature = inspect.Signature(parameters)

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            if name == "kwargs":
                for key, routed_value in value.items():
                    setattr(self, key, routed_value)
            elif name != "self":
                setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__
