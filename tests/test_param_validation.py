"""Hyperparameters declared once, and the one error type for bad ones."""

import inspect
import numbers

import pytest
from sklearn.base import BaseEstimator, clone

from skcnn._compat import Interval, StrOptions
from skcnn._param_validation import (
    Hyperparameter,
    InvalidParameterError,
    Rule,
    check_hyperparameters,
    invalid_parameter,
    is_positive_int,
    keyword_init,
    parameter_constraints,
)
from tests._helpers import imports_tensorflow

DECLARATIONS = {
    "size": Hyperparameter(3, [Interval(numbers.Integral, 1, None, closed="left")]),
    "mode": Hyperparameter("fast", [StrOptions({"fast", "slow"})]),
    "sizes": Hyperparameter(
        (1, 2),
        [tuple, list],
        Rule(
            lambda v: len(v) > 0 and all(is_positive_int(s) for s in v),
            "a non-empty tuple of positive ints",
            hint=lambda v: "Give at least one size." if not v else "",
        ),
    ),
}


class Toy(BaseEstimator):
    __init__ = keyword_init(DECLARATIONS, routed=False)


class RoutedToy(BaseEstimator):
    __init__ = keyword_init(DECLARATIONS)


def test_the_signature_lists_every_declaration_with_its_default():
    parameters = inspect.signature(Toy).parameters
    assert list(parameters) == ["size", "mode", "sizes"]
    assert {k: p.default for k, p in parameters.items()} == {
        "size": 3,
        "mode": "fast",
        "sizes": (1, 2),
    }
    assert "kwargs" in inspect.signature(RoutedToy).parameters


def test_init_stores_given_values_and_defaults_and_sklearn_reads_them():
    toy = Toy(5, sizes=[4])
    assert (toy.size, toy.mode, toy.sizes) == (5, "fast", [4])
    assert toy.get_params() == {"size": 5, "mode": "fast", "sizes": [4]}
    assert repr(toy) == "Toy(size=5, sizes=[4])"  # only what differs from defaults
    assert clone(toy).get_params() == toy.get_params()


def test_init_refuses_what_its_signature_refuses():
    with pytest.raises(TypeError):
        Toy(1, "slow", (1,), "extra")
    with pytest.raises(TypeError):
        Toy(size=1, unknown=2)
    with pytest.raises(TypeError):
        Toy(1, size=2)


def test_routed_keywords_are_stored_as_given():
    toy = RoutedToy(optimizer__beta_1=0.5)
    assert toy.optimizer__beta_1 == 0.5 and toy.size == 3


def test_parameter_constraints_come_from_the_declarations():
    constraints = parameter_constraints(DECLARATIONS)
    assert set(constraints) == set(DECLARATIONS)
    assert constraints["mode"] is DECLARATIONS["mode"].constraints


@pytest.mark.parametrize(
    "params, message",
    [
        ({"size": 0}, r"The 'size' parameter of Toy must be an int in the range"),
        ({"mode": "warp"}, r"The 'mode' parameter of Toy must be a str among"),
        ({"sizes": (0,)}, r"'sizes' parameter of Toy must be a non-empty tuple"),
        ({"sizes": "12"}, r"must be a non-empty tuple of positive ints. Got '12'"),
        ({"sizes": ()}, r"Got \(\) instead\. Give at least one size\.$"),
    ],
)
def test_bad_values_raise_one_error_type_naming_class_parameter_and_value(
    params, message
):
    with pytest.raises(InvalidParameterError, match=message) as raised:
        check_hyperparameters(DECLARATIONS, params, "Toy")
    # Both of the error types an older except clause may name.
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, TypeError)


def test_valid_values_and_undeclared_names_pass():
    check_hyperparameters(
        DECLARATIONS, {"size": 2, "mode": "slow", "sizes": [3], "other": -1}, "Toy"
    )


def test_invalid_parameter_wording():
    error = invalid_parameter("n", "Owner", "a positive int", -1, "Try 1.")
    assert str(error) == (
        "The 'n' parameter of Owner must be a positive int. Got -1 instead. Try 1."
    )


@pytest.mark.parametrize("value", [1, 7, 2**40])
def test_is_positive_int_accepts(value):
    assert is_positive_int(value)


@pytest.mark.parametrize("value", [0, -1, True, 2.0, "3", None])
def test_is_positive_int_refuses(value):
    assert not is_positive_int(value)


@pytest.mark.slow
def test_the_module_needs_no_tensorflow():
    assert not imports_tensorflow("import skcnn._param_validation")
