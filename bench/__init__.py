"""Benchmarks of Knooppunt: a synthetic-graph generator and the benchmarks that use it.

Run them from the repository root, e.g. ``python -m bench.load_bench``; see ``bench/README.md``.
"""
