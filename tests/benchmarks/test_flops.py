"""FLOP counts of Keras networks, checked against counts by hand."""

import keras

from benchmarks import _flops


def test_tutorial_network_forward_flops_by_hand():
    from skcnn.architectures import build_tutorial_mnist_cnn

    total, by_layer = _flops.forward_flops(build_tutorial_mnist_cnn())
    expected = [
        2 * 26 * 26 * 3 * 3 * 1 * 32,  # conv 32, valid padding
        2 * 11 * 11 * 3 * 3 * 32 * 64,  # conv 64 after pooling to 13x13
        2 * 5 * 5 * 64 * 128,  # dense 128 after pooling to 5x5
        2 * 128 * 10,
    ]
    assert list(by_layer.values()) == expected
    assert total == sum(expected) == 5_262_080
    assert _flops.training_flops(build_tutorial_mnist_cnn()) == 3 * total


def test_grouped_and_nested_layers_are_counted():
    inner = keras.Sequential(
        [keras.Input((6, 6, 4)), keras.layers.Conv2D(8, 3, groups=2, name="g")]
    )
    inputs = keras.Input((6, 6, 4))
    x = keras.layers.MaxPooling2D(1)(inner(inputs))
    outputs = keras.layers.Dense(3, name="d")(x)  # on a 4-D tensor
    total, by_layer = _flops.forward_flops(keras.Model(inputs, outputs))
    assert by_layer == {"g": 2 * 4 * 4 * 3 * 3 * 2 * 8, "d": 2 * 4 * 4 * 8 * 3}
    assert total == sum(by_layer.values())


def test_peak_reports_a_positive_rate():
    peak = _flops.peak_gflops(quick=True)
    assert peak["gflops"] > 0
    assert peak["matrix_size"] in (1024, 8192)
