"""
A deeper CNN on CIFAR-10
========================

CIFAR-10 holds 60,000 colour photographs of 32×32 pixels in ten classes
(airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck). It is
much harder than MNIST: objects vary in pose, colour, size and background.
This example trains a three-block :class:`~skcnn.CNNClassifier` with batch
normalisation, dropout and data augmentation, stops when the validation loss
no longer improves and reports the test accuracy.

It downloads the dataset (163 MB, once; cached in ``~/.keras/datasets``) and
trains for many minutes on a CPU, a few on a GPU, so the documentation shows
it without running it. Run it yourself with ``python examples/cifar10_cnn.py``.
"""

# %%
# The data
# --------
# :func:`~skcnn.datasets.fetch_cifar10` returns flat ``uint8`` rows of
# 32×32×3 = 3,072 channels-last pixels, the 50,000 training images first.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_cifar10, split_train_test
from skcnn.plotting import ImageGridDisplay, TrainingHistoryDisplay

cifar = fetch_cifar10()
X_train, X_test, y_train, y_test = split_train_test(cifar)
class_names = cifar.target_names.tolist()
print(f"train {X_train.shape}, test {X_test.shape}, classes {class_names}")

ImageGridDisplay.from_images(
    cifar.images[: cifar.n_train], y_train, n_images=10, class_names=class_names
)

# %%
# The network
# -----------
# * Three convolutional blocks of 32, 64 and 128 filters; each halves the
#   image (32 → 16 → 8 → 4 pixels) while the number of filters grows.
# * ``batch_norm=True`` normalises every convolution's output, which lets the
#   deeper network train faster and more stably.
# * Dropout after each block (``dropout``) and after the dense layer
#   (``dense_dropout``) against overfitting.
# * Augmentation inside the network, active only while training: rotations
#   of up to 10 degrees, shifts of up to 10 %, and left-right flips (a
#   mirrored horse is still a horse).
# * ``validation_split=0.1`` holds out 5,000 training images;
#   ``early_stopping=5`` stops when their loss has not improved for 5 epochs
#   and restores the best weights.
# * ``verbose=2`` prints one line per epoch.
model = make_pipeline(
    ImageReshaper(image_shape=(32, 32, 3)),
    PixelScaler(),
    CNNClassifier(
        filters=(32, 64, 128),
        dense_units=256,
        dropout=0.25,
        dense_dropout=0.5,
        batch_norm=True,
        rotation=10 / 360,
        shift=0.1,
        horizontal_flip=True,
        epochs=50,
        batch_size=128,
        validation_split=0.1,
        early_stopping=5,
        random_state=0,
        verbose=2,
    ),
)

# %%
# Training
# --------
start = time.perf_counter()
model.fit(X_train, y_train)
cnn = model[-1]
n_epochs = len(cnn.history_["loss"])
print(f"trained {n_epochs} epochs in {time.perf_counter() - start:.0f} s")
print(f"best validation accuracy: {max(cnn.history_['val_accuracy']):.3f}")

TrainingHistoryDisplay.from_estimator(model)

# %%
# Test accuracy
# -------------
y_pred = model.predict(X_test)
print(f"test accuracy: {np.mean(y_pred == y_test):.3f}")

disp = ConfusionMatrixDisplay.from_predictions(
    y_test,
    y_pred,
    display_labels=class_names,
    xticks_rotation="vertical",
    colorbar=False,
)
disp.ax_.set_title("CIFAR-10 test set")

ImageGridDisplay.from_predictions(
    cifar.images[cifar.n_train :],
    y_test,
    y_pred,
    n_images=15,
    class_names=class_names,
)

# %%
# Cats and dogs, and automobiles and trucks, are usually the pairs such a
# network confuses most. More filters, more epochs or a learning-rate schedule
# (pass Keras callbacks with ``callbacks=[...]``) push the accuracy further.
plt.show()
