"""Model.compile arguments from routed parameters."""

import keras
import pytest

from skcnn._compile import compile_kwargs
from tests._helpers import small_cnn

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
