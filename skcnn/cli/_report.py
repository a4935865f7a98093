"""What the subcommands print and write: tables, pictures, results.json, report.md."""

import json
import sys
import textwrap


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


def plot_comparison(rows, path, highlight=("CNNClassifier",)):
    """Bar charts of accuracy and fit time per model; returns the file name.

    The models named in ``highlight`` (the CNN rows) are drawn in blue, the
    others in gray.
    """
    import matplotlib.pyplot as plt

    fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(10, 3.5))
    names = [row["model"] for row in rows]
    colors = ["tab:blue" if n in highlight else "tab:gray" for n in names]
    # Long names (the backbone rows') on two lines: one line would take the
    # room of the bars.
    labels = [textwrap.fill(n, 26, break_long_words=False) for n in names]
    accuracy = [row["accuracy"] for row in rows]
    bars = ax_acc.barh(labels, accuracy, color=colors)
    ax_acc.bar_label(bars, fmt="%.3f", padding=3)
    ax_acc.set_xlim(min(accuracy) * 0.95, 1.0)
    ax_acc.set_xlabel("test accuracy")
    ax_acc.invert_yaxis()
    ax_time.barh(labels, [row["fit_seconds"] for row in rows], color=colors)
    ax_time.set_xlabel("fit seconds")
    ax_time.invert_yaxis()
    fig.suptitle("CNN versus baselines")
    fig.tight_layout()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path.name


def _backbone_section(results):
    """The report's part on the pretrained backbone, if there was one."""
    if "backbone" not in results:
        return ""
    b = results["backbone"]
    weights = {
        None: "its own weights",
        "imagenet": "ImageNet weights",
        "none": "random weights",
    }.get(b["weights"], f"the weights in {b['weights']}")
    side = b["image_size"]
    size = "its own input size" if side is None else f"{side}x{side}"
    if b["fine_tune"] > 0:
        tuned = (
            f"then fine-tuned the top {100 * b['fine_tune']:g} % of the\n"
            f"backbone's layers for {b['fine_tune_epochs']} epochs"
        )
    else:
        tuned = "with the\nbackbone frozen"
    return f"""
## The pretrained backbone

Backbone **{b["backbone"]}** ({weights}, images resized to {size}).
CNNClassifier trained its head for {b["head_epochs"]} epochs, {tuned}.
ImageEmbedder + LogisticRegression used the backbone's pooled features as
they are.

![backbone training curves]({results["pictures"]["backbone_training_curves"]})
"""


def compare_report(results, table):
    """The Markdown text of ``report.md`` for ``skcnn compare``."""
    p = results["pictures"]
    saved = ""
    if "saved_row" in results:
        saved = (
            f"\nSaved to `{results['saved_model']}`: the fitted "
            f"{results['saved_row']} pipeline.\n"
        )
    return f"""# skcnn compare

Dataset: **{results["dataset"]}**, {results["n_train"]} training and
{results["n_test"]} test images of shape {tuple(results["image_shape"])};
CNN trained for {results["epochs"]} epochs. skcnn {results["skcnn_version"]}.

{table}
{saved}
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
{_backbone_section(results)}"""


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
