"""The defaults on images of other shapes than MNIST's.

- scikit-learn's 8×8 digits (1,797 images, 16 grey levels): 5-fold
  stratified cross-validation of ``PixelScaler(max_value=16) →
  CNNClassifier()`` with its defaults, mean accuracy and the wall time of
  the whole cross-validation.
- 32×32 colour images, CIFAR-10's shape: 50,000 random uint8 images in 10
  classes (CIFAR-10 itself would have to be downloaded), trained through
  ``PixelScaler → CNNClassifier()`` for two epochs: the seconds of the
  second epoch (the first includes tracing), the number of epochs
  ``epochs="auto"`` gives at this size, and the default fit time they make.
  Random pixels measure time only, not accuracy.
"""

import time

from benchmarks._common import epoch_timer, standalone, traced_epochs

FULL = {"folds": 5, "digits_epochs": None, "colour_images": 50_000, "colour_epochs": 2}
QUICK = {"folds": 2, "digits_epochs": 1, "colour_images": 512, "colour_epochs": 1}


def run(quick):
    """Digits cross-validation accuracy and 32×32×3 training time."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, PixelScaler
    from skcnn._engine.parameters import auto_epochs
    from skcnn.datasets import load_digits_images

    cfg = QUICK if quick else FULL
    digits = load_digits_images()
    epochs = {} if cfg["digits_epochs"] is None else {"epochs": cfg["digits_epochs"]}
    pipe = make_pipeline(
        PixelScaler(max_value=16), CNNClassifier(random_state=0, **epochs)
    )
    folds = StratifiedKFold(cfg["folds"], shuffle=True, random_state=0)
    start = time.perf_counter()
    scores = cross_val_score(pipe, digits.images, digits.target, cv=folds)
    digits_s = time.perf_counter() - start

    n = cfg["colour_images"]
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n)
    timer = epoch_timer()
    clf = CNNClassifier(epochs=cfg["colour_epochs"], random_state=0, callbacks=[timer])
    make_pipeline(PixelScaler(), clf).fit(images, labels)
    epoch_s = traced_epochs(timer.seconds)[-1]
    return {
        "digits": {
            "folds": cfg["folds"],
            "accuracy_mean": float(np.mean(scores)),
            "accuracy_std": float(np.std(scores)),
            "cv_s": digits_s,
        },
        "colour_32": {
            "images": n,
            "epoch_s": epoch_s,
            "auto_epochs": auto_epochs(n),
            "default_fit_s_estimate": epoch_s * auto_epochs(n),
        },
    }


if __name__ == "__main__":
    standalone(run, __doc__)
