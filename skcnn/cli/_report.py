"""What the subcommands print and write: tables, pictures, results.json, report.md."""

import itertools
import json
import re
import sys
import textwrap

from .._atomic import atomic_write, check_writable, write_text
from ._errors import CommandError


class Printer:
    """Print progress messages unless ``quiet``; the final table always prints."""

    def __init__(self, quiet):
        self.quiet = quiet

    def __call__(self, message=""):
        if not self.quiet:
            print(message, flush=True)


def check_folders(targets):
    """Refuse output folders that cannot be written, before any training.

    ``targets`` maps an option (``"--out"``) to the path given (None: not
    given) and the folder it writes into (the path itself, or its parent
    for a file). A folder that does not exist yet is not made here (the
    command makes it when it writes): the nearest one above it that exists
    must be writable. Raises a :class:`CommandError`.
    """
    for option, (given, folder) in targets.items():
        if given is None:
            continue
        existing = folder
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        try:
            if not existing.is_dir():
                raise NotADirectoryError(None, "not a folder")
            check_writable(existing)
        except OSError as exc:
            raise CommandError(
                f"{option} {given}: cannot write to {existing} "
                f"({exc.strerror or exc}); nothing was trained or written"
            ) from None


def save_figure(fig, path):
    """Save ``fig`` to ``path`` (atomically, in its suffix's format) and close it."""
    import matplotlib.pyplot as plt

    try:
        with atomic_write(path) as out:
            fig.savefig(out, format=path.suffix[1:], dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path.name


def save_picture(display, path):
    """Save a Display's figure to ``path``, close it and return the file name."""
    return save_figure(display.figure_, path)


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
    write_text(out / "results.json", json.dumps(results, indent=2))


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
    return save_figure(fig, path)


#: Tick labels are wrapped at this many characters: a long class name takes
#: two lines instead of the room of its neighbours.
LABEL_WIDTH = 16


def _wrap(text, width=LABEL_WIDTH):
    """``text`` in lines of at most ``width`` characters where it can break.

    Lines break after spaces, underscores and hyphens (class folders are
    often named ``african_elephant``); a longer word stays whole.
    """
    lines = []
    for line in str(text).split("\n"):
        current = ""
        for piece in re.split(r"(?<=[\s_-])", line):
            if current and len((current + piece).rstrip()) > width:
                lines.append(current.rstrip())
                current = piece
            else:
                current += piece
        lines.append(current.rstrip())
    return "\n".join(lines)


def _overlap(texts, renderer):
    """Whether any two of ``texts`` (tick labels, left to right) overlap."""
    boxes = sorted(
        (t.get_window_extent(renderer) for t in texts if t.get_text()),
        key=lambda box: box.x0,
    )
    # A gap of under 4 pixels reads as one word.
    return any(b.x0 < a.x1 + 4 for a, b in itertools.pairwise(boxes))


def readable_ticks(ax, axis="x"):
    """Wrap long tick labels of ``axis``; turn x labels 45° if they still overlap.

    Turned labels are left on one line each, and end under their tick
    (``ha="right"``, anchored), so that each still points at its column.
    Returns whether they were turned.
    """
    get = ax.get_xticklabels if axis == "x" else ax.get_yticklabels
    place = ax.set_xticks if axis == "x" else ax.set_yticks
    ticks = ax.get_xticks() if axis == "x" else ax.get_yticks()
    names = [text.get_text() for text in get()]
    place(ticks, [_wrap(name) for name in names])
    if axis != "x":
        return False
    figure = ax.figure
    figure.canvas.draw()  # lays the labels out, to measure them
    turned = _overlap(ax.get_xticklabels(), figure.canvas.get_renderer())
    if turned:
        place(ticks, names)
        for text in ax.get_xticklabels():
            text.set(rotation=45, ha="right", rotation_mode="anchor")
    return turned


def wrap_titles(display):
    """Wrap the long panel titles of an ImageGridDisplay (class names)."""
    for title in display.titles_:
        title.set_text(_wrap(title.get_text(), 20))


def confusion_matrix(y_true, y_pred, names, title):
    """A ConfusionMatrixDisplay of the class codes, readable with long names.

    All classes are drawn, present in the predictions or not; the figure
    grows with their number, and long names are wrapped and turned
    (:func:`readable_ticks`).
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import ConfusionMatrixDisplay

    side = max(6.4, 0.45 * len(names) + 2.5)
    figure, ax = plt.subplots(figsize=(side, 0.85 * side))
    display = ConfusionMatrixDisplay.from_predictions(
        y_true,
        y_pred,
        labels=np.arange(len(names)),
        display_labels=list(names),
        colorbar=False,
        ax=ax,
    )
    readable_ticks(ax, "x")
    readable_ticks(ax, "y")
    ax.set_title(title)
    return display


def _loading_section(results):
    """The report's lines on the image size, streaming and the baselines' sample."""
    from ._args import format_bytes
    from ._data import describe_sizing

    loading = results.get("loading")
    if not loading:
        return ""
    lines = []
    if loading["rule"] in ("median", "backbone"):
        lines.append(
            f"Images resized to {describe_sizing(loading)}; --image-size "
            "chooses another."
        )
    if loading["streamed"]:
        lines.append(
            "Streamed from disk, batch by batch: in memory the images would "
            f"have taken about {format_bytes(loading['memory_estimate_bytes'])}, "
            f"more than --memory-budget "
            f"{format_bytes(loading['memory_budget_bytes'])}."
        )
    sample = results.get("baseline_sample")
    if sample:
        h, w = sample["image_size"]
        lines.append(
            f"The baselines were fitted on a stratified sample of "
            f"{sample['n_images']:,} of the {sample['of']:,} training images, "
            f"decoded at {h}x{w}, and scored on the test images decoded the "
            "same way."
        )
    return "".join(f"\n{textwrap.fill(line, 79)}\n" for line in lines)


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


def _saliency_section(results):
    """The report's saliency picture and its caption, if it was drawn."""
    s = results.get("saliency")
    if not s or "saliency" not in results["pictures"]:
        return ""
    if s["images"] == "misclassified":
        which = f"{s['n_images']} of the {s['of']} misclassified test images"
    else:
        which = (
            f"{s['n_images']} correctly classified test images (none was misclassified)"
        )
    caption = textwrap.fill(
        f"Saliency maps ({s['method']}) of {which}: where the CNN found the "
        "evidence for the class it predicted.",
        79,
    )
    return f"""
{caption}

![saliency maps]({results["pictures"]["saliency"]})
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
{_loading_section(results)}
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
{_saliency_section(results)}
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
