"""The Procfile's worker comes back by itself when it quits (as RQ does when Redis goes)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.workers import wait_for

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.drill


def test_a_worker_that_quits_is_started_again_until_the_supervisor_is_told_to_stop(tmp_path):
    runs = tmp_path / "runs"
    # Each run notes itself; the first two quit at once, the third stays up.
    child = ("import pathlib, sys, time; p = pathlib.Path(sys.argv[1]); "
             "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); "
             "time.sleep(0 if len(p.read_text()) < 3 else 60)")
    supervisor = subprocess.Popen([sys.executable, "-m", "workers.supervise", sys.executable,
                                   "-c", child, str(runs)], cwd=ROOT, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: runs.exists() and runs.read_text() == "xxx", 15, "the third run")
    finally:
        supervisor.send_signal(signal.SIGTERM)
        _, err = supervisor.communicate(timeout=10)
    assert supervisor.returncode == 0
    assert err.decode().count("starting it again") == 2
    assert runs.read_text() == "xxx"  # not started again once told to stop
