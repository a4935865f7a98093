"""Predict latency (one image) and throughput (many images) of several routes.

The default network, trained for one epoch, is asked for predictions by
calling the Keras model directly (eagerly, and compiled once in a
``tf.function`` with a fixed input signature, the reference skcnn's own
compiled path is held against), through ``Model.predict``, through a plain
scikeras ``KerasClassifier`` holding the same architecture, and through
skcnn's ``predict`` and ``predict_proba``. Latency is the median over many
calls after a warm-up call, the compiled call and skcnn's two taken in turn
(one of each per round) since they are compared; throughput the median of
three calls on a batch.
"""

import numpy as np

from benchmarks._common import (
    interleaved_median_ms,
    median_ms,
    mnist_images,
    standalone,
)

FULL = {"train_images": 2000, "throughput_images": 10000, "latency_repeats": 200}
QUICK = {"train_images": 500, "throughput_images": 500, "latency_repeats": 5}


def run(quick):
    """Milliseconds per one-image call and images/s on a batch, per route."""
    from scikeras.wrappers import KerasClassifier

    from skcnn import CNNClassifier
    from skcnn.architectures import build_cnn

    cfg = QUICK if quick else FULL
    n_train = cfg["train_images"]
    X, y = mnist_images(max(cfg["throughput_images"], n_train))
    images = (X.reshape(-1, 28, 28, 1) / 255).astype(np.float32)
    train = images[:n_train], y[:n_train]
    ours = CNNClassifier(epochs=1, random_state=0).fit(*train)

    def build(meta):
        model = build_cnn(meta["X_shape_"][1:], meta["n_classes_"])
        model.compile("adam", "sparse_categorical_crossentropy")
        return model

    scikeras = KerasClassifier(
        model=build, epochs=1, batch_size=128, verbose=0, random_state=0
    ).fit(*train)
    import tensorflow as tf

    model = ours.model_
    compiled = tf.function(
        lambda x: model(x, training=False),
        input_signature=[tf.TensorSpec((None, 28, 28, 1), tf.float32)],
    )
    one = images[:1]
    many = images[: cfg["throughput_images"]]
    reps = cfg["latency_repeats"]
    latency = {
        "model_call": median_ms(lambda: model(one, training=False), reps),
        "keras_predict": median_ms(lambda: model.predict(one, verbose=0), reps),
        "scikeras_predict": median_ms(lambda: scikeras.predict(one), reps),
    }
    # The compiled call and skcnn's calls are compared: taken in turn.
    latency |= interleaved_median_ms(
        {
            "compiled_call": lambda: compiled(one).numpy(),
            "skcnn_predict": lambda: ours.predict(one),
            "skcnn_predict_proba": lambda: ours.predict_proba(one),
        },
        reps,
    )
    batch = {
        "keras_predict": median_ms(lambda: model.predict(many, verbose=0), 3),
        "scikeras_predict": median_ms(lambda: scikeras.predict(many), 3),
        "skcnn_predict": median_ms(lambda: ours.predict(many), 3),
    }
    images_per_s = {k: len(many) / (v / 1000) for k, v in batch.items()}
    return {
        "latency_ms_one_image": latency,
        "speedup_vs_scikeras": latency["scikeras_predict"] / latency["skcnn_predict"],
        "ratio_skcnn_to_compiled_call": (
            latency["skcnn_predict"] / latency["compiled_call"]
        ),
        "throughput_images": len(many),
        "images_per_second": images_per_s,
        "batched_ratio_skcnn_to_keras": batch["skcnn_predict"] / batch["keras_predict"],
    }


if __name__ == "__main__":
    standalone(run, __doc__)
