"""The baseline job of bench/callbacks.py: nothing but noting when it started."""

import time

from rq import get_current_job

STARTED_KEY = "bench:baseline:started"  # hash: job id -> time.time() at its start


def note_start() -> None:
    """An empty job: record the wall-clock time it began."""
    job = get_current_job()
    job.connection.hset(STARTED_KEY, job.id, repr(time.time()))
