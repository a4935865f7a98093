"""skcnn's benchmarks: speed, latency, memory and accuracy (not installed).

One module per measurement (``bench_<name>.py``, each with ``run(quick)``
returning a JSON-ready dict), run together by ``python -m benchmarks`` or one
at a time by ``python -m benchmarks.bench_<name> [--quick]``.
"""
