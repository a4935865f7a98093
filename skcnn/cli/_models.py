"""The models the subcommands train: the CNN pipelines and the baselines.

On a folder streamed from disk (``bunch.streamed``), the CNN pipelines start
with ``ImageLoader(stream=True)`` and take the files' paths; the baselines,
which need their pixels in memory, are fitted on a capped sample of the
training files decoded small (:class:`SampledBaseline`).
"""

import time
from pathlib import Path

import numpy as np

from . import _args

BASELINES = {
    "logreg": "LogisticRegression",
    "rf": "RandomForestClassifier",
    "svc": "SVC",
    "mlp": "MLPClassifier",
    "knn": "KNeighborsClassifier",
}


#: The baselines' sample on a streamed folder: at most this many training
#: images (stratified, seeded), decoded with their sides scaled down, the
#: aspect kept, to at most BASELINE_MAX_SIDE: 5,000 x 32 x 32 x 3 values,
#: 15 MB decoded and about 200 MB with the baselines' float copies, whatever
#: the folder's size. Scikit-learn's baselines are fitted in memory, and
#: their accuracy on raw pixels gains little from more or larger images.
BASELINE_MAX_IMAGES = 5000
BASELINE_MAX_SIDE = 32


def first_step(bunch):
    """What turns the Bunch's ``data`` into images for the network.

    ImageReshaper for rows of pixels; ``ImageLoader(stream=True)`` for the
    paths of a streamed folder, at the size and colour mode chosen for it
    (nothing left to learn: :meth:`fit` reads no file).
    """
    from .. import ImageLoader, ImageReshaper

    if bunch.get("streamed"):
        return ImageLoader(
            image_size=tuple(bunch.images.image_size),
            color_mode=bunch.color_mode,
            stream=True,
        )
    return ImageReshaper(image_shape=bunch.images.shape[1:])


def cnn_pipeline(bunch, say, **params):
    """ImageReshaper (or a streaming ImageLoader) → PixelScaler → CNNClassifier."""
    from sklearn.pipeline import make_pipeline

    from .. import CNNClassifier, PixelScaler

    if bunch.source == "cifar10":
        # Colour photos: the augmentation the CIFAR-10 tutorials recommend.
        params = {"rotation": 10 / 360, "shift": 0.1, "horizontal_flip": True, **params}
    if not say.quiet:
        params["fit__callbacks"] = [epoch_logger(say)]
    return make_pipeline(
        first_step(bunch),
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
    """ImageReshaper (or a streaming ImageLoader) → PixelScaler → ImageEmbedder
    → LogisticRegression.

    The pretrained network is not trained: its pooled features of each
    image go to a linear model (``max_iter`` as the logreg baseline's).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from .. import PixelScaler
    from ..preprocessing import ImageEmbedder

    return make_pipeline(
        first_step(bunch),
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
    """PixelScaler → the scikit-learn baseline named ``name``.

    On a streamed folder, a :class:`SampledBaseline` of that pipeline.
    """
    from sklearn.pipeline import make_pipeline

    from .. import PixelScaler

    if bunch.get("streamed"):
        return SampledBaseline(
            name,
            bunch,
            random_state,
            max_images=BASELINE_MAX_IMAGES,
            max_side=BASELINE_MAX_SIDE,
        )
    return make_pipeline(
        PixelScaler(max_value=bunch.pixel_max), _estimator(name, random_state)
    )


def _estimator(name, random_state):
    """The scikit-learn estimator of the baseline named ``name``."""
    from sklearn import ensemble, linear_model, neighbors, neural_network, svm

    return {
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


def stratified_sample(y, n, random_state):
    """Sorted indices of at most ``n`` samples of ``y``, each class in proportion.

    Each class gets its share of ``n`` rounded down, then the samples left
    go to the classes with the largest remainders; a class with images
    keeps at least one when ``n`` allows. All indices when ``n >= len(y)``.
    Drawn with ``numpy.random.default_rng(random_state)``.
    """
    y = np.asarray(y)
    if n >= len(y):
        return np.arange(len(y))
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    share = n * counts / len(y)
    taken = np.floor(share).astype(int)
    if n >= len(classes):
        taken = np.maximum(taken, 1)
    # Largest remainders first; a tie goes to the class listed first.
    for i in np.argsort(-(share - np.floor(share)), kind="stable"):
        if taken.sum() >= n:
            break
        if taken[i] < counts[i]:
            taken[i] += 1
    while taken.sum() > n:  # the minimum of one took too many
        taken[np.argmax(taken)] -= 1
    rng = np.random.default_rng(random_state)
    chosen = [
        rng.choice(np.flatnonzero(codes == i), size=k, replace=False)
        for i, k in enumerate(taken)
    ]
    return np.sort(np.concatenate(chosen))


def flat_rows(images):
    """``(n, h, w, c)`` images as ``(n, h * w * c)`` rows (a view)."""
    return images.reshape(len(images), -1)


class SampledBaseline:
    """A baseline fitted on a capped sample of image files, decoded small.

    For a folder streamed from disk: ``fit`` draws at most ``max_images``
    of the training files (:func:`stratified_sample`, seeded), decodes them
    with :class:`~skcnn.ImageLoader` at the folder's image size scaled
    down, the aspect kept, to sides of at most ``max_side`` (padded as the
    network's images are), and fits PixelScaler → the estimator on them.
    ``predict`` decodes the files the same way, ``max_images`` at a time.
    """

    def __init__(self, name, bunch, random_state, *, max_images, max_side):
        from ._data import _fit_within

        self.name, self.random_state = name, random_state
        self.max_images = max_images
        self.image_size = _fit_within(tuple(bunch.images.image_size), max_side)
        self.color_mode = bunch.color_mode
        self.pixel_max = bunch.pixel_max
        #: Images the sample holds (known before the fit: the training set's).
        self.n_images = min(max_images, bunch.n_train)
        #: Whether the sample differs from the network's training images.
        self.reduced = self.n_images < bunch.n_train or self.image_size != tuple(
            bunch.images.image_size
        )

    @property
    def label(self):
        """``(5,000 images at 32x32)``: what the table adds to the row's name."""
        h, w = self.image_size
        return f"({self.n_images:,} images at {h}x{w})"

    def fit(self, paths, y):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer

        from .. import ImageLoader, PixelScaler

        paths, y = np.asarray(paths), np.asarray(y)
        self.sample_ = stratified_sample(y, self.max_images, self.random_state)
        self.model_ = make_pipeline(
            ImageLoader(image_size=self.image_size, color_mode=self.color_mode),
            # Rows of pixels, as the baselines get them from arrays.
            FunctionTransformer(flat_rows),
            PixelScaler(max_value=self.pixel_max),
            _estimator(self.name, self.random_state),
        ).fit(paths[self.sample_], y[self.sample_])
        return self

    def predict(self, paths):
        paths = np.asarray(paths)
        step = self.max_images
        return np.concatenate(
            [
                self.model_.predict(paths[start : start + step])
                for start in range(0, len(paths), step)
            ]
        )


def baseline_name(name, model):
    """The table's name for a baseline: with its sample when it is reduced."""
    label = BASELINES[name]
    if isinstance(model, SampledBaseline) and model.reduced:
        return f"{label} {model.label}"
    return label
