"""The scikeras bridge as such: a classifier to scikit-learn, one plan per fit."""

import re

import numpy as np
import pytest
from sklearn.base import ClassifierMixin, is_classifier
from sklearn.utils import get_tags

from skcnn import CNNClassifier
from skcnn._compat import BaseWrapper
from skcnn._engine import bridge
from skcnn._engine.bridge import KerasImageClassifier
from skcnn._engine.parameters import auto_epochs
from skcnn._engine.plan import FitPlan, derive_seed
from skcnn._engine.training import OneCycleSchedule
from tests._helpers import small_cnn


@pytest.fixture
def plans(monkeypatch):
    """The plans handed to training, each fit's; training itself still runs."""
    seen = []
    train = bridge.train

    def spy(model, X, y, plan, callbacks):
        seen.append((plan, len(X), callbacks))
        return train(model, X, y, plan, callbacks)

    monkeypatch.setattr(bridge, "train", spy)
    return seen


def test_scikit_learn_sees_a_classifier():
    mro = KerasImageClassifier.__mro__
    assert mro.index(ClassifierMixin) < mro.index(BaseWrapper)
    clf = CNNClassifier()
    assert is_classifier(clf)
    tags = get_tags(clf)
    assert tags.estimator_type == "classifier"
    assert tags.input_tags.sparse is False and tags.target_tags.required is True
    assert tags.non_deterministic is True
    assert get_tags(CNNClassifier(random_state=0)).non_deterministic is False


def test_every_documented_hook_exists():
    hooks = re.findall(r"^    ``(_\w+)\(", KerasImageClassifier.__doc__, re.M)
    assert len(hooks) >= 5
    for hook in hooks:
        assert callable(getattr(KerasImageClassifier, hook, None)) or hook in vars(
            CNNClassifier
        ), hook


def test_one_plan_carries_the_fit(plans, digits_scaled):
    X, y = digits_scaled
    weights = np.ones(len(y))
    weights[:10] = 0.0  # dropped before training
    clf = small_cnn(epochs="auto", class_weight="balanced", random_state=5)
    clf.fit(X, y, sample_weight=weights)
    ((plan, n_trained, callbacks),) = plans
    assert isinstance(plan, FitPlan)
    assert plan.seed == 5 and plan.network_seed == derive_seed(5, "network")
    assert n_trained == len(y) - 10
    assert plan.epochs == auto_epochs(len(y) - 10) == len(clf.history_["loss"])
    assert plan.sample_weight.shape == (len(y) - 10,)
    assert not np.allclose(plan.sample_weight, 1.0)  # class weights applied
    assert plan.batch_size == 32 and plan.reuse is False and plan.first_epoch == 0
    assert any(isinstance(c, OneCycleSchedule) for c in callbacks)
    assert all(c in callbacks for c in plan.callbacks)


def test_partial_fit_plans_continue_and_know_every_class(plans, digits_scaled):
    X, y = digits_scaled
    clf = small_cnn()
    some = y < 5
    clf.partial_fit(X[some], y[some], classes=np.arange(10))
    clf.partial_fit(X[~some], y[~some])
    first, second = plans[0][0], plans[1][0]
    np.testing.assert_array_equal(first.classes, np.arange(10))
    np.testing.assert_array_equal(clf.classes_, np.arange(10))
    assert (first.reuse, first.first_epoch, first.epochs) == (False, 0, 1)
    assert (second.reuse, second.first_epoch) == (True, 1)
    assert len(clf.history_["loss"]) == 2


def test_no_per_fit_state_is_left_on_the_estimator(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1)
    before = set(vars(clf))
    clf.fit(X, y)
    added_private = {k for k in set(vars(clf)) - before if k.startswith("_")}
    # The compiled predict function, and scikeras's own records.
    assert added_private <= {
        "_inference_function",
        "_random_state",
        "_fit_callbacks",
        "_predict_callbacks",
        "_score_callbacks",
    }, added_private


def test_a_user_model_function_gets_scikeras_meta(digits_scaled):
    from skcnn.architectures import build_cnn

    seen = {}

    def make_model(meta, compile_kwargs):
        seen.update(meta)
        model = build_cnn(meta["input_shape_"], meta["n_classes_"], filters=(4,))
        model.compile(**compile_kwargs)
        return model

    X, y = digits_scaled
    clf = CNNClassifier(model=make_model, epochs=1, random_state=0).fit(X, y)
    assert seen["input_shape_"] == (8, 8, 1) and seen["n_classes_"] == 10
    assert clf.model_.get_layer("conv1").filters == 4
    assert clf.predict(X[:3]).shape == (3,)


def test_a_failed_fit_leaves_no_fitted_attribute(digits_scaled):
    X, y = digits_scaled
    clf = small_cnn(epochs=1)
    with pytest.raises(ValueError, match="only one class"):
        clf.fit(X, np.zeros_like(y))
    assert not [k for k in vars(clf) if k.endswith("_") and not k.startswith("_")]
