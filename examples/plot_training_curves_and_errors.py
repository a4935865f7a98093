"""
Training curves, mistakes and what the network learned
======================================================

A test accuracy is one number; this example looks behind it. It trains a CNN
on the embedded MNIST sample while holding out part of the training data for
validation, then draws the loss and accuracy per epoch, the confusion matrix
on the test set, the test images the network gets wrong, the filters of its
first convolution and what those filters make of one image.
"""

# %%
# Training with a validation split
# --------------------------------
# ``validation_split=0.2`` holds out a stratified random 20 % of the training
# images; after every epoch the network is evaluated on them, and the values
# land in ``history_`` next to the training loss and accuracy.
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import ConvFiltersDisplay, ImageGridDisplay, TrainingHistoryDisplay

mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist)

model = make_pipeline(
    ImageReshaper(image_shape=(28, 28)),
    PixelScaler(),
    CNNClassifier(epochs=10, validation_split=0.2, random_state=0),
)
model.fit(X_train, y_train)
cnn = model[-1]
for epoch, (acc, val_acc) in enumerate(
    zip(cnn.history_["accuracy"], cnn.history_["val_accuracy"], strict=True), start=1
):
    print(f"epoch {epoch:2d}: train accuracy {acc:.3f}, validation {val_acc:.3f}")

# %%
# Learning curves
# ---------------
# :class:`~skcnn.plotting.TrainingHistoryDisplay` draws the loss and the
# accuracy, training and validation, per epoch. The training values are
# measured with dropout active and averaged over the epoch while the weights
# are still improving, which is why they sit below the validation values
# here. Validation loss that stops
# falling while training loss keeps dropping would be the sign to stop
# earlier (see the ``early_stopping`` parameter).
TrainingHistoryDisplay.from_estimator(model)

# %%
# Errors on the test set
# ----------------------
y_pred = model.predict(X_test)
print(f"test accuracy: {np.mean(y_pred == y_test):.3f}")
print(f"misclassified: {np.sum(y_pred != y_test)} of {len(y_test)}")
print(classification_report(y_test, y_pred, digits=3))

# %%
# The confusion matrix counts, for each true digit (rows), which digit the
# network predicted (columns). Off-diagonal cells are the mistakes; a confusion
# matrix needs nothing image-specific, so scikit-learn's own
# :class:`~sklearn.metrics.ConfusionMatrixDisplay` does the job.
disp = ConfusionMatrixDisplay.from_predictions(y_test, y_pred, colorbar=False)
disp.ax_.set_title("CNNClassifier on 1,000 test images")

# %%
# Which images does it get wrong? ``only_errors=True`` keeps only the
# misclassified ones. Many of them are hard to read for a person too.
ImageGridDisplay.from_predictions(X_test, y_test, y_pred, only_errors=True, n_images=15)

# %%
# Inside the network
# ------------------
# :class:`~skcnn.plotting.ConvFiltersDisplay` shows the 3×3 kernels of the
# first convolutional layer, taken from the fitted pipeline's last step. They
# are small edge and stroke detectors: bright and dark entries side by side
# respond to a change of intensity in that direction.
ConvFiltersDisplay.from_estimator(model)

# %%
# With ``image=``, it shows that layer's output, one feature map per filter,
# for one image. The image must be preprocessed exactly like the training
# data: the pipeline's first two steps turn a flat ``uint8`` row into a
# ``(28, 28, 1)`` float image in ``[0, 1]``.
preprocess = model[:-1]
image = preprocess.transform(X_test[:1])[0]
print(f"image for the feature maps: {image.shape} {image.dtype}, label {y_test[0]}")
ConvFiltersDisplay.from_estimator(model, image=image)
