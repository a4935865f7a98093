"""Parameter-name checks and "did you mean" suggestions."""

import keras
import pytest

from skcnn._params import (
    argument_names,
    check_optimizer,
    check_param_names,
    known_optimizers,
    optimizer_argument_names,
    suggest,
    suggest_param,
)
from tests._helpers import small_cnn


def test_suggest_finds_a_close_name_or_nothing():
    assert suggest("epoch", ["epochs", "filters"]) == " Did you mean 'epochs'?"
    assert suggest("zzz", ["epochs", "filters"]) == ""


def test_argument_names_of_open_and_closed_signatures():
    def closed(a, b=1, *, c=2):
        pass

    def open_ended(a, **kwargs):
        pass

    assert argument_names(closed) == {"a", "b", "c"}
    assert argument_names(open_ended) is None
    assert argument_names(open_ended, open_ended=False) == {"a"}


def test_optimizer_arguments_include_the_base_class():
    names = optimizer_argument_names(keras.optimizers.Adam)
    assert {"beta_1", "learning_rate", "clipnorm"} <= names


def test_known_optimizers_are_lower_case_names():
    names = known_optimizers()
    assert "adam" in names and "sgd" in names
    assert "optimizer" not in names and "lossscaleoptimizer" not in names


def test_suggest_param_for_own_and_routed_names():
    clf = small_cnn()
    assert "epochs" in suggest_param(clf, "epoch")
    assert "optimizer__beta_1" in suggest_param(clf, "optimiser__beta_1")


def test_routed_name_its_destination_refuses():
    with pytest.raises(ValueError, match="Did you mean 'fit__shuffle'"):
        check_param_names(small_cnn(fit__shufle=False))
    check_param_names(small_cnn(fit__shuffle=False, optimizer__beta_1=0.5))


def test_check_optimizer_accepts_names_classes_instances():
    for optimizer in ("adam", keras.optimizers.SGD, keras.optimizers.Adam()):
        check_optimizer(optimizer, "X")
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        check_optimizer("adamm", "X")
    with pytest.raises(TypeError, match="optimizer must be"):
        check_optimizer(3, "X")
