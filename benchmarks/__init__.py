"""skcnn's benchmarks: speed, latency, memory and accuracy (not installed).

One module per measurement (``bench_<name>.py``, each with ``run(quick)``
returning a JSON-ready dict), run together by ``python -m benchmarks`` or one
at a time by ``python -m benchmarks.bench_<name> [--quick]``. The targets
the results are held against are in ``_targets.py``; ``python -m
benchmarks.docs`` writes the figures of README.md and docs/performance.md
from stored results.
"""
