"""What the subcommands print and write: tables, pictures, results.json, report.md."""

import json
import sys


class Printer:
    """Print progress messages unless ``quiet``; the final table always prints."""

    def __init__(self, quiet):
        self.quiet = quiet

    def __call__(self, message=""):
        if not self.quiet:
            print(message, flush=True)


def save_picture(display, path):
    """Save a Display's figure to ``path``, close it and return the file name."""
    import matplotlib.pyplot as plt

    display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)
    return path.name


def format_table(rows, columns):
    """A Markdown table of ``rows`` (dicts) with the given (key, title, fmt)."""
    header = "| " + " | ".join(title for _, title, _ in columns) + " |"
    rule = "|" + "|".join("-" * (len(title) + 2) for _, title, _ in columns) + "|"
    lines = [header, rule]
    for row in rows:
        cells = [format(row[key], fmt) for key, _, fmt in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_results(out, results):
    """Write ``results`` as ``out/results.json``."""
    (out / "results.json").write_text(json.dumps(results, indent=2))


def plot_comparison(rows, path):
    """Bar charts of accuracy and fit time per model; returns the file name."""
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(10, 3.5))
    names = [row["model"] for row in rows]
    colors = ["tab:blue" if n == "CNNClassifier" else "tab:gray" for n in names]
    accuracy = [row["accuracy"] for row in rows]
    bars = ax_acc.barh(names, accuracy, color=colors)
    ax_acc.bar_label(bars, fmt="%.3f", padding=3)
    ax_acc.set_xlim(min(accuracy) * 0.95, 1.0)
    ax_acc.set_xlabel("test accuracy")
    ax_acc.invert_yaxis()
    ax_time.barh(names, [row["fit_seconds"] for row in rows], color=colors)
    ax_time.set_xlabel("fit seconds")
    ax_time.invert_yaxis()
    fig.suptitle("CNN versus baselines")
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def compare_report(results, table):
    """The Markdown text of ``report.md`` for ``skcnn compare``."""
    p = results["pictures"]
    return f"""# skcnn compare

Dataset: **{results["dataset"]}**, {results["n_train"]} training and
{results["n_test"]} test images of shape {tuple(results["image_shape"])};
CNN trained for {results["epochs"]} epochs. skcnn {results["skcnn_version"]}.

{table}

![comparison]({p["comparison"]})

## The data

![samples]({p["samples"]})

![class distribution]({p["class_distribution"]})

## The CNN

![training curves]({p["training_curves"]})

![confusion matrix]({p["confusion_matrix"]})

Misclassified test images:

![misclassified]({p["misclassified"]})

Learned first-layer filters:

![filters]({p["filters"]})
"""


class Progress:
    """A ``label: done/total`` line on stderr, redrawn in place on a terminal."""

    def __init__(self, label, total, enabled=True):
        self.label, self.total, self.enabled = label, total, enabled
        self.redraw = enabled and sys.stderr.isatty()

    def show(self, done):
        if self.enabled:
            end = "" if self.redraw else "\n"
            start = "\r" if self.redraw else ""
            sys.stderr.write(f"{start}{self.label}: {done}/{self.total}{end}")
            sys.stderr.flush()

    def close(self):
        if self.redraw:
            sys.stderr.write("\n")
