"""Image trees written with Pillow and saved models for the command's tests."""

import pytest

from tests.cli._trees import write_digit_tree


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


@pytest.fixture(scope="session")
def safe_file_model(tmp_path_factory, file_model):
    """The pipeline of ``file_model`` written with skcnn.io: ``(path, pipeline)``."""
    from skcnn.io import dump

    path = tmp_path_factory.mktemp("safe_model") / "digits.skcnn"
    dump(file_model[1], path)
    return path, file_model[1]


@pytest.fixture(scope="session")
def cnn_file(tmp_path_factory, digits):
    """A tiny skcnn network trained on 8x8 digits, saved as a .keras file.

    A backbone that builds and trains in seconds (``--backbone PATH``).
    """
    from tests._helpers import small_cnn

    X, y = digits
    classifier = small_cnn(filters=(4,), dense_units=0, epochs=1).fit(X, y)
    path = tmp_path_factory.mktemp("backbone") / "tiny_cnn.keras"
    classifier.model_.save(path)
    return path
