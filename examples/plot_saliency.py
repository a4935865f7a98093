"""
Saliency maps: where does the network look?
===========================================

A prediction says *what* the network sees; a saliency map says *where* it
found the evidence. :func:`skcnn.inspection.saliency` computes one map per
image, and :class:`~skcnn.plotting.SaliencyDisplay` draws each map over its
image. This example first builds images whose evidence sits in a known
place, to check that the maps find it, then trains a CNN on the embedded
MNIST sample and looks at the digits it gets wrong.
"""

# %%
# Evidence in a known place
# -------------------------
# Each image is noise with one small striped patch at a random place: the
# stripes run across (class ``"across"``) or down (class ``"down"``). Nothing
# but the patch tells the classes apart, so a map that explains the
# prediction should light up the patch, wherever it is.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.inspection import saliency
from skcnn.plotting import SaliencyDisplay

SIDE, PATCH = 32, 6


def striped_images(n, seed):
    """Noise images with one striped patch; its labels and top-left corners."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0.0, 0.6, (n, SIDE, SIDE, 1)).astype(np.float32)
    labels = rng.integers(0, 2, n)
    corners = rng.integers(0, SIDE - PATCH, (n, 2))
    stripes = np.zeros((PATCH, PATCH), np.float32)
    stripes[::2] = 1.0  # rows alternate: stripes across
    for image, label, (top, left) in zip(images, labels, corners, strict=True):
        patch = stripes if label == 0 else stripes.T
        image[top : top + PATCH, left : left + PATCH, 0] = patch
    return images, np.array(["across", "down"])[labels], corners


X_train, y_train, _ = striped_images(600, seed=0)
X_test, y_test, corners = striped_images(40, seed=1)
cnn = CNNClassifier(filters=(16, 32), dense_units=32, epochs=8, random_state=0)
cnn.fit(X_train, y_train)
print(f"test accuracy: {cnn.score(X_test, y_test):.3f}")

# %%
# The default method, HiResCAM, multiplies the last convolution's activations
# by the gradients of the predicted class's score, element by element, and
# sums over the channels. Its maps sit on the patches.
SaliencyDisplay.from_estimator(cnn, X_test, y_test, n_images=10)


# %%
# How often does each method find the patch? A hit is a map whose strongest
# pixel lies inside the patch (or within a pixel of it, as a map taken at a
# coarser layer is smoothed by its upsampling).
def hit_rate(maps, corners):
    hits = 0
    for saliency_map, (top, left) in zip(maps, corners, strict=True):
        row, col = np.unravel_index(saliency_map.argmax(), saliency_map.shape)
        hits += top - 1 <= row <= top + PATCH and left - 1 <= col <= left + PATCH
    return hits / len(maps)


for method in ("hirescam", "gradcam", "gradients", "occlusion"):
    maps = saliency(cnn, X_test, method=method)
    print(f"{method:>10}: the maximum is on the patch in {hit_rate(maps, corners):.0%}")

# %%
# Digits the network gets wrong
# -----------------------------
# A CNN trained for a few epochs on 4,000 of the embedded MNIST images, in a
# pipeline that reshapes and scales the flat pixel rows.
# ``SaliencyDisplay.from_estimator`` draws the images as the network
# receives them, after the pipeline's preprocessing, and ``only_errors=True``
# keeps the misclassified ones (all test images are predicted to find them).
mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist)
model = make_pipeline(
    ImageReshaper(image_shape=(28, 28)),
    PixelScaler(),
    CNNClassifier(epochs=3, random_state=0),
)
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")
SaliencyDisplay.from_estimator(model, X_test, y_test, only_errors=True, n_images=10)

# %%
# The methods side by side
# ------------------------
# Each method answers a slightly different question. ``"hirescam"`` and
# ``"gradcam"`` work at a convolution layer, so their maps are coarse and
# smooth; ``"gradients"`` are the gradients of the class score with respect
# to each input pixel, sharp but noisy; ``"occlusion"`` covers one patch of
# the image at a time and records how much the class's probability drops,
# which needs one forward pass per patch and no gradients at all. Passing
# ``ax=`` draws each method's maps into one row of a shared figure.
methods = ("hirescam", "gradcam", "gradients", "occlusion")
fig, axes = plt.subplots(
    len(methods), 5, figsize=(9, 8.5), layout="constrained", squeeze=False
)
for row, method in zip(axes, methods, strict=True):
    SaliencyDisplay.from_estimator(
        model, X_test[:5], y_test[:5], method=method, colorbar=False, ax=row
    )
    row[0].text(
        -0.1,
        0.5,
        method,
        rotation=90,
        ha="right",
        va="center",
        transform=row[0].transAxes,
    )
fig.suptitle("four saliency methods, five test digits")
