"""The benchmark results as JSON and as one Markdown table.

Each benchmark's result becomes rows of ``| measurement | value | target |``;
the ones that compare (the ratios) are in bold. A row that a target of
``benchmarks/_targets.py`` is about shows the threshold and, for a full run,
whether it was met. A benchmark without a renderer here gets one row per
number in its result, so a new benchmark shows up before anyone writes it a
renderer.

A renderer returns ``(measurement, value)`` pairs, or triples whose third
item is a tuple of target names.
"""

import json
from pathlib import Path

from benchmarks import _targets
from skcnn._atomic import write_text


def write_json(results, path):
    """Write ``results`` to ``path`` (folders created), indented, atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(results, indent=2) + "\n")


def _label(key):
    return key.replace("_", " ")


def _training(t):
    return [
        (
            f"raw Keras, s/epoch ({t['images']} images, batch {t['batch_size']})",
            f"{t['raw_keras_s_per_epoch']:.2f}",
        ),
        ("skcnn pipeline from uint8, s/epoch", f"{t['skcnn_s_per_epoch']:.2f}"),
        (
            "**skcnn / raw Keras**",
            f"**{t['ratio_skcnn_to_raw']:.3f}**",
            ("training_ratio",),
        ),
    ]


def _throughput(t):
    peak = t["peak"]
    rows = [
        (
            f"peak: float32 {peak['matrix_size']}×{peak['matrix_size']} matrix "
            f"product, best of {peak['repeats']} ({peak['device']}), GFLOP/s",
            f"{peak['gflops']:.1f}",
        )
    ]
    for name, n in t["networks"].items():
        rows += [
            (
                f"{name} network, training ({t['images']} images, batch "
                f"{n['batch_size']}), images/s",
                f"{n['images_per_s']:,.0f}",
            ),
            (
                f"{name} network: MFLOP per image forward / training "
                f"(≈ {t['training_passes_per_forward']}× forward)",
                f"{n['forward_mflops_per_image']:.2f} / "
                f"{n['training_mflops_per_image']:.2f}",
            ),
            (
                f"**{name} network, achieved GFLOP/s (fraction of peak)**",
                f"**{n['achieved_gflops']:.1f} ({n['fraction_of_peak']:.0%})**",
            ),
        ]
    return rows


def _prediction(p):
    rows = [
        (
            f"1 image, {_label(key)}, ms",
            f"{value:.2f}",
            ("predict_one_ms",) if key == "skcnn_predict" else (),
        )
        for key, value in p["latency_ms_one_image"].items()
    ]
    rows.append(
        ("**1-image speed-up over scikeras**", f"**{p['speedup_vs_scikeras']:.1f}x**")
    )
    if "ratio_skcnn_to_compiled_call" in p:  # measured since 2026-11-22
        rows.append(
            (
                "**1-image skcnn predict / compiled network call**",
                f"**{p['ratio_skcnn_to_compiled_call']:.2f}**",
                ("predict_one_ratio",),
            )
        )
    rows += [
        (f"{p['throughput_images']} images, {_label(key)}, images/s", f"{value:,.0f}")
        for key, value in p["images_per_second"].items()
    ]
    rows.append(
        (
            "**batched predict, skcnn / Keras time**",
            f"**{p['batched_ratio_skcnn_to_keras']:.2f}**",
            ("predict_batched_ratio",),
        )
    )
    return rows


def _memory(m):
    return [
        (
            f"fit on {m['images']} uint8 images: data as uint8 / float32, MB",
            f"{m['uint8_mb']:.0f} / {m['float32_mb']:.0f}",
        ),
        ("peak extra RSS during the pipeline fit, MB", f"{m['peak_extra_mb']:.0f}"),
        (
            "**peak extra RSS / float32 size**",
            f"**{m['peak_extra_over_float32']:.2f}**",
            ("memory_ratio",),
        ),
        (
            "the same without a warm-up fit (TensorFlow's start-up included), "
            "MB (/ float32 size)",
            f"{m['cold_peak_extra_mb']:.0f} ({m['cold_peak_extra_over_float32']:.2f})",
        ),
    ]


def _repeated_fits(r):
    return [
        (
            f"RSS growth over {r['fits']} small fits in one process, skcnn / "
            "plain Keras, MB",
            f"{r['skcnn_growth_mb']:.0f} / {r['keras_growth_mb']:.0f}",
            ("repeated_fits_growth",),
        ),
        (
            "**RSS growth over repeated fits, skcnn / plain Keras**",
            f"**{r['ratio_skcnn_to_keras']:.2f}**",
            ("repeated_fits_ratio",),
        ),
    ]


def _grid_search(g):
    return [
        (
            f"GridSearchCV, {g['fits']} fits on {g['images']} images, n_jobs=1 / "
            "n_jobs=2, s",
            f"{g['n_jobs_1_s']:.1f} / {g['n_jobs_2_s']:.1f}",
        ),
        (
            "**GridSearchCV time, n_jobs=2 / n_jobs=1**",
            f"**{g['ratio_n_jobs_2_to_1']:.2f}**",
            ("grid_search_ratio",),
        ),
    ]


def _accuracy(a):
    return [
        (
            f"MNIST sample {a['train']}/{a['test']}: {name}, accuracy (fit s)",
            f"{row['accuracy']:.4f} ({row['fit_s']:.0f} s)",
            ("sample_accuracy", "sample_fit_s") if name == _targets.DEFAULTS else (),
        )
        for name, row in a["models"].items()
    ]


_LOADERS = {
    "pillow_loop": "a plain Pillow loop",
    "n_jobs_1": "`ImageLoader`, 1 thread",
    "n_jobs_2": "`ImageLoader(n_jobs=2)`",
    "fit_headers": "`ImageLoader.fit` (headers only)",
}
_WORKLOADS = {
    "png_28": "28×28 grayscale PNG files",
    "jpeg_256_to_64": "256×256 RGB JPEG files resized to 64×64",
}


def _image_loading(i):
    rows = []
    for key, workload in _WORKLOADS.items():
        w = i[key]
        rows += [
            (
                f"{w['files']:,} {workload}: {loader}, images/s",
                f"{w[f'{name}_images_per_s']:,.0f}",
            )
            for name, loader in _LOADERS.items()
        ]
        rows.append(
            (
                f"**{workload}: `ImageLoader` speed-up over the Pillow loop, "
                "1 thread / 2 threads**",
                f"**{w['n_jobs_1_vs_pillow_loop']:.2f} / "
                f"{w['n_jobs_2_vs_pillow_loop']:.2f}**",
            )
        )
    return rows


def _other_shapes(o):
    d, c = o["digits"], o["colour_32"]
    return [
        (
            f"scikit-learn digits (8×8), {d['folds']}-fold CV: `CNNClassifier()` "
            "defaults, mean accuracy (± std; CV s)",
            f"{d['accuracy_mean']:.4f} (± {d['accuracy_std']:.4f}; {d['cv_s']:.0f} s)",
        ),
        (
            f"32×32×3 images ({c['images']:,}, random pixels): default network, "
            's/epoch (`epochs="auto"`: epochs, estimated fit s)',
            f"{c['epoch_s']:.1f} ({c['auto_epochs']}, "
            f"{c['default_fit_s_estimate']:.0f} s)",
        ),
    ]


def _full_scale(f):
    if "skipped" in f:
        return [("full-scale MNIST", f"skipped: {f['skipped']}")]
    split = f"MNIST {f['train']}/{f['validation']}"
    rows = []
    for name, row in f["models"].items():
        reached = row["time_to_target_s"]
        rows.append(
            (
                f"{split}: {name}, validation accuracy (fit s; s to {f['target']:.1%})",
                f"{row['accuracy']:.4f} ({row['fit_s']:.0f} s; "
                + ("not reached" if reached is None else f"{reached:.0f} s")
                + ")",
                ("full_fit_s",) if name == _targets.DEFAULTS else (),
            )
        )
    ratio = f["default_time_to_target_over_tutorial_fit"]
    rows.append(
        (
            f"**{split}: defaults' time to {f['target']:.1%} / tutorial CNN's "
            "fit time**",
            "**not reached**" if ratio is None else f"**{ratio:.2f}**",
            ("time_to_99_ratio",),
        )
    )
    return rows


def _param_text(name, value):
    if isinstance(value, list):  # a tuple, after a trip through JSON
        value = tuple(value)
    return f'{name}="{value}"' if isinstance(value, str) else f"{name}={value}"


def _tuning(t):
    if "skipped" in t:
        return [("tuning", f"skipped: {t['skipped']}")]
    seeds = ", ".join(map(str, t["seeds"]))
    rows = []
    for name, c in t["configurations"].items():
        changes = ", ".join(_param_text(*item) for item in c["params"].items())
        per_seed = " / ".join(f"{100 * a:.2f}" for a in c["accuracy"])
        rows.append(
            (
                f"MNIST {t['train']}/{t['validation']}, splits and seeds {seeds}: "
                f"`{changes or 'defaults'}`, {c['epochs']} "
                f"epoch{'' if c['epochs'] == 1 else 's'}, validation "
                "accuracy per seed (mean)",
                f"{per_seed} % ({100 * c['mean_accuracy']:.2f} %)",
                tuple(
                    target.name
                    for target in _targets.TARGETS
                    if target.benchmark == "tuning" and target.path[1] == name
                ),
            )
        )
    return rows


# The few-shot methods of the transfer benchmark, in the report's order.
_TRANSFER_METHODS = {
    "scratch": "`CNNClassifier()` from scratch",
    "embedder": "`ImageEmbedder(backbone=path)` + `LogisticRegression`",
    "frozen": "`CNNClassifier(backbone=path)` (frozen: head only)",
    "fine_tuned": "`CNNClassifier(backbone=path, fine_tune=1.0)`",
}


def _mean_std(s):
    return (
        f"{s['mean_accuracy']:.4f} ± {s['std_accuracy']:.4f} ({s['mean_fit_s']:.1f} s)"
    )


def _fine_tune_text(cell):
    return ", ".join(
        _param_text(name, cell[name])
        for name in ("fine_tune_learning_rate", "fine_tune_epochs")
    )


def _few_shot(f):
    if "skipped" in f:
        return [("transfer: few-shot MNIST", f"skipped: {f['skipped']}")]
    p = f["pretraining"]
    rows = [
        (
            f"pretraining: `CNNClassifier(epochs={p['epochs']})` on "
            f"{p['images']:,} images of digits 0–4, accuracy on {p['holdout']:,} "
            "held-out ones (fit s)",
            f"{p['holdout_accuracy']:.4f} ({p['fit_s']:.0f} s)",
        )
    ]
    n_draws = len(f["draws"])
    draws = (
        f"{n_draws} draw{'' if n_draws == 1 else 's'}, scored on "
        f"{f['evaluation']:,} images"
    )
    shots = list(next(iter(f["methods"].values())))
    for n in shots:
        rows += [
            (
                f"digits 5–9, {n} per class ({draws}): {label}, accuracy mean "
                "± std (fit s)",
                _mean_std(f["methods"][method][n]),
            )
            for method, label in _TRANSFER_METHODS.items()
            if method in f["methods"]
        ]
    for n, grid in f["grid"].items():
        rows += [
            (
                f"fine-tuning grid, {n} per class: `{_fine_tune_text(cell)}`, "
                "accuracy mean ± std (fit s)",
                _mean_std(cell),
            )
            for cell in grid["cells"]
        ]
        best = grid["best"]
        rows.append(
            (
                f"**fine-tuning grid, {n} per class: the best cell (mean accuracy)**",
                f"**`{_fine_tune_text(best)}` ({best['mean_accuracy']:.4f})**",
            )
        )
    return rows


def _transfer(t):
    rows = _few_shot(t["few_shot"])
    b = t["backbones"]
    size = b["image_size"]
    for name, r in b["families"].items():
        if "error" in r:
            rows.append((f"`{name}`", f"failed: {r['error']}"))
            continue
        rows += [
            (
                f"`{name}` at {size}×{size}, random weights: parameters (trained "
                "when fine-tuning) / features",
                f"{r['parameters']:,} ({r['fine_tune_trainable_parameters']:,}) / "
                f"{r['features']:,}",
            ),
            (
                f"`{name}`: embedding (batch {b['embed_batch_size']}) / "
                f"fine-tuning (batch {b['train_batch_size']}) images/s; 1-image "
                "predict, ms",
                f"{r['embed_images_per_s']:.1f} / "
                f"{r['fine_tune_images_per_s']:.1f}; {r['predict_one_ms']:.0f}",
            ),
        ]
    load = t.get("load_average")
    if load and None not in load:
        rows.append(
            (
                "1-minute load average: at the start / after the few-shot part "
                "/ at the end (2 cores: above 2 means other work)",
                " / ".join(f"{value:.1f}" for value in load),
            )
        )
    return rows


def _streamed_text(row):
    streamed = row.get("streamed")
    return {True: "streamed", False: "in memory", None: "did not say"}[streamed]


def _command_row(command, row, targets):
    text = f"{row['peak_rss_mb']:,.0f}"
    if row["returncode"] != 0:
        return (
            f"`skcnn {command}` on {row['files']:,} files: peak RSS, MB",
            f"failed (exit status {row['returncode']}) at {text}",
            targets,
        )
    detail = f"{row['wall_s']:.0f} s"
    if command == "compare":
        detail = f"{_streamed_text(row)}; {detail}"
    return (
        f"`skcnn {command}` on {row['files']:,} files: peak RSS, MB "
        + ("(streamed or in memory; wall s)" if command == "compare" else "(wall s)"),
        f"{text} ({detail})",
        targets,
    )


def _folders(f):
    data, compare = f["data"], f["compare"]
    small, large = compare["small"], compare["large"]
    h, w = data["image_size"]
    rows = [
        (
            f"{small['files']:,} / {large['files']:,} RGB JPEG files of {h}×{w} "
            f"in {data['classes']} classes: MB on disk",
            f"{data['small_mb_on_disk']:,.0f} / {data['large_mb_on_disk']:,.0f}",
        )
    ]
    if compare.get("options"):
        rows.append(
            ("`skcnn compare` options added", f"`{' '.join(compare['options'])}`")
        )
    rows += [
        _command_row("compare", small, ()),
        _command_row("compare", large, ("folders_compare_peak",)),
    ]
    said_by = large if large.get("said") else small
    if said_by.get("said"):
        rows.append(
            (
                f"what `skcnn compare` said on {said_by['files']:,} files",
                said_by["said"][0].replace("|", "\\|"),
            )
        )
    added = f["compare_added_mb"]
    rows.append(
        (
            f"**`skcnn compare`: peak RSS added from {small['files']:,} to "
            f"{large['files']:,} files, MB**",
            "**no figure**" if added is None else f"**{added:+,.0f}**",
            ("folders_compare_added",),
        )
    )
    predict = f["predict"]
    if "skipped" in predict:
        rows.append(("`skcnn predict`", f"skipped: {predict['skipped']}"))
    else:
        rows.append(_command_row("predict", predict, ("folders_predict_peak",)))
    t = f["throughput"]
    n, (th, tw) = t["images"], t["image_size"]
    d, train, pred = t["decode"], t["train"], t["predict"]
    rows += [
        (
            f"decoding {n:,} files at {th}×{tw} (`ImageStream.batches`, batch "
            f"{d['batch_size']}), images/s: 1 thread / {d['cores']} threads",
            f"{d['one_thread_images_per_s']:,.0f} / {d['all_cores_images_per_s']:,.0f}",
        ),
        (
            f"`PixelScaler → CNNClassifier()`, one epoch on {n:,} images, "
            "images/s: decoding as it trains (`ImageLoader(stream=True)` first) "
            "/ decoded beforehand",
            f"{train['streamed_images_per_s']:,.0f} / "
            f"{train['in_memory_images_per_s']:,.0f}",
        ),
        (
            "**epoch time, streamed / decoded beforehand**",
            f"**{train['ratio_streamed_to_in_memory']:.2f}**",
            ("folders_streamed_epoch_ratio",),
        ),
        (
            f"`predict` on {n:,} images, images/s: decoding as it predicts / "
            "decoded beforehand",
            f"{pred['streamed_images_per_s']:,.0f} / "
            f"{pred['in_memory_images_per_s']:,.0f}",
        ),
        (
            "**predict time, streamed / decoded beforehand**",
            f"**{pred['ratio_streamed_to_in_memory']:.2f}**",
        ),
    ]
    return rows


RENDERERS = {
    "training": _training,
    "throughput": _throughput,
    "prediction": _prediction,
    "memory": _memory,
    "repeated_fits": _repeated_fits,
    "grid_search": _grid_search,
    "accuracy": _accuracy,
    "image_loading": _image_loading,
    "other_shapes": _other_shapes,
    "full_scale": _full_scale,
    "tuning": _tuning,
    "transfer": _transfer,
    "folders": _folders,
}


def _numbers(name, value, prefix=""):
    """One row per number (or string) in a nested result."""
    if isinstance(value, dict):
        return [
            row
            for key, item in value.items()
            for row in _numbers(name, item, f"{prefix}{_label(str(key))}, ")
        ]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return []
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return [(f"{_label(name)}: {prefix[:-2]}", shown)]


def _rows_with_targets(name, result):
    if "error" in result:
        return [(f"{_label(name)}", f"failed: {result['error']}", ())]
    render = RENDERERS.get(name)
    rendered = render(result) if render else _numbers(name, result)
    return [row if len(row) == 3 else (*row, ()) for row in rendered]


def rows(name, result):
    """The ``(measurement, value)`` rows of one benchmark's result."""
    return [row[:2] for row in _rows_with_targets(name, result)]


def target_cell(names, results):
    """The target column of a row about the targets ``names``.

    Each target's threshold; for a full run also met, **missed** or not
    measured. Times are goals, marked as not checked.
    """
    cells = []
    for name in names:
        target = _targets.BY_NAME[name]
        cell = target.shown()
        if not results["quick"]:
            verdict = _targets.verdict(target, results)
            cell += ": " + ("**missed**" if verdict == "missed" else verdict)
        if not target.checked:
            cell += " (a time: not checked)"
        cells.append(cell)
    return "; ".join(cells)


def markdown(results, names):
    """The results of the benchmarks ``names`` as a Markdown table."""
    machine = results["machine"]
    gpus = ", ".join(machine["gpus"]) or "no GPU"
    quick = " (quick mode: small data, targets not checked)" if results["quick"] else ""
    lines = [
        f"Measured {machine['date']} on {machine['cpu_count']} CPU cores "
        f"({machine['processor']}, {machine['platform']}), {gpus}, TensorFlow "
        f"{machine['tensorflow']}, Keras {machine['keras']}{quick}.",
        "",
        "| measurement | value | target |",
        "|---|---|---|",
    ]
    for name in names:
        if name in results:
            lines += [
                f"| {cell} | {value} | {target_cell(targets, results)} |"
                for cell, value, targets in _rows_with_targets(name, results[name])
            ]
    return "\n".join(lines)
