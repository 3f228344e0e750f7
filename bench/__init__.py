"""Benchmarks of the service: throughput against a plain-Starlette baseline, start-up, and scale.

``python -m bench.run --help`` lists the commands; BENCHMARKS.md reports what they measured.
Nothing here runs in the unit suite except ``tests/test_bench_smoke.py``, which keeps the
harness from rotting.
"""
