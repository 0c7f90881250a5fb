"""Rigs the tests and the benchmarks share: real server processes (gunicorn, a Redis of a
drill's own, Sentinel), real RQ worker processes, and the speech tests' recorded clips with
their one-menu lines. Not part of the product."""
