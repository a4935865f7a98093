"""The figures of README.md and docs/performance.md, generated from results.

Every measured figure in those files sits in a generated block::

    <!-- benchmarks:KIND benchmarks/results/FILE.json -->
    ...generated text...
    <!-- /benchmarks:KIND -->

whose opening marker names the stored results file (relative to the
repository root) it comes from. The kinds are ``readme`` (the README's
Performance paragraph), ``table`` (the report of ``python -m benchmarks``:
every measurement, with its targets), ``shortfalls`` (the targets and goals
the run missed, and those it did not measure) and ``targets`` (the list of
targets, from ``benchmarks/_targets.py``; it names no file). Text outside the
blocks is written by hand and left alone.

``python -m benchmarks.docs`` rewrites the blocks of both files; to show
another run, change the file named in the markers first. A test fails when
the files differ from what their results files produce.
"""

import argparse
import json
import re
import textwrap

from benchmarks import _report, _targets
from benchmarks.__main__ import BENCHMARKS
from benchmarks._common import ROOT
from skcnn._atomic import write_text

DOCUMENTS = ("README.md", "docs/performance.md")
"""The files with generated blocks, relative to the repository root."""

# Markers stand on lines of their own (quoted in prose, they are not markers).
_BLOCK = re.compile(
    r"^(?P<open><!-- benchmarks:(?P<kind>[a-z_]+)(?: (?P<source>\S+))? -->\n)"
    r"(?P<body>.*?)"
    r"^(?P<close><!-- /benchmarks:(?P=kind) -->)$",
    re.DOTALL | re.MULTILINE,
)
_OPENING = re.compile(r"^<!-- benchmarks:", re.MULTILINE)
_NBSP = "\u00a0"  # keeps a number and its unit on one line while wrapping


def _percent(fraction, decimals=2):
    return f"{100 * fraction:.{decimals}f} %"


_UNBREAKABLE = re.compile(r"(?<=[≤≥<]) |(?<=\d) (?=(?:ms|s|MB|%)(?:\W|$))")


def _fill(text, **indents):
    """``text`` wrapped at 78 characters, never between a number and its unit."""
    text = _UNBREAKABLE.sub(_NBSP, text)
    wrapped = textwrap.fill(
        text, width=78, break_on_hyphens=False, break_long_words=False, **indents
    )
    return wrapped.replace(_NBSP, " ")


def _wrap(sentences):
    return _fill(" ".join(sentences))


def readme_paragraph(results, source):
    """The README's Performance paragraph: the headline figures of one run."""
    machine = results["machine"]
    gpus = ", ".join(machine["gpus"]) or "no GPU"
    sentences = [
        f"In the stored run of {machine['date']} (`{source}`: "
        f"{machine['cpu_count']} CPU cores, {machine['processor']}, {gpus}):"
    ]
    measured = _measured(results)
    sample = "accuracy" in measured and results["accuracy"]
    if "full_scale" in measured:
        f = results["full_scale"]
        ours = f["models"][_targets.DEFAULTS]
        tutorial = f["models"]["tutorial CNN (raw Keras)"]
        reached = ours["time_to_target_s"]
        passes = (
            f"does not reach {_percent(f['target'], 1)}"
            if reached is None
            else f"passes {_percent(f['target'], 1)} after {reached:.0f} s"
        )
        sentence = (
            f"on a {f['train']:,}/{f['validation']:,} split of the real MNIST "
            f"training images, `CNNClassifier()` reaches "
            f"{_percent(ours['accuracy'])} validation accuracy and {passes}, when "
            f"the classic tutorial CNN ({_percent(tutorial['accuracy'])}) needs "
            f"{tutorial['fit_s']:.0f} s for its {tutorial['epochs']} epochs"
        )
        if sample:
            sentence += (
                f"; on the {sample['train']:,}/{sample['test']:,} MNIST sample "
                f"split it reaches "
                f"{_percent(sample['models'][_targets.DEFAULTS]['accuracy'], 1)}"
            )
        sentences.append(sentence + ".")
    elif sample:
        sentences.append(
            f"on the {sample['train']:,}/{sample['test']:,} MNIST sample split, "
            "`CNNClassifier()` reaches "
            f"{_percent(sample['models'][_targets.DEFAULTS]['accuracy'], 1)}."
        )
    if "training" in measured:
        sentences.append(
            "An epoch through skcnn's pipeline from uint8 takes "
            f"{results['training']['ratio_skcnn_to_raw']:.2f}× the time of the "
            "same network in raw Keras."
        )
    if "prediction" in measured:
        p = results["prediction"]
        compiled = p.get("ratio_skcnn_to_compiled_call")
        sentences.append(
            "One-image `predict` takes "
            f"{p['latency_ms_one_image']['skcnn_predict']:.2f} ms, "
            + (
                ""
                if compiled is None
                else f"{compiled:.2f}× the compiled network call and "
            )
            + f"{p['speedup_vs_scikeras']:.1f}× faster than scikeras."
        )
    memory = []
    if "memory" in measured:
        memory.append(
            "a pipeline fit from uint8 peaks at "
            f"{results['memory']['peak_extra_over_float32']:.2f}× the data's "
            "float32 size"
        )
    if "repeated_fits" in measured:
        r = results["repeated_fits"]
        memory.append(
            f"{r['fits']} fits in one process grow it by "
            f"{r['skcnn_growth_mb']:.0f} MB (plain Keras: "
            f"{r['keras_growth_mb']:.0f} MB)"
        )
    if memory:
        text = ", and ".join(memory)
        sentences.append(text[0].upper() + text[1:] + ".")
    sentences.append(_verdicts(results))
    return _wrap(sentences)


def _measured(results):
    return {
        name
        for name in BENCHMARKS
        if isinstance(results.get(name), dict)
        and "error" not in results[name]
        and "skipped" not in results[name]
    }


def _verdicts(results):
    """One sentence: how many checked targets and time goals the run met."""
    if results.get("quick"):
        return "This was a quick run: its figures are not held against targets."
    counts = {}
    for target, _, verdict in _targets.evaluate(results):
        if verdict != "not measured":
            tally = counts.setdefault(target.checked, {"met": 0, "missed": 0})
            tally[verdict] += 1
    checked = counts.get(True, {"met": 0, "missed": 0})
    goals = counts.get(False, {"met": 0, "missed": 0})
    n = checked["met"] + checked["missed"]
    if checked["missed"]:
        sentence = f"It misses {checked['missed']} of the {n} checked targets"
    else:
        sentence = f"It meets all {n} checked targets"
    return (
        sentence + f" it measured and {goals['met']} of its "
        f"{goals['met'] + goals['missed']} time goals."
    )


def table(results, source):
    """The report of ``python -m benchmarks --results FILE``: the whole table."""
    return _report.markdown(results, [name for name in BENCHMARKS if name in results])


def shortfalls(results, source):
    """Bullets: the targets and goals the run missed, and what it did not measure."""
    if results.get("quick"):
        return "- A quick run: not held against the targets."
    lines, unmeasured = [], []
    for target, value, verdict in _targets.evaluate(results):
        if verdict == "missed":
            shown = _targets.figure(target, value)
            kind = (
                "a checked target"
                if target.checked
                else "a goal (a time: reported, not checked)"
            )
            lines.append(
                f"**{target.what}**: {shown}, against {kind} of {target.shown()}."
            )
        elif verdict == "not measured":
            unmeasured.append(f"{target.what} ({target.shown()})")
    if not lines:
        lines.append("No target or goal measured in this run was missed.")
    if unmeasured:
        lines.append(f"Not measured in this run: {'; '.join(unmeasured)}.")
    return "\n".join(_bullet(line) for line in lines)


def _bullet(text):
    return _fill(text, initial_indent="- ", subsequent_indent="  ")


def targets_list(results=None, source=None):
    """A table of every target of ``benchmarks/_targets.py``, checked or not."""
    lines = [
        "| benchmark | figure | target | checked |",
        "|---|---|---|---|",
    ]
    for target in _targets.TARGETS:
        checked = "yes" if target.checked else "no: a time"
        lines.append(
            f"| `{target.benchmark}` | {target.what} | {target.shown()} | {checked} |"
        )
    return "\n".join(lines)


RENDERERS = {
    "readme": readme_paragraph,
    "table": table,
    "shortfalls": shortfalls,
    "targets": targets_list,
}
WITHOUT_RESULTS = {"targets"}
"""The kinds of block that name no results file."""


def render(text, root=ROOT):
    """``text`` with each generated block rewritten from its results file."""
    blocks = list(_BLOCK.finditer(text))
    if len(blocks) != len(_OPENING.findall(text)):
        raise ValueError(
            "a '<!-- benchmarks:KIND FILE -->' marker has no matching "
            "'<!-- /benchmarks:KIND -->' after it."
        )
    cache = {}

    def replace(match):
        kind, source = match["kind"], match["source"]
        if kind not in RENDERERS:
            raise ValueError(
                f"unknown generated block 'benchmarks:{kind}'; expected one of "
                f"{', '.join(RENDERERS)}."
            )
        if kind in WITHOUT_RESULTS:
            results = None
        elif source is None:
            raise ValueError(f"the block 'benchmarks:{kind}' names no results file.")
        else:
            if source not in cache:
                cache[source] = json.loads((root / source).read_text())
            results = cache[source]
        body = RENDERERS[kind](results, source)
        return f"{match['open']}{body}\n{match['close']}"

    return _BLOCK.sub(replace, text)


def sources(text):
    """The results files the blocks of ``text`` name, in order, once each."""
    return list(
        dict.fromkeys(m["source"] for m in _BLOCK.finditer(text) if m["source"])
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.docs",
        description="Rewrite the generated blocks of "
        + " and ".join(DOCUMENTS)
        + " from the results files they name.",
    )
    parser.parse_args(argv)
    for name in DOCUMENTS:
        path = ROOT / name
        text = path.read_text()
        new = render(text)
        if new != text:
            write_text(path, new)
        print(f"{name}: {'rewritten' if new != text else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
