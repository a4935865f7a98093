"""Image trees written with Pillow and saved models for the command's tests."""

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

#: Class folder names, not in digit order: labels must follow the folders.
CLASSES = {0: "zero", 1: "one", 2: "two"}


def write_digit_tree(root, *, n_train=30, n_test=10, split=True, size=8):
    """Digits 0-2 as grayscale PNG files, one folder per class.

    With ``split``, ``root/train/<class>/`` holds the first ``n_train`` of
    each class and ``root/test/<class>/`` the next ``n_test``; otherwise all
    go to ``root/<class>/``. ``size`` resizes the 8x8 digits. Returns the
    list of files written.
    """
    digits = load_digits()
    written, seen = [], dict.fromkeys(CLASSES, 0)
    for i, (image, target) in enumerate(zip(digits.images, digits.target, strict=True)):
        if target not in CLASSES or seen[target] >= n_train + n_test:
            continue
        part = ("train" if seen[target] < n_train else "test") if split else ""
        seen[target] += 1
        path = root / part / CLASSES[target] / f"{i:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        pixels = np.round(image * (255 / 16)).astype(np.uint8)
        picture = Image.fromarray(pixels)
        if size != 8:
            picture = picture.resize((size, size))
        picture.save(path)
        written.append(path)
    return written


@pytest.fixture(scope="session")
def digit_tree(tmp_path_factory):
    """A train/ and test/ tree of 90 + 30 digit PNG files."""
    root = tmp_path_factory.mktemp("digit_tree")
    write_digit_tree(root)
    return root


@pytest.fixture(scope="session")
def file_model(tmp_path_factory, digit_tree):
    """A fitted ImageLoader → PixelScaler → CNNClassifier saved with joblib.

    Returns ``(path, pipeline)``: the file and the pipeline object written.
    """
    import joblib
    from sklearn.pipeline import make_pipeline

    from skcnn import ImageLoader, PixelScaler
    from tests._helpers import small_cnn

    files = sorted((digit_tree / "train").rglob("*.png"))
    labels = [path.parent.name for path in files]
    model = make_pipeline(ImageLoader(), PixelScaler(), small_cnn(epochs=2))
    model.fit(files, labels)
    path = tmp_path_factory.mktemp("model") / "digits.joblib"
    joblib.dump(model, path)
    return path, model
