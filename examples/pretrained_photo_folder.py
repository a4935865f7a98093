"""
An ImageNet network on your own photos
======================================

Photographs — flowers, products, animals, defects on a part — are where a
network pretrained on ImageNet's 1.3 million photos pays off most: with a
few hundred images per class, training from scratch learns little, while
the pretrained features already tell fur from feathers and petals from
leaves. This example takes a folder with one subfolder of photos per class
and

1. checks how far fixed ImageNet features go, with
   :class:`~skcnn.ImageEmbedder` and a logistic regression (fast);
2. fine-tunes EfficientNetB0 with ``CNNClassifier(backbone=...,
   fine_tune=...)`` (slower, usually more accurate);
3. saves the fine-tuned network as a ``.keras`` file that predicts from raw
   pixels, and a pipeline that predicts from file paths.

It needs the ImageNet weights (downloaded once into ``~/.keras/models``;
see :ref:`pretrained` to work offline) and a
folder of your own, so the documentation shows it without running it. Run it
with ``python examples/pretrained_photo_folder.py PATH/TO/FOLDER``. On a
CPU, fine-tuning takes minutes for a few hundred photos; on a GPU, seconds.
"""

# %%
# The photos
# ----------
# The folder holds one subfolder per class, named after it::
#
#     flowers/
#         daisy/      100080576_f52e8ee070_n.jpg  ...
#         roses/      ...
#         tulips/     ...
#
# :func:`~skcnn.datasets.load_image_folder` decodes every photo into RGB
# pixels of one size. ``keep_aspect="crop"`` scales each photo to cover
# 224×224 pixels, the size EfficientNetB0 was trained on, and cuts the
# overflow at both ends, as ImageNet's photos were cut. Unreadable files are
# skipped with one warning that names them.
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageEmbedder, ImageLoader
from skcnn.datasets import load_image_folder
from skcnn.io import dump, load
from skcnn.plotting import ImageGridDisplay, TrainingHistoryDisplay

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "flowers")
SIZE = 224

photos = load_image_folder(
    folder, image_size=SIZE, keep_aspect="crop", color_mode="rgb", n_jobs=-1
)
labels = photos.target_names[photos.target]  # the folder names
print(photos.DESCR)

X_train, X_test, y_train, y_test = train_test_split(
    photos.images, labels, test_size=0.2, stratify=labels, random_state=0
)
ImageGridDisplay.from_images(X_train, y_train, n_images=10)

# %%
# Fixed ImageNet features
# -----------------------
# :class:`~skcnn.ImageEmbedder` runs each photo once through EfficientNetB0
# without its classification top and averages its last feature map into
# 1,280 numbers. Nothing of the network is trained, so a linear model on
# these features cross-validates in seconds once they are computed: a
# baseline to beat, and often good enough. The pixels go in as they are
# (uint8, 0-255): the network applies EfficientNet's own preprocessing
# inside.
embedder = ImageEmbedder(backbone="efficientnet_b0")
features_train = embedder.fit_transform(X_train)
scores = cross_val_score(LogisticRegression(max_iter=2000), features_train, y_train)
print(f"frozen features + logistic regression: {scores.mean():.3f} (5-fold CV)")

linear = make_pipeline(embedder, LogisticRegression(max_iter=2000))
linear.fit(X_train, y_train)
print(f"  test accuracy: {linear.score(X_test, y_test):.3f}")

# %%
# Fine-tuning EfficientNetB0
# --------------------------
# :class:`~skcnn.CNNClassifier` with ``backbone="efficientnet_b0"`` puts a
# new head (``dense_units`` wide, with ``dense_dropout``, and a softmax over
# the folder names) on the pretrained network and trains in two phases:
#
# * phase 1 trains the head alone for ``epochs`` epochs, the backbone frozen;
# * phase 2 unfreezes the top ``fine_tune`` fraction of the backbone's
#   layers (here 30 %, in whole blocks) and trains them with the head for
#   ``fine_tune_epochs`` epochs at the lower ``fine_tune_learning_rate``.
#   Its BatchNormalization layers keep their ImageNet statistics.
#
# Random flips, small rotations and shifts of the photos (inside the network,
# at training time only) make a few hundred photos go further. Without any
# augmentation (``shift=0``; the default is ``shift=0.1``), phase 1 would
# compute the backbone's features once and be much faster.
# ``validation_split=0.1`` reports the accuracy on held-out photos after
# each epoch, and ``verbose=2`` prints one line per epoch.
cnn = CNNClassifier(
    backbone="efficientnet_b0",
    backbone_image_size=SIZE,
    dense_units=256,
    epochs=10,
    fine_tune=0.3,
    fine_tune_epochs=10,
    fine_tune_learning_rate=1e-4,
    horizontal_flip=True,
    rotation=0.05,
    shift=0.1,
    validation_split=0.1,
    verbose=2,
    random_state=0,
)
cnn.fit(X_train, y_train)
print(f"fine-tuned EfficientNetB0: {cnn.score(X_test, y_test):.3f} test accuracy")

# %%
# ``history_["phase"]`` tells the two phases apart, and
# :class:`~skcnn.plotting.TrainingHistoryDisplay` marks where fine-tuning
# starts. A validation loss that rises in phase 2 asks for a smaller
# ``fine_tune`` fraction, fewer ``fine_tune_epochs`` or a lower rate.
TrainingHistoryDisplay.from_estimator(cnn)

# %%
# What it gets wrong
# ------------------
y_pred = cnn.predict(X_test)
ConfusionMatrixDisplay.from_predictions(y_test, y_pred, xticks_rotation="vertical")
wrong = np.flatnonzero(y_pred != y_test)
if wrong.size:
    ImageGridDisplay.from_predictions(
        X_test[wrong], y_test[wrong], y_pred[wrong], n_images=10
    )

# %%
# Another backbone
# ----------------
# MobileNetV2 costs less per image and is lighter to download (9 MB); a
# smaller ``backbone_image_size`` (160 here, for which MobileNetV2 has its
# own ImageNet weights) is faster again, at some cost in accuracy. A
# ``GridSearchCV`` over ``backbone`` compares them like any other
# hyperparameter (each candidate downloads its weights once).
mobile = CNNClassifier(
    backbone="mobilenet_v2",
    backbone_image_size=160,
    epochs=10,
    fine_tune=0.3,
    horizontal_flip=True,
    random_state=0,
)
mobile.fit(X_train, y_train)
print(f"fine-tuned MobileNetV2 at 160x160: {mobile.score(X_test, y_test):.3f}")

# %%
# Saving the network
# ------------------
# ``model_`` holds everything from raw pixels to class probabilities: the
# resizing, EfficientNet's preprocessing, the backbone and the head. Saved in
# Keras's format, it loads under Keras's ``safe_mode`` (no code runs from
# the file) and needs no skcnn to predict (``compile=False``: predicting
# needs no training loss, and the loss is skcnn's); its output columns are
# the labels in ``classes_``.
cnn.model_.save("photos.keras")

import keras  # noqa: E402

network = keras.saving.load_model("photos.keras", compile=False)
probabilities = network.predict(X_test[:5], verbose=0)
print(cnn.classes_[probabilities.argmax(axis=1)], y_test[:5])

# %%
# Predicting from file paths
# --------------------------
# A pipeline that starts with :class:`~skcnn.ImageLoader` takes file paths,
# in ``fit`` and in ``predict``, with the same decoding as the folder
# loader. Saved with :func:`skcnn.io.dump`, it predicts on new photos in
# another process (``skcnn predict`` reads such files too), and loading it
# runs no code from the file: it can be shared like the ``.keras`` file.
files = load_image_folder(folder, load_content=False)
file_labels = files.target_names[files.target]
from_files = make_pipeline(
    ImageLoader(image_size=SIZE, keep_aspect="crop", color_mode="rgb", n_jobs=-1),
    CNNClassifier(
        backbone="efficientnet_b0",
        epochs=10,
        fine_tune=0.3,
        horizontal_flip=True,
        random_state=0,
    ),
)
from_files.fit(files.filenames, file_labels)
dump(from_files, "photos.skcnn")
print(load("photos.skcnn").predict(files.filenames[:5]))
