"""``skcnn compare`` end to end on tiny settings (array datasets)."""

import json
import re

import pytest

from skcnn.cli import main
from skcnn.inspection._saliency import DEFAULT_METHOD

# Every test trains the CNN on all 1,437 training digits.
pytestmark = pytest.mark.slow


def _table_accuracies(text):
    """{model: accuracy} from the Markdown table rows in ``text``."""
    return {
        name: float(accuracy)
        for name, accuracy in re.findall(r"^\| (\w+) \| ([0-9.]+) \|", text, re.M)
    }


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(
            [
                "compare",
                "--dataset",
                "digits",
                "--epochs",
                "2",
                "--baselines",
                "logreg,knn",
                "--out",
                str(out),
            ]
        )
    return code, printed.getvalue(), out


def test_compare_end_to_end(digits_run):
    code, printed, out = digits_run
    assert code == 0
    assert "train images (1437, 64)" in printed
    assert "epoch 2/2" in printed  # progress per epoch
    assert "| model | accuracy | fit s | predict ms/image |" in printed
    for name in ("CNNClassifier", "LogisticRegression", "KNeighborsClassifier"):
        assert f"| {name} |" in printed
    results = json.loads((out / "results.json").read_text())
    assert results["dataset"] == "digits"
    assert results["n_train"] == 1437 and results["n_test"] == 360
    assert [m["model"] for m in results["models"]] == [
        "CNNClassifier",
        "LogisticRegression",
        "KNeighborsClassifier",
    ]
    for model in results["models"]:
        assert 0.0 <= model["accuracy"] <= 1.0
        assert model["fit_seconds"] > 0 and model["predict_ms_per_image"] > 0
    assert len(results["cnn_history"]["loss"]) == 2
    report = (out / "report.md").read_text()
    expected = {
        "samples",
        "class_distribution",
        "training_curves",
        "confusion_matrix",
        "misclassified",
        "filters",
        "comparison",
        "saliency",
    }
    assert set(results["pictures"]) == expected
    for picture in results["pictures"].values():
        assert (out / picture).stat().st_size > 1000
        assert f"]({picture})" in report


def test_the_report_shows_the_saliency_of_misclassified_images(digits_run):
    from PIL import Image

    _, _, out = digits_run
    results = json.loads((out / "results.json").read_text())
    cnn = results["models"][0]
    n_wrong = round((1 - cnn["accuracy"]) * results["n_test"])
    assert n_wrong > 0  # two epochs leave mistakes to explain
    assert results["pictures"]["saliency"] == "saliency_misclassified.png"
    assert results["saliency"] == {
        "method": DEFAULT_METHOD,
        "images": "misclassified",
        "n_images": min(10, n_wrong),
        "of": n_wrong,
    }
    with Image.open(out / "saliency_misclassified.png") as picture:
        assert picture.format == "PNG" and picture.size[0] > 500
    report = " ".join((out / "report.md").read_text().split())
    caption = (
        f"Saliency maps ({DEFAULT_METHOD}) of {min(10, n_wrong)} of the {n_wrong} "
        "misclassified test images"
    )
    assert caption in report
    assert report.index(caption) < report.index("](saliency_misclassified.png)")


def test_printed_accuracies_match_results_and_report(digits_run):
    _, printed, out = digits_run
    results = json.loads((out / "results.json").read_text())
    written = {m["model"]: round(m["accuracy"], 4) for m in results["models"]}
    assert _table_accuracies(printed) == written
    assert _table_accuracies((out / "report.md").read_text()) == written


def test_baseline_accuracy_matches_a_recomputation(digits_run):
    # LogisticRegression is deterministic: refit it the way the command does.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from skcnn import PixelScaler
    from skcnn.datasets import load_digits_images, split_train_test

    _, _, out = digits_run
    X_train, X_test, y_train, y_test = split_train_test(load_digits_images())
    model = make_pipeline(PixelScaler(max_value=16), LogisticRegression(max_iter=1000))
    accuracy = model.fit(X_train, y_train).score(X_test, y_test)
    results = json.loads((out / "results.json").read_text())
    assert results["models"][1]["model"] == "LogisticRegression"
    assert results["models"][1]["accuracy"] == accuracy


def test_compare_quiet_prints_only_the_table(tmp_path, capsys):
    argv = ["compare", "--dataset", "digits", "--epochs", "1", "--quiet"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "epoch" not in printed and "training" not in printed
    assert "| CNNClassifier |" in printed
