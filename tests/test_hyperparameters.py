"""CNNClassifier's extra hyperparameter checks and the epochs rule."""

import pytest

from skcnn._hyperparameters import auto_epochs, check_distribute, check_filters


def test_auto_epochs_bounds():
    assert auto_epochs(1) == 60
    assert auto_epochs(4000) == 60
    assert auto_epochs(10000) == 24
    assert auto_epochs(60000) == 15


def test_check_filters_normalises_and_rejects():
    assert check_filters(8) == (8,)
    assert check_filters([4, 8]) == (4, 8)
    for bad in ((), (0,), (4, -1), (True,), (2.5,)):
        with pytest.raises(ValueError, match="filters must be"):
            check_filters(bad)
    for bad in ("16", None):
        with pytest.raises(TypeError, match="filters must be"):
            check_filters(bad)


def test_check_distribute():
    import tensorflow as tf

    check_distribute(None)
    check_distribute("mirrored")
    check_distribute(tf.distribute.OneDeviceStrategy("/cpu:0"))
    with pytest.raises(ValueError, match="distribute must be"):
        check_distribute("all")
