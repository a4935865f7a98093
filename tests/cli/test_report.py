"""What the subcommands print and write: tables, pictures, results.json, report.md."""

import io
import json
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from skcnn.cli import _report  # noqa: E402

PICTURES = {
    "comparison": "comparison.png",
    "samples": "samples.png",
    "class_distribution": "class_distribution.png",
    "training_curves": "training_curves.png",
    "confusion_matrix": "confusion_matrix.png",
    "misclassified": "misclassified.png",
    "filters": "filters.png",
}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_printer_prints_unless_quiet(capsys):
    _report.Printer(False)("training ...")
    _report.Printer(False)()
    _report.Printer(True)("not shown")
    assert capsys.readouterr() == ("training ...\n\n", "")


def test_format_table_is_markdown_with_formatted_cells():
    rows = [
        {"model": "CNNClassifier", "accuracy": 0.98765, "rank": 1, "extra": "x"},
        {"model": "SVC", "accuracy": 0.5, "rank": 2, "extra": "y"},
    ]
    columns = [("model", "model", ""), ("accuracy", "acc", ".3f"), ("rank", "#", "d")]
    assert _report.format_table(rows, columns) == (
        "| model | acc | # |\n"
        "|-------|-----|---|\n"
        "| CNNClassifier | 0.988 | 1 |\n"
        "| SVC | 0.500 | 2 |"
    )
    assert (
        _report.format_table([], columns) == "| model | acc | # |\n|-------|-----|---|"
    )
    with pytest.raises(KeyError):
        _report.format_table([{"model": "SVC"}], columns)


def test_write_results_writes_indented_json(tmp_path):
    results = {"command": "compare", "models": [{"accuracy": 0.5}], "n": 3}
    _report.write_results(tmp_path, results)
    text = (tmp_path / "results.json").read_text()
    assert json.loads(text) == results
    assert text.startswith('{\n  "command": "compare",\n')
    _report.write_results(tmp_path, {"n": 4})  # written again, replaced
    assert json.loads((tmp_path / "results.json").read_text()) == {"n": 4}


def test_save_picture_writes_a_png_and_closes_the_figure(tmp_path):
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.eye(4))
    display = SimpleNamespace(figure_=figure)
    assert _report.save_picture(display, tmp_path / "eye.png") == "eye.png"
    assert not plt.fignum_exists(figure.number)
    with Image.open(tmp_path / "eye.png") as image:
        assert image.format == "PNG"
        width, height = image.size
    # 100 dots per inch, trimmed to what is drawn: at most 300 x 200.
    assert 100 < width <= 300 and 100 < height <= 200


def test_plot_comparison_draws_accuracy_and_fit_time(tmp_path, monkeypatch):
    rows = [
        {"model": "CNNClassifier", "accuracy": 0.95, "fit_seconds": 12.0},
        {"model": "LogisticRegression", "accuracy": 0.9, "fit_seconds": 1.5},
    ]
    figures = []
    close = plt.close
    monkeypatch.setattr(
        plt, "close", lambda fig=None: figures.append(fig) or close(fig)
    )
    assert _report.plot_comparison(rows, tmp_path / "cmp.png") == "cmp.png"
    (figure,) = figures
    assert not plt.fignum_exists(figure.number)
    ax_acc, ax_time = figure.axes
    assert [bar.get_width() for bar in ax_acc.patches] == [0.95, 0.9]
    assert [bar.get_width() for bar in ax_time.patches] == [12.0, 1.5]
    labels = [t.get_text() for t in ax_acc.get_yticklabels()]
    assert labels == ["CNNClassifier", "LogisticRegression"]
    assert [t.get_text() for t in ax_acc.texts] == ["0.950", "0.900"]
    assert ax_acc.get_xlim() == pytest.approx((0.9 * 0.95, 1.0))
    assert ax_acc.yaxis_inverted() and ax_time.yaxis_inverted()  # CNN on top
    colours = [bar.get_facecolor() for bar in ax_acc.patches]
    assert colours[0] == matplotlib.colors.to_rgba("tab:blue")
    assert colours[1] == matplotlib.colors.to_rgba("tab:gray")
    assert (ax_acc.get_xlabel(), ax_time.get_xlabel()) == (
        "test accuracy",
        "fit seconds",
    )
    with Image.open(tmp_path / "cmp.png") as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width > 2 * height  # two panels side by side, 10 x 3.5 inches


def _results():
    return {
        "dataset": "digits",
        "n_train": 1437,
        "n_test": 360,
        "image_shape": [8, 8, 1],
        "epochs": 7,
        "skcnn_version": "9.9.9",
        "pictures": PICTURES,
    }


def test_compare_report_states_the_run_and_links_every_picture():
    table = "| model | accuracy |\n|---|---|\n| SVC | 0.5000 |"
    report = _report.compare_report(_results(), table)
    assert report.startswith("# skcnn compare\n\nDataset: **digits**, 1437 training")
    assert "360 test images of shape (8, 8, 1);" in report
    assert "CNN trained for 7 epochs. skcnn 9.9.9." in report
    assert f"\n{table}\n" in report
    for name, file in PICTURES.items():
        assert report.count(f"]({file})") == 1, name
    titles = ["## The data", "## The CNN"]
    assert all(title in report for title in titles)
    assert report.index("](comparison.png)") < report.index("## The data")
    assert report.index("](filters.png)") > report.index("## The CNN")


def test_compare_report_needs_every_picture():
    results = _results()
    results["pictures"] = {k: v for k, v in PICTURES.items() if k != "filters"}
    with pytest.raises(KeyError, match="filters"):
        _report.compare_report(results, "")


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [False, True])
def test_progress_lines(monkeypatch, tty):
    stream = _Stream(tty)
    monkeypatch.setattr("sys.stderr", stream)
    progress = _report.Progress("predicting", 30)
    for done in (10, 20, 30):
        progress.show(done)
    progress.close()
    if tty:  # redrawn in place, one newline at the end
        expected = "\rpredicting: 10/30\rpredicting: 20/30\rpredicting: 30/30\n"
    else:  # one line each, as a log file wants
        expected = "predicting: 10/30\npredicting: 20/30\npredicting: 30/30\n"
    assert stream.getvalue() == expected


@pytest.mark.parametrize("tty", [False, True])
def test_disabled_progress_writes_nothing(monkeypatch, tty):
    stream = _Stream(tty)
    monkeypatch.setattr("sys.stderr", stream)
    progress = _report.Progress("predicting", 30, enabled=False)
    progress.show(10)
    progress.close()
    assert stream.getvalue() == ""
