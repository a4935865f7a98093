"""skcnn's benchmark suite: speed, latency, memory and time-to-accuracy.

Every figure that is compared with another is measured in the same run, on
the same machine, and reported as a ratio, because shared machines are noisy.
``python -m benchmarks`` runs everything at full size (many minutes) except
the opt-in benchmarks (``tuning``, ``transfer``, ``folders``, ``io``,
``checkpoint``, ``saliency``), which run only when named with ``--only``;
``--quick`` runs every measurement on small data as a smoke test (CI runs
it); ``--only NAME ...`` runs some. The results are
printed as a Markdown table, with the targets of ``benchmarks/_targets.py``,
and written as JSON. ``--check`` makes the exit status 1 when a full run
misses a checked target (never for a quick run); ``--results FILE`` reports
on, and with ``--check`` checks, a stored run instead of measuring.
"""

import argparse
import importlib
import json
import resource
import sys
import time
import traceback
from pathlib import Path

# Result key -> module of benchmarks/ with ``run(quick: bool) -> dict``.
# Adding a benchmark is adding its line here, in the order they run.
BENCHMARKS = {
    "training": "bench_training",
    "throughput": "bench_throughput",
    "prediction": "bench_predict",
    "memory": "bench_memory",
    "repeated_fits": "bench_repeated_fits",
    "grid_search": "bench_grid_search",
    "accuracy": "bench_accuracy",
    "image_loading": "bench_image_loading",
    "other_shapes": "bench_other_shapes",
    "full_scale": "bench_full_scale",
    "tuning": "bench_tuning",
    "transfer": "bench_transfer",
    "feature_cache": "bench_feature_cache",
    "folders": "bench_folders",
    "io": "bench_io",
    "checkpoint": "bench_checkpoint",
    "saliency": "bench_saliency",
}

# Benchmarks too long for every full run (tuning: about 40 minutes on 2 CPU
# cores, transfer: about 20, folders: about 20, and 15,000 files on disk),
# or about one feature (io: model files' sizes and loading times;
# checkpoint: a checkpoint's size and save time; saliency: each method's
# localisation and cost); they run only when named with --only.
OPT_IN = {"tuning", "transfer", "folders", "io", "checkpoint", "saliency"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small data: a smoke test of every measurement",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file for the results (default: benchmarks/results/"
        "<date>[-quick][-<names>].json)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(BENCHMARKS),
        metavar="NAME",
        help=f"run only these benchmarks, of: {', '.join(BENCHMARKS)} "
        f"({', '.join(sorted(OPT_IN))} only when named here)",
    )
    parser.add_argument(
        "--configurations",
        nargs="+",
        choices=list(_tuning_configurations()),
        metavar="NAME",
        help="with --only tuning: run only these of its configurations, of: "
        f"{', '.join(_tuning_configurations())}",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit with status 1 when a full run misses a checked target "
        "(ratios, memory, accuracy; times are never checked, quick runs never)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="FILE",
        help="report on the stored results FILE (and check it with --check) "
        "instead of measuring",
    )
    args = parser.parse_args(argv)
    if args.results is not None and (
        args.quick or args.only or args.out or args.configurations
    ):
        parser.error(
            "--results reports on a stored run; --quick, --only, --out and "
            "--configurations are for a new one"
        )
    if args.configurations and "tuning" not in (args.only or ()):
        parser.error("--configurations needs --only tuning")
    return args


def _tuning_configurations():
    from benchmarks.bench_tuning import CONFIGURATIONS

    return CONFIGURATIONS


def selected(only):
    """The benchmarks to run, in order: those named, else all but the opt-in."""
    return [
        name for name in BENCHMARKS if (name in only if only else name not in OPT_IN)
    ]


def default_out(date, quick, only):
    name = date + ("-quick" if quick else "") + "".join(f"-{n}" for n in only or ())
    return Path(__file__).parent / "results" / f"{name}.json"


def cpu_seconds():
    """CPU time of this process and of its finished child processes."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(
            resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
    )


def run_one(name, quick, options=None):
    """Run one benchmark; a failure is recorded, printed and not raised.

    ``options`` are keyword arguments for the module's ``run``. Returns the
    result, the wall and CPU seconds it took (CPU seconds well below wall
    seconds times the cores in use mean a busy machine), and the module's
    settings for this mode, with the options.
    """
    options = options or {}
    module = importlib.import_module(f"benchmarks.{BENCHMARKS[name]}")
    start, cpu_start = time.perf_counter(), cpu_seconds()
    try:
        result = module.run(quick, **options)
    except Exception as error:  # the other benchmarks still run
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"}
    seconds = {
        "wall": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu_start,
    }
    config = getattr(module, "QUICK" if quick else "FULL", None)
    if config is not None and options:
        config = {**config, **options}
    return result, seconds, config


def check(results):
    """Print how ``results`` fare against the targets; 1 if a check fails.

    A quick run is not checked. Targets on times are goals: their misses
    are printed, never counted.
    """
    from benchmarks import _targets

    if results.get("quick"):
        print(
            "quick run: not checked against the targets (small data proves nothing)",
            file=sys.stderr,
        )
        return 0
    evaluated = _targets.evaluate(results)
    for target, value, verdict in evaluated:
        print(
            f"  {verdict:>12}: {target.what}: {_targets.figure(target, value)} "
            f"(target {target.shown()}"
            + ("" if target.checked else "; a time: not checked")
            + ")",
            file=sys.stderr,
        )
    missed = _targets.check(results)
    if missed:
        names = ", ".join(target.name for target, _ in missed)
        print(f"check failed: missed {names}", file=sys.stderr)
        return 1
    print("check passed: no checked target missed", file=sys.stderr)
    return 0


def report_stored(path, with_check):
    """Print the report of the stored results ``path``; check them if asked."""
    from benchmarks import _report

    results = json.loads(Path(path).read_text())
    print(_report.markdown(results, [name for name in BENCHMARKS if name in results]))
    return check(results) if with_check else 0


def main(argv=None):
    args = parse_args(argv)
    if args.results is not None:
        return report_stored(args.results, args.check)
    import skcnn.classifier  # noqa: F401 - brings TensorFlow up quietly, first
    from benchmarks import _common, _report

    names = selected(args.only)
    options = {"tuning": {"configurations": args.configurations}}
    results = {
        "quick": args.quick,
        "config": {},
        "seconds": {},
        "machine": _common.machine(),
    }
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        chosen = {k: v for k, v in options.get(name, {}).items() if v is not None}
        result, seconds, config = run_one(name, args.quick, chosen)
        results[name] = result
        results["seconds"][name] = seconds
        if config is not None:
            results["config"][name] = config
        print(
            f"  {name}: {seconds['wall']:.1f} s ({seconds['cpu']:.1f} s of CPU)",
            file=sys.stderr,
            flush=True,
        )
    out = args.out or default_out(results["machine"]["date"], args.quick, args.only)
    _report.write_json(results, out)
    print(_report.markdown(results, names))
    print(f"\nresults written to {out}", file=sys.stderr)
    failed = [name for name in names if "error" in results[name]]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    status = 1 if failed else 0
    if args.check:
        status = max(status, check(results))
    return status


if __name__ == "__main__":
    sys.exit(main())
