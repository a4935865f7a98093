"""One Keras training run on validated arrays."""

import numpy as np

from skcnn._training import train
from skcnn.architectures import build_cnn


def _model():
    model = build_cnn((8, 8, 1), 10, filters=(4,), dense_units=0, seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_validation_split_and_epochs_from_fit_args(digits_scaled):
    X, y = digits_scaled
    logs = train(
        _model(),
        X.reshape(-1, 8, 8, 1),
        y,
        None,
        fit_args={"batch_size": 64, "validation_split": 0.2, "verbose": 0},
        callbacks=[],
        seed=0,
        first_epoch=0,
        epochs=2,
    )
    assert len(logs["loss"]) == len(logs["val_loss"]) == 2


def test_same_seed_same_weights(digits_scaled):
    X, y = digits_scaled

    def weights(seed):
        model = _model()
        train(
            model,
            X.reshape(-1, 8, 8, 1),
            y,
            np.ones(len(y), np.float32),
            fit_args={"batch_size": 32, "verbose": 0, "epochs": 99},
            callbacks=[],
            seed=seed,
            first_epoch=0,
            epochs=1,
        )
        return model.get_weights()[0]

    np.testing.assert_array_equal(weights(1), weights(1))
    assert not np.array_equal(weights(1), weights(2))
