"""Benchmarks: each prints its figures against a baseline measured in the same run.

Run from the repository root as modules (`python -m bench.webhook`); see bench/README.md.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import redis


def redis_url(own_db: int) -> str:
    """The server REDIS_URL names (127.0.0.1:6379 by default), on this benchmark's own
    database: `own_db`, or BENCH_REDIS_DB. Benchmarks flush the database they use, so they
    never take the one the app's REDIS_URL points at."""
    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    db = int(os.environ.get("BENCH_REDIS_DB") or own_db)
    return urlunsplit((server.scheme, server.netloc, f"/{db}", server.query, ""))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def flush_db(url: str) -> None:
    """Empty the benchmark's own database (the one redis_url gave it)."""
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()
