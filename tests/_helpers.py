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


AUGMENTATION_LAYERS = (
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
)


def augment(model, images, training=True):
    """``images`` through the augmentation layers of a network, in order."""
    import numpy as np

    x = images
    for layer in model.layers:
        if type(layer).__name__ in AUGMENTATION_LAYERS:
            x = layer(x, training=training)
    return np.asarray(x)


def without_augmentation(model, **hyperparameters):
    """The network ``build_cnn`` makes without augmentation, with ``model``'s weights.

    ``hyperparameters`` are the other ones ``model`` was built with.
    """
    from skcnn.architectures import build_cnn

    off = dict(rotation=0.0, shift=0.0, zoom=0.0, horizontal_flip=False)
    plain = build_cnn(
        model.input_shape[1:], model.output_shape[-1], **hyperparameters, **off
    )
    assert not any(
        type(layer).__name__ in AUGMENTATION_LAYERS for layer in plain.layers
    )
    for layer in plain.layers:
        if layer.weights:
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return plain


def image_panels(axes):
    """The Axes of a Display's grid that show an image."""
    import numpy as np

    return [ax for ax in np.ravel(axes) if ax.images]


def write_image(path, size=(12, 10), mode="RGB", **save_options):
    """Write a small image with a fixed gradient pattern; return its path.

    ``size`` is Pillow's ``(width, height)``; ``mode`` any Pillow mode that
    the pattern converts to (``"L"``, ``"RGB"``, ``"RGBA"``, ``"P"``,
    ``"CMYK"``, ``"1"``) or ``"I;16"`` (16-bit gray, values ``257 * v``).
    """
    import numpy as np
    from PIL import Image

    width, height = size
    rows, cols = np.mgrid[0:height, 0:width]
    gray = (cols * 255 // max(width - 1, 1)).astype(np.uint8)
    if mode == "I;16":
        image = Image.fromarray(gray.astype(np.uint16) * 257)
    elif mode in ("L", "1"):
        image = Image.fromarray(gray).convert(mode)
    else:
        down = (rows * 255 // max(height - 1, 1)).astype(np.uint8)
        image = Image.fromarray(np.stack([gray, down, 255 - gray], axis=-1))
        image = image.convert(mode)
    image.save(path, **save_options)
    return path


def imports_tensorflow(statement):
    """Whether running ``statement`` in a fresh interpreter imports TensorFlow."""
    import subprocess
    import sys

    code = f"import sys; {statement}; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def budget(factor):
    """Hypothesis settings with ``factor`` times the profile's ``max_examples``.

    Everything else (derandomization, deadline) comes from the profile loaded
    in tests/conftest.py, which is loaded before any test module is imported:
    under the ``ci`` profile (60 examples) ``budget(4 / 3)`` runs 80 examples,
    under ``explore`` (1000) it runs 1333.
    """
    from hypothesis import settings

    base = settings.default.max_examples
    return settings(max_examples=max(1, round(base * factor)))
