"""Accuracy and fit time on the MNIST sample that ships with skcnn.

The 5,000-image sample split 4,000/1,000 (stratified, fixed), three
pipelines from uint8: ``CNNClassifier()`` with its defaults, the classic
tutorial CNN (``build_tutorial_mnist_cnn``, Adam, 10 epochs, batch 128)
through ``CNNClassifier(model=...)``, and ``LogisticRegression``. The fit
time is the wall time of the pipeline's ``fit``.
"""

import time

from benchmarks._common import standalone, tutorial_model

FULL = {"train": 4000, "epochs": None, "tutorial_epochs": 10, "max_iter": 1000}
QUICK = {"train": 500, "epochs": 1, "tutorial_epochs": 1, "max_iter": 200}


def run(quick):
    """Test accuracy and fit seconds of each pipeline."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import CNNClassifier, ImageReshaper, PixelScaler
    from skcnn.datasets import fetch_mnist, split_train_test

    cfg = QUICK if quick else FULL
    X_train, X_test, y_train, y_test = split_train_test(fetch_mnist(source="sample"))
    X_train, y_train = X_train[: cfg["train"]], y_train[: cfg["train"]]
    # None keeps the estimator's own default number of epochs.
    epochs = {} if cfg["epochs"] is None else {"epochs": cfg["epochs"]}
    candidates = {
        "CNNClassifier() defaults": CNNClassifier(random_state=0, **epochs),
        "tutorial CNN": CNNClassifier(
            model=tutorial_model,
            epochs=cfg["tutorial_epochs"],
            batch_size=128,
            random_state=0,
        ),
        "LogisticRegression": LogisticRegression(max_iter=cfg["max_iter"]),
    }
    rows = {}
    for name, estimator in candidates.items():
        steps = [PixelScaler(), estimator]
        if isinstance(estimator, CNNClassifier):
            steps.insert(0, ImageReshaper(image_shape=(28, 28)))
        pipe = make_pipeline(*steps)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows[name] = {"accuracy": pipe.score(X_test, y_test), "fit_s": seconds}
    return {"train": len(X_train), "test": len(X_test), "models": rows}


if __name__ == "__main__":
    standalone(run, __doc__)
