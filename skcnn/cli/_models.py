"""The models the subcommands train: the CNN pipeline and the baselines."""

import time

BASELINES = {
    "logreg": "LogisticRegression",
    "rf": "RandomForestClassifier",
    "svc": "SVC",
    "mlp": "MLPClassifier",
    "knn": "KNeighborsClassifier",
}


def cnn_pipeline(bunch, say, **params):
    """ImageReshaper → PixelScaler → CNNClassifier for this dataset."""
    from sklearn.pipeline import make_pipeline

    from .. import CNNClassifier, ImageReshaper, PixelScaler

    image_shape = bunch.images.shape[1:]
    if bunch.source == "cifar10":
        # Colour photos: the augmentation the CIFAR-10 tutorials recommend.
        params = {"rotation": 10 / 360, "shift": 0.1, "horizontal_flip": True, **params}
    if not say.quiet:
        params["fit__callbacks"] = [epoch_logger(say)]
    return make_pipeline(
        ImageReshaper(image_shape=image_shape),
        PixelScaler(max_value=bunch.pixel_max),
        CNNClassifier(**params),
    )


def epoch_logger(say):
    """A Keras callback that reports each epoch's metrics through ``say``.

    It pickles as a plain no-op ``Callback``: a saved model carries neither
    the printer nor a second reference to the network.
    """
    from .._engine.runtime import keras

    class EpochLogger(keras.callbacks.Callback):
        def __reduce__(self):
            return keras.callbacks.Callback, ()

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            parts = [
                f"{key} {value:.4f}"
                for key, value in sorted(logs.items())
                if key != "learning_rate"
            ]
            elapsed = time.perf_counter() - self.start
            say(
                f"    epoch {epoch + 1}/{self.params['epochs']}  "
                f"{'  '.join(parts)}  ({elapsed:.1f} s)"
            )

    return EpochLogger()


def baseline(name, bunch, random_state):
    """PixelScaler → the scikit-learn baseline named ``name``."""
    from sklearn import ensemble, linear_model, neighbors, neural_network, svm
    from sklearn.pipeline import make_pipeline

    from .. import PixelScaler

    estimator = {
        "logreg": lambda: linear_model.LogisticRegression(max_iter=1000),
        "rf": lambda: ensemble.RandomForestClassifier(
            n_estimators=200, n_jobs=-1, random_state=random_state
        ),
        "svc": lambda: svm.SVC(),
        "mlp": lambda: neural_network.MLPClassifier(
            hidden_layer_sizes=(128,), early_stopping=True, random_state=random_state
        ),
        "knn": lambda: neighbors.KNeighborsClassifier(),
    }[name]()
    return make_pipeline(PixelScaler(max_value=bunch.pixel_max), estimator)
