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


#: Class names long enough to run into each other on a figure's axis.
LONG_CLASSES = ("african_bush_elephant", "reticulated_giraffe", "plains_zebra", "lion")
#: The (height, width) of a mixed tree's images, in turn: medians 14 x 14.
MIXED_SIZES = ((12, 16), (16, 16), (10, 14), (16, 12), (14, 14))


def write_mixed_tree(root, *, classes=LONG_CLASSES, n_per_class=10):
    """RGB PNG files of :data:`MIXED_SIZES`, one folder per class.

    Class ``c`` is a gray level ``40 + 50 c`` with seeded noise, so that the
    classes can be learned; image ``i`` of class ``c`` has size
    ``MIXED_SIZES[(i + c) % 5]``. Returns the list of files written.
    """
    rng = np.random.default_rng(0)
    written = []
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            h, w = MIXED_SIZES[(i + c) % len(MIXED_SIZES)]
            pixels = 40 + 50 * c + rng.integers(0, 40, (h, w, 3))
            path = root / name / f"{i:02d}.png"
            Image.fromarray(pixels.astype(np.uint8)).save(path)
            written.append(path)
    return written
