"""Image trees written with Pillow for the command's tests."""

import numpy as np
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
