"""
Exploring the embedded MNIST sample
===================================

Before training anything, look at the data. This example loads the 5,000
real MNIST images that are available offline, prints the shapes of the
arrays and of the fixed train/test split, and draws a few digits and the
number of images per class.
"""

# %%
# Loading the data
# ----------------
# :func:`~skcnn.datasets.fetch_mnist` returns a scikit-learn
# :class:`~sklearn.utils.Bunch`. ``data`` holds one flat row of 784 pixels per
# image, ``images`` the same pixels as 28×28 arrays (a view, not a copy), and
# ``target`` the digit each image shows. Pixels are ``uint8`` values from 0
# (black) to 255 (white).
import numpy as np

from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import ClassDistributionDisplay, ImageGridDisplay

mnist = fetch_mnist(source="sample")
print(f"source: {mnist.source}")
print(f"data:   {mnist.data.shape} {mnist.data.dtype}")
print(f"images: {mnist.images.shape} {mnist.images.dtype}")
print(f"target: {mnist.target.shape}, classes {mnist.target_names.tolist()}")
print(f"pixel values from {mnist.data.min()} to {mnist.data.max()}")

# %%
# The train/test split
# --------------------
# The training images come first and the test images after them, so the
# canonical split is a pair of slices. :func:`~skcnn.datasets.split_train_test`
# returns them as views; ``images=True`` gives the 28×28 arrays instead of the
# flat rows.
X_train, X_test, y_train, y_test = split_train_test(mnist)
images_train, images_test, _, _ = split_train_test(mnist, images=True)
print(f"X_train {X_train.shape}, X_test {X_test.shape}")
print(f"images_train {images_train.shape}, images_test {images_test.shape}")
print(f"y_train {y_train.shape}, y_test {y_test.shape}")

# %%
# One image
# ---------
# An image is just a small array of numbers. Printing the centre rows of the
# first training image, one character per pixel from a space (0, background)
# to ``@`` (255, ink), already shows the digit.
first = images_train[0]
print(f"label of the first training image: {y_train[0]}")
for row in first[4:24]:
    print("".join(" .:-=+*#%@"[int(value) * 10 // 256] for value in row[4:24]))

# %%
# The same image drawn with matplotlib, titled with its label:
ImageGridDisplay.from_images(images_train, y_train, n_images=1)

# %%
# A grid of training images
# -------------------------
# :meth:`~skcnn.plotting.ImageGridDisplay.from_images` draws the first
# ``n_images`` images, ``n_cols`` per row. It accepts the flat rows too: 784
# pixels are reshaped to 28×28.
ImageGridDisplay.from_images(X_train, y_train, n_images=10, n_cols=5)

# %%
# Twenty-five test images, in a 5×5 grid, show how much handwriting varies
# within one digit:
ImageGridDisplay.from_images(images_test, y_test, n_images=25, n_cols=5)

# %%
# Class balance
# -------------
# The sample holds 500 images of each digit and the split is stratified, so
# every class has 400 training and 100 test images. Accuracy is therefore a
# fair summary of a classifier on this data.
classes, train_counts = np.unique(y_train, return_counts=True)
_, test_counts = np.unique(y_test, return_counts=True)
for digit, n_train, n_test in zip(classes, train_counts, test_counts, strict=True):
    print(f"digit {digit}: {n_train} train, {n_test} test")

display = ClassDistributionDisplay.from_labels(y_train, y_test=y_test)
display.ax_.set_ylim(0, 500)  # leave room for the legend above the bars
