"""Parameter names and "did you mean", the optimizer rule, compile arguments
from routed parameters and the epochs rule.
"""

import keras
import pytest

from skcnn._engine.parameters import (
    OPTIMIZER_RULE,
    argument_names,
    auto_epochs,
    check_param_names,
    compile_kwargs,
    known_optimizers,
    optimizer_argument_names,
    suggest,
    suggest_param,
)
from skcnn._param_validation import InvalidParameterError
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


def test_optimizer_rule_accepts_names_classes_instances():
    for optimizer in ("adam", "Adam", keras.optimizers.SGD, keras.optimizers.Adam()):
        OPTIMIZER_RULE.check("optimizer", optimizer, "X")
    with pytest.raises(InvalidParameterError, match="Did you mean 'adam'"):
        OPTIMIZER_RULE.check("optimizer", "adamm", "X")
    with pytest.raises(InvalidParameterError, match="The 'optimizer' parameter of X"):
        OPTIMIZER_RULE.check("optimizer", int, "X")


def test_unknown_names_get_one_error_type_and_wording_from_fit_and_set_params():
    clf = small_cnn(fitlers=(4,))
    with pytest.raises(InvalidParameterError) as from_fit:
        check_param_names(clf)
    with pytest.raises(InvalidParameterError) as from_set_params:
        small_cnn().set_params(fitlers=(4,))
    assert str(from_fit.value) == str(from_set_params.value)
    assert "CNNClassifier got an unexpected parameter 'fitlers'. Did you mean " in (
        str(from_fit.value)
    )
    assert "'filters'?" in str(from_fit.value)
    # The misspelled name is not offered as one of the valid ones.
    assert "fitlers," not in str(from_fit.value).split("Valid parameters")[1]


def test_unknown_routing_prefix_suggests_the_prefix():
    with pytest.raises(InvalidParameterError, match="Did you mean 'optimizer__beta_1'"):
        check_param_names(small_cnn(optimiser__beta_1=0.5))


COMPILE = {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics"}


def _kwargs(**params):
    clf = small_cnn(**params)
    return compile_kwargs(clf.get_params(), COMPILE, {"learning_rate": 0.5})


def test_defaults_loss_and_accuracy():
    kwargs = _kwargs()
    assert isinstance(kwargs["optimizer"], keras.optimizers.Adam)
    assert float(kwargs["optimizer"].learning_rate) == pytest.approx(0.5)
    assert kwargs["loss"] is keras.losses.sparse_categorical_crossentropy
    assert kwargs["metrics"] == ["accuracy"]


def test_routed_optimizer_arguments_take_precedence():
    kwargs = _kwargs(
        optimizer="sgd", optimizer__learning_rate=0.1, optimizer__momentum=0.9
    )
    assert isinstance(kwargs["optimizer"], keras.optimizers.SGD)
    assert float(kwargs["optimizer"].learning_rate) == pytest.approx(0.1)
    assert float(kwargs["optimizer"].momentum) == pytest.approx(0.9)


def test_optimizer_instance_is_used_as_given():
    optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
    assert _kwargs(optimizer=optimizer)["optimizer"] is optimizer


def test_metrics_and_loss_by_name_are_resolved():
    kwargs = _kwargs(metrics=["accuracy"], loss="categorical_crossentropy")
    assert kwargs["loss"] is keras.losses.categorical_crossentropy
    assert kwargs["metrics"] == ["accuracy"]


def test_auto_epochs_bounds():
    assert auto_epochs(1) == 60
    assert auto_epochs(4000) == 60
    assert auto_epochs(10000) == 24
    assert auto_epochs(60000) == 15
