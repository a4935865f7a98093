"""
Data augmentation: more variety from the same images
====================================================

A network trained on few images learns them, quirks included. Data
augmentation shows it a slightly different version of every training image in
every epoch: rotated a little, shifted, zoomed. :class:`~skcnn.CNNClassifier`
does this with Keras preprocessing layers inside the network, which act only
while training. This example first shows what each transformation does to a
few digits, then trains the same network with and without augmentation on
1,000 MNIST images.
"""

# %%
# The images
# ----------
# Augmentation layers work on float images of shape ``(n, 28, 28, 1)``, the
# form the CNN receives after :class:`~skcnn.ImageReshaper` and
# :class:`~skcnn.PixelScaler`.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.architectures import augmentation_layers
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import ImageGridDisplay

# isort: split
# Keras after skcnn: importing CNNClassifier has already brought TensorFlow up,
# quietly, so this import prints nothing.
import keras

mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist)
preprocess = make_pipeline(ImageReshaper(image_shape=(28, 28)), PixelScaler())
images = preprocess.fit_transform(X_train[:6])
print(f"batch {images.shape} {images.dtype}, labels {y_train[:6].tolist()}")

# %%
# One transformation at a time
# ----------------------------
# :func:`~skcnn.architectures.augmentation_layers` builds the layers
# ``CNNClassifier`` puts in front of its convolutions. Called with
# ``training=True`` they transform each image of a batch with its own random
# draw; with ``training=False`` (as at predict time) they return the images
# unchanged.
#
# * ``rotation=0.05``: up to 5 % of a full turn (18°) either way;
# * ``shift=0.1``: up to 10 % of the height and width (about 3 pixels);
# * ``zoom=0.1``: 10 % in or out;
# * ``horizontal_flip=True``: mirror left-right, half of the time.
settings = {
    "original": {},
    "rotation": {"rotation": 0.05},
    "shift": {"shift": 0.1},
    "zoom": {"zoom": 0.1},
    "all three": {"rotation": 0.05, "shift": 0.1, "zoom": 0.1},
    "flip": {"horizontal_flip": True},
}


def augment(batch, **kwargs):
    """Pass ``batch`` through the augmentation layers in training mode."""
    out = batch
    for layer in augmentation_layers(seed=0, **kwargs):
        out = layer(out, training=True)
    return keras.ops.convert_to_numpy(out)


fig, axes = plt.subplots(
    len(settings), len(images), figsize=(8, 9.5), layout="constrained"
)
for row, (name, kwargs) in zip(axes, settings.items(), strict=True):
    augmented = augment(images, **kwargs)
    change = np.abs(augmented - images).mean()
    print(f"{name:<10} mean absolute pixel change {change:.3f}")
    titles = [name] + [""] * (len(images) - 1)
    ImageGridDisplay(augmented, labels=titles).plot(ax=row)

# %%
# Small rotations, shifts and zooms leave a digit a valid example of the same
# digit, just written a little differently. Flipping does not: the mirrored
# 6 and 9 in the bottom row are no digits at all. ``horizontal_flip`` is meant
# for photographs (a mirrored cat is still a cat), not for handwriting.
#
# What the network sees over ten epochs
# -------------------------------------
# With augmentation, every epoch draws new transformations, so one training
# image appears in many versions:
one = np.repeat(images[:1], 10, axis=0)
ImageGridDisplay.from_images(
    augment(one, rotation=0.05, shift=0.1, zoom=0.1), n_images=10, n_cols=10
)

# %%
# Does it help?
# -------------
# The same network, trained on the first 1,000 training images for 30 epochs,
# once without augmentation (``shift=0``: by default the classifier shifts
# images by up to 10 %) and once with ``rotation=0.05, shift=0.1, zoom=0.1``;
# both are scored on the 1,000 test images. ``random_state=0`` fixes the
# initial weights, dropout and augmentation draws.
X_small, y_small = X_train[:1000], y_train[:1000]
augmentations = {
    "none": {"shift": 0.0},
    "rotation + shift + zoom": {"rotation": 0.05, "shift": 0.1, "zoom": 0.1},
}
models, accuracies = {}, {}
for name, kwargs in augmentations.items():
    model = make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=30, random_state=0, **kwargs),
    )
    start = time.perf_counter()
    model.fit(X_small, y_small)
    seconds = time.perf_counter() - start
    models[name] = model
    accuracies[name] = model.score(X_test, y_test)
    print(
        f"augmentation {name:<24} test accuracy {accuracies[name]:.3f}  "
        f"({seconds:.1f} s)"
    )

# %%
# Augmentation also makes the network less sensitive to the position of the
# digit. Shifting every test image 3 pixels to the right (the digits nearly
# always stay inside the frame) shows the difference:
shifted = np.roll(X_test.reshape(-1, 28, 28), 3, axis=2).reshape(len(X_test), -1)
shifted_accuracies = {}
for name, model in models.items():
    shifted_accuracies[name] = model.score(shifted, y_test)
    print(
        f"augmentation {name:<24} accuracy on shifted test images "
        f"{shifted_accuracies[name]:.3f}"
    )

ImageGridDisplay.from_images(shifted, y_test, n_images=5)

# %%
# Both results side by side:
fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
x = np.arange(2)
for i, name in enumerate(models):
    values = [accuracies[name], shifted_accuracies[name]]
    bars = ax.bar(x + (i - 0.5) * 0.4, values, width=0.4, label=name)
    ax.bar_label(bars, fmt="%.3f", padding=2)
ax.set_xticks(x, ["test images", "test images shifted 3 px"])
ax.set(ylim=(0.5, 1.0), ylabel="accuracy", title="Trained on 1,000 images")
ax.legend(title="augmentation", loc="upper left", bbox_to_anchor=(1.02, 1))

# %%
# These accuracies come from one seed and 1,000 test images, so differences
# of a few tenths of a percent are noise. On the ordinary test set,
# augmentation gives a modest gain here; its benefit is much clearer on images
# placed differently from the training images, as the shifted test set shows.
# Augmentation also needs more epochs than plain training to pay off, since
# each epoch shows a harder, ever-changing version of the data: with too few
# epochs it can even score lower than no augmentation.
