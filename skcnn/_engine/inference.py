"""The forward pass of a fitted network, compiled once per model.

``Model.predict`` builds a data pipeline and calls a traced function for
every call: milliseconds of fixed cost, most of the time of a one-image
prediction. Calling the model eagerly costs several milliseconds more. A
``tf.function`` with a fixed input signature (any batch size, float32
images of the fitted shape) is traced once and then answers one image in
about the time the network itself needs, with no retracing whatever the
batch size.
"""

import numpy as np

from .._validation import is_stream
from .runtime import tf

__all__ = ["InferenceFunction", "to_probabilities"]


class InferenceFunction:
    """Class probabilities from a Keras model, through one compiled function.

    Parameters
    ----------
    model : keras.Model
        The fitted network; it is held, not copied.
    input_shape : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    """

    def __init__(self, model, input_shape):
        signature = [tf.TensorSpec((None, *input_shape), tf.float32, name="images")]

        def forward(images):
            return model(images, training=False)

        self._forward = tf.function(forward, input_signature=signature, autograph=False)
        self._concrete = None

    def __call__(self, X, batch_size):
        """The network's outputs for images ``X``, ``batch_size`` at a time.

        ``X`` is an array of images or an
        :class:`~skcnn.preprocessing.ImageStream`, read one batch at a time.
        """
        if self._concrete is None:
            # Traced once; calling the concrete function skips the argument
            # matching of every tf.function call (a few hundred microseconds).
            self._concrete = self._forward.get_concrete_function()
        if is_stream(X):
            batches = X.batches(batch_size)
        else:
            batches = (X[i : i + batch_size] for i in range(0, len(X), batch_size))
        outputs = [
            self._concrete(tf.convert_to_tensor(np.asarray(batch, np.float32))).numpy()
            for batch in batches
        ]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)


def to_probabilities(raw, n_classes):
    """Rows of class probabilities (float64, summing to 1) from network outputs.

    A single sigmoid output of a two-class network becomes two columns.
    """
    raw = np.asarray(raw, dtype=np.float64)
    if raw.ndim == 1:
        raw = raw.reshape(-1, 1)
    if raw.shape[1] == 1 and n_classes == 2:
        raw = np.column_stack([1.0 - raw[:, 0], raw[:, 0]])
    if raw.shape[1] != n_classes:
        raise ValueError(
            f"The network returns {raw.shape[1]} outputs per sample, but "
            f"there are {n_classes} classes."
        )
    raw /= raw.sum(axis=1, keepdims=True)
    return raw
