"""
Training on a folder of image files
===================================

Real image data usually comes as files: JPEG or PNG images sorted into one
folder per class. This example writes the embedded MNIST sample to such a
folder of PNG files, trains a CNN pipeline that starts from the file paths
(:func:`~skcnn.datasets.load_image_folder` to list them,
:class:`~skcnn.ImageLoader` to decode them), predicts the class of new files
and saves the fitted pipeline.
"""

# %%
# A folder with one subfolder per class
# -------------------------------------
# The 4,000 training images go to ``train/<digit name>/``, the 1,000 test
# images to a flat ``new/`` folder, as files a model would be asked about
# later. Any image format Pillow reads would do, in any size or colour mode.
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageLoader, PixelScaler
from skcnn.datasets import fetch_mnist, load_image_folder, split_train_test
from skcnn.io import dump, load
from skcnn.plotting import ImageGridDisplay

NAMES = "zero one two three four five six seven eight nine".split()

workdir = tempfile.TemporaryDirectory(prefix="skcnn-digits-")
root = Path(workdir.name)
mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist, images=True)
for name in NAMES:
    (root / "train" / name).mkdir(parents=True)
for i, (image, label) in enumerate(zip(X_train, y_train, strict=True)):
    Image.fromarray(image).save(root / "train" / NAMES[label] / f"{i:05d}.png")
(root / "new").mkdir()
for i, image in enumerate(X_test):
    Image.fromarray(image).save(root / "new" / f"{i:05d}.png")
print(sorted(p.name for p in (root / "train").iterdir()))

# %%
# Listing the files
# -----------------
# With ``load_content=False``, :func:`~skcnn.datasets.load_image_folder`
# returns the file names, their classes (``target``, an index into
# ``target_names``, the folder names in sorted order) and no pixels. Files
# that Pillow cannot open would be skipped with one warning listing them.
files = load_image_folder(root / "train", load_content=False)
print(files.DESCR)
labels = files.target_names[files.target]  # class names as labels
print(files.filenames[0], labels[0])

# %%
# A pipeline that starts from file paths
# --------------------------------------
# :class:`~skcnn.ImageLoader` decodes the files into one uint8 array of
# 28×28×1 images (``image_size`` resizes images of other sizes, padding those
# of another shape; ``color_mode="auto"`` chooses grayscale because every
# file is grayscale). The rest of the pipeline is the usual one.
cnn = make_pipeline(
    ImageLoader(image_size=(28, 28), n_jobs=2),
    PixelScaler(),
    CNNClassifier(epochs=8, random_state=0),
)
cnn.fit(files.filenames, labels)
print(cnn[0].image_size_, cnn[0].color_mode_, cnn[-1].classes_)

# %%
# Predicting new files
# --------------------
# ``predict`` takes file paths too, and returns the folder names.
new_files = sorted(str(p) for p in (root / "new").glob("*.png"))
predicted = cnn.predict(new_files)
confidence = cnn.predict_proba(new_files).max(axis=1)
for path, label, p in zip(new_files[:5], predicted[:5], confidence[:5], strict=True):
    print(f"{Path(path).name}  {label:<6} {p:.3f}")
accuracy = np.mean(predicted == np.array(NAMES)[y_test])
print(f"accuracy on the {len(new_files)} new files: {accuracy:.3f}")

# %%
# The same files drawn with their predictions (the true names come from the
# order in which the files were written):
images = cnn[0].transform(new_files[:10])
ImageGridDisplay.from_predictions(
    images, np.array(NAMES)[y_test[:10]], predicted[:10], n_images=10
)

# %%
# Saving the fitted pipeline
# --------------------------
# The whole pipeline, loader included, is one file that predicts on paths in
# another process. :func:`skcnn.io.dump` writes it as data (JSON, arrays and
# the network as a ``.keras`` file), which :func:`skcnn.io.load` reads back
# without running code from the file, unlike a pickle.
dump(cnn, root / "digits-cnn.skcnn")
restored = load(root / "digits-cnn.skcnn")
print(restored.predict(new_files[:5]))

# %%
# The temporary folder goes away with its files.
workdir.cleanup()
