"""The targets the benchmark results are held against, in one place.

Each target names a figure of one benchmark's result (a path of keys), a
direction and a threshold. Targets on ratios of figures measured in the same
run, on memory and on accuracy are *checked*: ``python -m benchmarks --check``
fails when a full run misses one. Targets on absolute times are *goals*: the
report marks them met or missed, but they are never checked, since a time
depends on the machine and on what else it runs. A quick run proves nothing
either way and is never checked.
"""

import operator
from dataclasses import dataclass

DEFAULTS = "CNNClassifier() defaults"
"""The key of ``CNNClassifier()``'s row in the accuracy and full-scale results."""

_OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge}
_SYMBOLS = {"<=": "≤", "<": "<", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    """A threshold on one figure of a benchmark's result.

    ``kind`` is ``"ratio"``, ``"memory"`` or ``"accuracy"`` (checked) or
    ``"time"`` (a goal: reported, never checked).
    """

    name: str
    benchmark: str
    path: tuple
    op: str
    threshold: float
    unit: str
    kind: str
    what: str

    @property
    def checked(self):
        return self.kind != "time"

    def shown(self):
        """The threshold as the report shows it, e.g. ``≤ 1.5 ms``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{_SYMBOLS[self.op]} {self.threshold:g}{unit}"

    def met(self, value):
        """Whether ``value`` meets the target; None (never reached) does not.

        Compared at 9 decimals: a mean of accuracies such as 0.9959, 0.9956
        and 0.995 is 0.9955 exactly, but 0.99549999... in floating point.
        """
        return value is not None and _OPERATORS[self.op](
            round(value, 9), self.threshold
        )


TARGETS = (
    Target(
        "training_ratio",
        "training",
        ("ratio_skcnn_to_raw",),
        "<=",
        1.03,
        "",
        "ratio",
        "seconds per epoch, skcnn's pipeline from uint8 / raw Keras",
    ),
    Target(
        "predict_one_ratio",
        "prediction",
        ("ratio_skcnn_to_compiled_call",),
        "<=",
        1.3,
        "",
        "ratio",
        "1-image predict / the compiled network call",
    ),
    Target(
        "predict_batched_ratio",
        "prediction",
        ("batched_ratio_skcnn_to_keras",),
        "<=",
        1.0,
        "",
        "ratio",
        "batched predict time, skcnn / Keras",
    ),
    Target(
        "memory_ratio",
        "memory",
        ("peak_extra_over_float32",),
        "<=",
        1.5,
        "",
        "ratio",
        "peak extra memory of a pipeline fit / the data's float32 size",
    ),
    Target(
        "repeated_fits_ratio",
        "repeated_fits",
        ("ratio_skcnn_to_keras",),
        "<=",
        1.0,
        "",
        "ratio",
        "memory growth over repeated fits, skcnn / plain Keras",
    ),
    Target(
        "repeated_fits_growth",
        "repeated_fits",
        ("skcnn_growth_mb",),
        "<=",
        100,
        "MB",
        "memory",
        "memory growth of one process over 30 small fits",
    ),
    Target(
        "grid_search_ratio",
        "grid_search",
        ("ratio_n_jobs_2_to_1",),
        "<=",
        1.0,
        "",
        "ratio",
        "GridSearchCV time, n_jobs=2 / n_jobs=1",
    ),
    Target(
        "time_to_99_ratio",
        "full_scale",
        ("default_time_to_target_over_tutorial_fit",),
        "<",
        1.0,
        "",
        "ratio",
        "full MNIST: the defaults' time to 99.0 % / the tutorial CNN's fit "
        "time (not reaching 99.0 % misses it)",
    ),
    Target(
        "sample_accuracy",
        "accuracy",
        ("models", DEFAULTS, "accuracy"),
        ">=",
        0.985,
        "",
        "accuracy",
        "MNIST sample 4,000/1,000: the defaults' test accuracy",
    ),
    Target(
        "tuning_defaults_accuracy",
        "tuning",
        ("configurations", "dense512", "mean_accuracy"),
        ">=",
        0.9955,
        "",
        "accuracy",
        "full MNIST, 3 splits and seeds: the defaults' mean validation accuracy",
    ),
    Target(
        "folders_compare_peak",
        "folders",
        ("compare", "large", "peak_rss_mb"),
        "<=",
        2048,
        "MB",
        "memory",
        "peak RSS of `skcnn compare` on a folder of 12,000 RGB JPEG files at 128×128",
    ),
    Target(
        "folders_compare_added",
        "folders",
        ("compare_added_mb",),
        "<=",
        256,
        "MB",
        "memory",
        "peak RSS `skcnn compare` adds from 3,000 to 12,000 files",
    ),
    Target(
        "folders_predict_peak",
        "folders",
        ("predict", "peak_rss_mb"),
        "<=",
        1536,
        "MB",
        "memory",
        "peak RSS of `skcnn predict` on 3,000 files",
    ),
    Target(
        "folders_streamed_epoch_ratio",
        "folders",
        ("throughput", "train", "ratio_streamed_to_in_memory"),
        "<=",
        1.3,
        "",
        "ratio",
        "epoch time decoding the files as it trains (`ImageLoader(stream=True)`) "
        "/ on the images decoded beforehand",
    ),
    Target(
        "predict_one_ms",
        "prediction",
        ("latency_ms_one_image", "skcnn_predict"),
        "<=",
        1.5,
        "ms",
        "time",
        "1-image predict",
    ),
    Target(
        "sample_fit_s",
        "accuracy",
        ("models", DEFAULTS, "fit_s"),
        "<=",
        60,
        "s",
        "time",
        "MNIST sample 4,000/1,000: the defaults' fit",
    ),
    Target(
        "full_fit_s",
        "full_scale",
        ("models", DEFAULTS, "fit_s"),
        "<=",
        150,
        "s",
        "time",
        "full MNIST: the defaults' fit on 50,000 images (3 minutes at 60,000, "
        "by proportion)",
    ),
)

BY_NAME = {target.name: target for target in TARGETS}

NOT_MEASURED = object()
"""What :func:`value` gives when the run holds no such figure."""


def value(target, results):
    """The figure ``target`` is about in ``results`` (a whole run's dict).

    None when the figure is there but empty (99.0 % never reached),
    ``NOT_MEASURED`` when the benchmark did not run, failed or was skipped.
    """
    item = results.get(target.benchmark)
    if not isinstance(item, dict) or "error" in item or "skipped" in item:
        return NOT_MEASURED
    for key in target.path:
        if not isinstance(item, dict) or key not in item:
            return NOT_MEASURED
        item = item[key]
    return item


def verdict(target, results):
    """``"met"``, ``"missed"`` or ``"not measured"``."""
    figure = value(target, results)
    if figure is NOT_MEASURED:
        return "not measured"
    return "met" if target.met(figure) else "missed"


def check(results):
    """The checked targets a full run missed: a list of ``(target, value)``.

    Empty for a quick run, which is never checked, and for targets whose
    benchmark did not run.
    """
    if results.get("quick"):
        return []
    return [
        (target, value(target, results))
        for target in TARGETS
        if target.checked and verdict(target, results) == "missed"
    ]


def evaluate(results):
    """Every target with its figure in ``results`` and its verdict, in order."""
    return [
        (target, value(target, results), verdict(target, results)) for target in TARGETS
    ]


def figure(target, value):
    """``value`` of ``target`` as the summaries show it, with its unit.

    Four significant digits; ``not reached`` for None, ``no figure`` when
    not measured.
    """
    if value is NOT_MEASURED:
        return "no figure"
    if value is None:
        return "not reached"
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{shown} {target.unit}" if target.unit else shown
