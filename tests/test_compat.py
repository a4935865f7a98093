"""The compatibility module: private imports and the scikeras patch."""

import pytest

from tests._helpers import imports_tensorflow


def test_scikeras_names_resolve_and_unknown_names_fail():
    from skcnn import _compat

    assert _compat.BaseWrapper.__name__ == "BaseWrapper"
    assert callable(_compat.route_params)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _compat.nothing  # noqa: B018


def test_base_wrapper_has_modern_tags():
    from skcnn import _compat

    assert "__sklearn_tags__" in vars(_compat.BaseWrapper)


@pytest.mark.slow
def test_scikit_learn_part_does_not_import_tensorflow():
    assert not imports_tensorflow(
        "from skcnn._compat import Interval, _check_sample_weight"
    )
    # The check itself can fail: the bridge does import TensorFlow.
    assert imports_tensorflow("import skcnn._engine.bridge")


def test_gradient_registry_is_a_dict():
    from skcnn._compat import gradient_registry

    assert isinstance(gradient_registry(), dict)
