"""The generated figures of README.md and docs/performance.md.

Every measured figure in those files is generated from a stored results
file by ``python -m benchmarks.docs``; these tests fail when the files say
something else than their results files, or carry a figure outside the
generated blocks.
"""

import json
import re

import pytest

from benchmarks import _targets, bench_full_scale, docs
from benchmarks._common import ROOT

STORED = ROOT / "benchmarks" / "results" / "2026-11-22.json"

# Numbers with units outside the generated blocks, each a setting of a
# measurement rather than a result of one, and why it may stay.
SETTINGS = {
    "99 %": "the accuracy the full-scale section times (its target)",
    "99.0 %": "the same",
    "2,048 ×": "the size of the matrices the peak rate is measured with",
    "2 ms": "how often the memory benchmark samples the resident set size",
}
_FIGURE = re.compile(
    r"\d[\d,.]*\s?(?:ms|s|min|MB|GB|%|×|x|GFLOP/s|images/s|times)(?!\w)"
)


@pytest.mark.parametrize("name", docs.DOCUMENTS)
def test_documents_match_their_results_files(name):
    text = (ROOT / name).read_text()
    sources = docs.sources(text)
    assert sources, f"{name} has no generated block naming a results file"
    for source in sources:
        assert (ROOT / source).is_file(), source
    assert docs.render(text) == text, (
        f"{name} differs from what {', '.join(sources)} produce: run "
        "python -m benchmarks.docs"
    )


@pytest.mark.parametrize("name", docs.DOCUMENTS)
def test_no_measured_figure_outside_the_generated_blocks(name):
    text = (ROOT / name).read_text()
    if name == "README.md":  # the Performance section; the rest shows output
        start = text.index("## Performance")
        text = text[start : text.index("\n## ", start)]
    outside = docs._BLOCK.sub("", text)
    found = {m.group() for m in _FIGURE.finditer(outside)}
    assert found <= set(SETTINGS), f"figures outside generated blocks: {found}"


def test_the_allowed_settings_are_the_benchmarks_settings():
    assert bench_full_scale.FULL["target"] == 0.99


def test_render_rewrites_only_the_blocks(tmp_path):
    results = json.loads(STORED.read_text())
    results["memory"]["peak_extra_over_float32"] = 1.4321
    (tmp_path / "run.json").write_text(json.dumps(results))
    text = (
        "Hand-written prose stays.\n"
        "<!-- benchmarks:readme run.json -->\n"
        "stale figures\n"
        "<!-- /benchmarks:readme -->\n"
        "More prose, quoting `<!-- benchmarks:table FILE -->`.\n"
        "<!-- benchmarks:targets -->\n"
        "<!-- /benchmarks:targets -->\n"
    )
    new = docs.render(text, root=tmp_path)
    assert new.startswith("Hand-written prose stays.\n<!-- benchmarks:readme")
    assert "stale figures" not in new and "1.43×" in new
    assert "More prose, quoting `<!-- benchmarks:table FILE -->`." in new
    assert "| `training` | " in new and "| ≤ 1.03 | yes |" in new
    assert docs.render(new, root=tmp_path) == new
    assert docs.sources(new) == ["run.json"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- benchmarks:table x.json -->\nno end\n", "no matching"),
        ("<!-- benchmarks:graph x.json -->\n<!-- /benchmarks:graph -->", "unknown"),
        ("<!-- benchmarks:table -->\n<!-- /benchmarks:table -->", "names no results"),
    ],
)
def test_malformed_blocks_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        docs.render(text)


def test_readme_paragraph_of_a_run_without_full_scale_and_missing_targets():
    results = json.loads(STORED.read_text())
    results["full_scale"] = {"skipped": "no files"}
    results["training"]["ratio_skcnn_to_raw"] = 1.2
    del results["prediction"]["ratio_skcnn_to_compiled_call"]
    text = docs.readme_paragraph(results, "run.json").replace("\n", " ")
    assert "50,000/10,000" not in text
    assert "on the 4,000/1,000 MNIST sample split, `CNNClassifier()`" in text
    assert "compiled network call" not in text
    assert "It misses 1 of the 7 checked targets it measured" in text


def test_readme_paragraph_when_99_percent_is_not_reached():
    results = json.loads(STORED.read_text())
    results["full_scale"]["models"][_targets.DEFAULTS]["time_to_target_s"] = None
    text = docs.readme_paragraph(results, "run.json").replace("\n", " ")
    assert "and does not reach 99.0 %," in text


def test_shortfalls_list_misses_and_what_was_not_measured():
    results = json.loads(STORED.read_text())
    text = docs.shortfalls(results, "run.json").replace("\n  ", " ")
    lines = text.splitlines()
    assert lines[0].startswith("- **1-image predict**: 2.175 ms, against a goal")
    assert lines[-1].startswith("- Not measured in this run: full MNIST, 3 splits")
    results["quick"] = True
    assert "not held against the targets" in docs.shortfalls(results, "run.json")


def test_wrapping_never_parts_a_number_from_its_unit():
    for n in range(60, 80):  # the line break falls everywhere near the figures
        text = docs._fill("a" * n + " 99.58 % and ≤ 1.5 ms, 25 MB")
        for figure in ("99.58 %", "≤ 1.5 ms", "25 MB"):
            assert figure in text, text
