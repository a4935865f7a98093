"""Helpers shared by the test modules (import as ``from tests._helpers import ...``)."""


def small_cnn(**params):
    """A CNNClassifier small enough for tests (seconds per fit)."""
    from skcnn import CNNClassifier

    defaults = dict(
        filters=(8,),
        dense_units=32,
        epochs=3,
        batch_size=32,
        learning_rate=0.01,
        shift=0.0,  # augmentation has its own tests; 8x8 digits barely shift
        random_state=0,
    )
    defaults.update(params)
    return CNNClassifier(**defaults)


def image_panels(axes):
    """The Axes of a Display's grid that show an image."""
    import numpy as np

    return [ax for ax in np.ravel(axes) if ax.images]
