"""Benchmarks: each prints its figures against a baseline measured in the same run.

Run from the repository root as modules (`python -m bench.webhook`); see bench/README.md.
"""
