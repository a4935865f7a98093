"""The models the subcommands train: the CNN pipelines and the baselines."""

import time
from pathlib import Path

from . import _args

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


def backbone_label(backbone):
    """How the table names a backbone: its name, or a saved model's file name."""
    return backbone if backbone in _args.BACKBONES else Path(backbone).name


def backbone_weights(text):
    """The ``weights`` value for ``--backbone-weights`` text: "none" is None."""
    return None if text == "none" else text


def fine_tuned_name(backbone, fine_tune):
    """The table's name for the fine-tuned backbone's row."""
    return f"CNNClassifier({backbone_label(backbone)}, fine_tune={fine_tune:g})"


def embedder_name(backbone):
    """The table's name for the embedder + LogisticRegression row."""
    return f"ImageEmbedder({backbone_label(backbone)}) + LogisticRegression"


def fine_tuned_pipeline(
    bunch, say, *, backbone, weights, image_size, fine_tune, fine_tune_epochs, **params
):
    """:func:`cnn_pipeline` with CNNClassifier built on a pretrained ``backbone``.

    ``weights`` is ``--backbone-weights``'s text; ``params`` go to
    CNNClassifier as in :func:`cnn_pipeline`.
    """
    return cnn_pipeline(
        bunch,
        say,
        backbone=backbone,
        backbone_weights=backbone_weights(weights),
        backbone_image_size=image_size,
        fine_tune=fine_tune,
        fine_tune_epochs=fine_tune_epochs,
        **params,
    )


def embedder_pipeline(bunch, *, backbone, weights, image_size, random_state):
    """ImageReshaper → PixelScaler → ImageEmbedder → LogisticRegression.

    The pretrained network is not trained: its pooled features of each
    image go to a linear model (``max_iter`` as the logreg baseline's).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from .. import ImageReshaper, PixelScaler
    from ..preprocessing import ImageEmbedder

    return make_pipeline(
        ImageReshaper(image_shape=bunch.images.shape[1:]),
        PixelScaler(max_value=bunch.pixel_max),
        ImageEmbedder(
            backbone=backbone,
            weights=backbone_weights(weights),
            image_size=image_size,
            random_state=random_state,
        ),
        LogisticRegression(max_iter=1000),
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
