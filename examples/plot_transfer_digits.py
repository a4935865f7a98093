"""
Reusing a trained network on new classes
========================================

A network trained on one task has learned strokes, curves and corners that
other tasks of the same kind need too. This example trains a
:class:`~skcnn.CNNClassifier` on the digits 0 to 4 of the embedded MNIST
sample, saves its network, and then learns the digits 5 to 9 from only
**10 images per class**, in three ways:

* from scratch, as if nothing had been learned before;
* with the saved network as a fixed feature extractor
  (:class:`~skcnn.ImageEmbedder`) in front of a logistic regression;
* by fine-tuning the saved network: ``CNNClassifier(backbone=path,
  fine_tune=1.0)`` trains a new head on it, then the whole network.

The same forms take a Keras application with ImageNet weights for
photographs (see :ref:`pretrained`); digits keep this example small and
offline.
"""

# %%
# Two tasks from one dataset
# --------------------------
# The digits 0 to 4, with all of their 2,000 or so training images, are the
# *pretraining* task. The digits 5 to 9 are the *new* task: 10 training
# images of each, drawn at random, and all of their test images to score
# on.
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageEmbedder, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import ImageGridDisplay, TrainingHistoryDisplay

mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist, images=True)

old = y_train < 5
X_old, y_old = X_train[old], y_train[old]

rng = np.random.RandomState(0)
few = np.concatenate(
    [rng.choice(np.flatnonzero(y_train == d), 10, replace=False) for d in range(5, 10)]
)
X_few, y_few = X_train[few], y_train[few]
X_new_test, y_new_test = X_test[y_test >= 5], y_test[y_test >= 5]
print(f"pretraining: {X_old.shape}, new task: {X_few.shape}, test {X_new_test.shape}")
ImageGridDisplay.from_images(X_few, y_few, n_images=10)

# %%
# Pretraining on the digits 0 to 4
# --------------------------------
# An ordinary :class:`~skcnn.CNNClassifier`, trained for a few epochs only so
# that the example stays fast. Its Keras network, ``model_``, is saved in
# Keras's own format: a ``.keras`` file holds the architecture and weights,
# and no code.
pretrained = make_pipeline(PixelScaler(), CNNClassifier(epochs=8, random_state=0))
pretrained.fit(X_old, y_old)
old_test = y_test < 5
accuracy = pretrained.score(X_test[old_test], y_test[old_test])
print(f"accuracy on the test digits 0-4: {accuracy:.3f}")

workdir = tempfile.TemporaryDirectory(prefix="skcnn-transfer-")
path = Path(workdir.name) / "digits_0_4.keras"
pretrained[-1].model_.save(path)

# %%
# Three ways to learn the digits 5 to 9
# -------------------------------------
# All three pipelines start with :class:`~skcnn.PixelScaler`, as the
# pretrained network did: a pretrained network expects its inputs on the
# scale it was trained on.
#
# * **From scratch**: the default :class:`~skcnn.CNNClassifier`.
# * **Frozen features**: :class:`~skcnn.ImageEmbedder` cuts the saved network
#   after its last feature map (3×3×64 values per image, flattened) and
#   computes those features once; a logistic regression learns from them.
#   Nothing of the network is trained.
# * **Fine-tuned**: ``backbone=path`` builds the same cut network with a new
#   head (a dense layer and a softmax over the new classes). Phase 1 trains
#   the head with the backbone frozen (``epochs``, here 30 by
#   ``epochs="auto"``); phase 2 unfreezes the top ``fine_tune`` fraction of
#   the backbone, here all of it, and trains everything at the lower
#   ``fine_tune_learning_rate`` for ``fine_tune_epochs``.
#
# A fitted classifier can also be given directly, as
# ``backbone=FrozenEstimator(pretrained[-1])`` (from ``sklearn.frozen``),
# without saving a file.
models = {
    "from scratch": make_pipeline(PixelScaler(), CNNClassifier(random_state=0)),
    "frozen features\n+ logistic regression": make_pipeline(
        PixelScaler(),
        ImageEmbedder(backbone=path),
        LogisticRegression(max_iter=1000),
    ),
    "fine-tuned": make_pipeline(
        PixelScaler(),
        CNNClassifier(backbone=path, fine_tune=1.0, random_state=0),
    ),
}

results = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_few, y_few)
    seconds = time.perf_counter() - start
    results[name] = (model.score(X_new_test, y_new_test), seconds)

print(f"{'model':<40} {'accuracy':>8} {'fit s':>6}")
for name, (accuracy, seconds) in results.items():
    one_line = " ".join(name.split())
    print(f"{one_line:<40} {accuracy:>8.3f} {seconds:>6.1f}")

# %%
# Accuracy side by side
# ---------------------
names = list(results)
accuracies = [results[name][0] for name in names]
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
bars = ax.barh(names, accuracies, color=["tab:gray", "tab:blue", "tab:orange"])
ax.bar_label(
    bars,
    labels=[f"{results[n][0]:.3f}  ({results[n][1]:.0f} s)" for n in names],
    padding=3,
)
ax.set(
    xlim=(min(0.8, min(accuracies) - 0.05), 1.04),
    xlabel="test accuracy on the digits 5-9",
    title="Learning 5 new digits from 10 images each",
)
ax.invert_yaxis()

# %%
# With 50 training images, the network trained from scratch has to learn
# what strokes are as well as which strokes make a 7, and it does well
# already: MNIST digits are easy. The pretrained forms start from features
# learned on other digits, and here both make fewer mistakes. The frozen
# features cost one forward pass per image and a linear model, about a
# second; fine-tuning trains in two phases and, with 10 images per class,
# has little data to adapt the features with. It has more to gain with more
# images per class, and when the new images differ more from the
# pretraining ones (photos against ImageNet, say).
#
# The two phases of fine-tuning
# -----------------------------
# ``history_["phase"]`` says which phase each epoch belongs to, and
# :class:`~skcnn.plotting.TrainingHistoryDisplay` marks where phase 2 starts.
# The learning-rate schedule restarts there, at the fine-tuning rate.
fine_tuned = models["fine-tuned"][-1]
phases = np.asarray(fine_tuned.history_["phase"])
print(f"phase 1: {np.sum(phases == 1)} epochs, phase 2: {np.sum(phases == 2)} epochs")
TrainingHistoryDisplay.from_estimator(fine_tuned)

# %%
# The temporary folder goes away with its file.
workdir.cleanup()
