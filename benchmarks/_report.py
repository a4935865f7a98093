"""The benchmark results as JSON and as one Markdown table.

Each benchmark's result becomes rows of ``| measurement | value |``; the
ones that compare (the ratios) are in bold. A benchmark without a renderer
here gets one row per number in its result, so a new benchmark shows up
before anyone writes it a renderer.
"""

import json
from pathlib import Path


def write_json(results, path):
    """Write ``results`` to ``path`` (folders created), indented."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def _label(key):
    return key.replace("_", " ")


def _training(t):
    return [
        (
            f"raw Keras, s/epoch ({t['images']} images, batch {t['batch_size']})",
            f"{t['raw_keras_s_per_epoch']:.2f}",
        ),
        ("skcnn pipeline from uint8, s/epoch", f"{t['skcnn_s_per_epoch']:.2f}"),
        ("**skcnn / raw Keras**", f"**{t['ratio_skcnn_to_raw']:.3f}**"),
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
        (f"1 image, {_label(key)}, ms", f"{value:.2f}")
        for key, value in p["latency_ms_one_image"].items()
    ]
    rows.append(
        ("**1-image speed-up over scikeras**", f"**{p['speedup_vs_scikeras']:.1f}x**")
    )
    rows.append(
        (
            "**1-image skcnn predict / compiled network call**",
            f"**{p['ratio_skcnn_to_compiled_call']:.2f}**",
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
        )
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
        ),
    ]


def _accuracy(a):
    return [
        (
            f"MNIST sample {a['train']}/{a['test']}: {name}, accuracy (fit s)",
            f"{row['accuracy']:.4f} ({row['fit_s']:.0f} s)",
        )
        for name, row in a["models"].items()
    ]


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
            )
        )
    ratio = f["default_time_to_target_over_tutorial_fit"]
    rows.append(
        (
            f"**{split}: defaults' time to {f['target']:.1%} / tutorial CNN's "
            "fit time**",
            "**not reached**" if ratio is None else f"**{ratio:.2f}**",
        )
    )
    return rows


RENDERERS = {
    "training": _training,
    "throughput": _throughput,
    "prediction": _prediction,
    "memory": _memory,
    "repeated_fits": _repeated_fits,
    "grid_search": _grid_search,
    "accuracy": _accuracy,
    "other_shapes": _other_shapes,
    "full_scale": _full_scale,
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


def rows(name, result):
    """The table rows of one benchmark's result."""
    if "error" in result:
        return [(f"{_label(name)}", f"failed: {result['error']}")]
    render = RENDERERS.get(name)
    return render(result) if render else _numbers(name, result)


def markdown(results, names):
    """The results of the benchmarks ``names`` as a Markdown table."""
    machine = results["machine"]
    gpus = ", ".join(machine["gpus"]) or "no GPU"
    lines = [
        f"Measured {machine['date']} on {machine['cpu_count']} CPU cores "
        f"({machine['processor']}, {machine['platform']}), {gpus}, TensorFlow "
        f"{machine['tensorflow']}, Keras {machine['keras']}"
        f"{' (quick mode)' if results['quick'] else ''}.",
        "",
        "| measurement | value |",
        "|---|---|",
    ]
    for name in names:
        if name in results:
            lines += [
                f"| {cell} | {value} |" for cell, value in rows(name, results[name])
            ]
    return "\n".join(lines)
