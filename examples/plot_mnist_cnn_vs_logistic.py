"""
A CNN versus classic classifiers on MNIST
=========================================

A convolutional network sees an image as a grid of pixels, with neighbours
that belong together; a logistic regression or a random forest sees 784
unrelated numbers. This example trains all three on the same split of the
embedded MNIST sample (4,000 training and 1,000 test images) and compares
their test accuracy and training time.
"""

# %%
# The data
# --------
# Flat rows of ``uint8`` pixels, as most image datasets come.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import ImageGridDisplay

mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist)
print(f"train {X_train.shape}, test {X_test.shape}, dtype {X_train.dtype}")

# %%
# Three pipelines
# ---------------
# Each model is a scikit-learn pipeline that starts from the same raw rows.
#
# * The CNN pipeline reshapes each row into a 28×28×1 image
#   (:class:`~skcnn.ImageReshaper`), scales pixels to ``[0, 1]`` float32
#   (:class:`~skcnn.PixelScaler`) and trains a :class:`~skcnn.CNNClassifier`:
#   two convolutional blocks of 32 and 64 filters, a dense layer of 128 units
#   and dropout, for 10 epochs. ``random_state=0`` makes the run reproducible.
# * The baselines only need the scaling.
models = {
    "CNNClassifier": make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=10, random_state=0),
    ),
    "LogisticRegression": make_pipeline(
        PixelScaler(), LogisticRegression(max_iter=1000)
    ),
    "RandomForestClassifier": make_pipeline(
        PixelScaler(), RandomForestClassifier(n_estimators=100, random_state=0)
    ),
}
models["CNNClassifier"]

# %%
# Training and scoring
# --------------------
# The same ``fit`` / ``predict`` calls work for all three models.
results = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    y_pred = model.predict(X_test)
    results[name] = {
        "accuracy": np.mean(y_pred == y_test),
        "fit_seconds": fit_seconds,
        "y_pred": y_pred,
    }

print(f"{'model':<24} {'accuracy':>8} {'errors':>6} {'fit s':>6}")
for name, row in results.items():
    errors = int(np.sum(row["y_pred"] != y_test))
    print(f"{name:<24} {row['accuracy']:>8.3f} {errors:>6d} {row['fit_seconds']:>6.1f}")

# %%
# Accuracy side by side
# ---------------------
names = list(results)
accuracies = [results[name]["accuracy"] for name in names]
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
bars = ax.barh(names, accuracies, color=["tab:blue", "tab:gray", "tab:gray"])
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.set(xlim=(0.8, 1.0), xlabel="test accuracy", title="1,000 MNIST test images")
ax.invert_yaxis()

# %%
# Even with only 4,000 training images the CNN misclassifies far fewer test
# images (the ``errors`` column) than the models that treat pixels as
# independent features. It costs more to train, but ``CNNClassifier`` is just
# another scikit-learn estimator: everything built on that API
# (cross-validation, grid search, ensembles, pickling) works with it unchanged.
#
# Predictions on test images
# --------------------------
# :meth:`~skcnn.plotting.ImageGridDisplay.from_predictions` titles each image
# with its true and predicted digit, green when they agree and red when they
# do not.
cnn_pred = results["CNNClassifier"]["y_pred"]
ImageGridDisplay.from_predictions(X_test, y_test, cnn_pred, n_images=10)

# %%
# The logistic regression on the same images:
ImageGridDisplay.from_predictions(
    X_test, y_test, results["LogisticRegression"]["y_pred"], n_images=10
)
