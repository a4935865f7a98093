"""skcnn's benchmark suite: speed, latency, memory and time-to-accuracy.

Every figure that is compared with another is measured in the same run, on
the same machine, and reported as a ratio, because shared machines are noisy.
``python -m benchmarks`` runs everything at full size (many minutes);
``--quick`` runs every measurement on small data as a smoke test (CI runs
it); ``--only NAME ...`` runs some. The results are printed as a Markdown
table and written as JSON.
"""

import argparse
import importlib
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
}


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
        help=f"run only these benchmarks, of: {', '.join(BENCHMARKS)}",
    )
    return parser.parse_args(argv)


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


def run_one(name, quick):
    """Run one benchmark; a failure is recorded, printed and not raised.

    Returns the result, the wall and CPU seconds it took (CPU seconds well
    below wall seconds times the cores in use mean a busy machine), and the
    module's settings for this mode.
    """
    module = importlib.import_module(f"benchmarks.{BENCHMARKS[name]}")
    start, cpu_start = time.perf_counter(), cpu_seconds()
    try:
        result = module.run(quick)
    except Exception as error:  # the other benchmarks still run
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"}
    seconds = {
        "wall": time.perf_counter() - start,
        "cpu": cpu_seconds() - cpu_start,
    }
    config = getattr(module, "QUICK" if quick else "FULL", None)
    return result, seconds, config


def main(argv=None):
    args = parse_args(argv)
    import skcnn.classifier  # noqa: F401 - brings TensorFlow up quietly, first
    from benchmarks import _common, _report

    names = [name for name in BENCHMARKS if not args.only or name in args.only]
    results = {
        "quick": args.quick,
        "config": {},
        "seconds": {},
        "machine": _common.machine(),
    }
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        result, seconds, config = run_one(name, args.quick)
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
