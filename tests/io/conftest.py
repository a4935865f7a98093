"""Fitted models and their .skcnn files, shared by the io tests."""

import pytest


@pytest.fixture(scope="session")
def small_classifier(digits_scaled):
    """A tiny CNNClassifier fitted on 8x8 digits (one block of 4 filters)."""
    from tests._helpers import small_cnn

    X, y = digits_scaled
    return small_cnn(filters=(4,), dense_units=0, epochs=1).fit(X, y)


@pytest.fixture(scope="session")
def classifier_file(tmp_path_factory, small_classifier):
    """``small_classifier`` written with skcnn.io.dump."""
    from skcnn.io import dump

    path = tmp_path_factory.mktemp("io") / "classifier.skcnn"
    dump(small_classifier, path)
    return path
