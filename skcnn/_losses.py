"""Cross-entropy on integer labels with label smoothing.

Keras's sparse categorical cross-entropy has no label smoothing, and its
categorical one needs one-hot targets (which scikeras's label encoder makes
for more than two classes only). This loss takes the integer labels skcnn
trains on, for any number of classes, and smooths them on the fly.
"""

from ._keras import keras

__all__ = ["SmoothedSparseCrossentropy"]


@keras.saving.register_keras_serializable(package="skcnn")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Categorical cross-entropy of integer labels, with label smoothing.

    Parameters
    ----------
    label_smoothing : float, default=0.1
        Probability spread evenly over all classes in each target.
    name : str, default="smoothed_sparse_crossentropy"
        Name of the loss.
    """

    def __init__(
        self, label_smoothing=0.1, name="smoothed_sparse_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        ops = keras.ops
        n_classes = ops.shape(y_pred)[-1]
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        one_hot = ops.one_hot(labels, n_classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}
