"""The Procfile's worker comes back by itself when it quits (as RQ does when Redis goes)."""

from __future__ import annotations

import os
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


# The command notes each SIGTERM it gets, and ends a moment after the first (as a warm
# shutdown finishes its job).
COUNTS_SIGTERMS = ("import pathlib, signal, sys, time; p = pathlib.Path(sys.argv[1]); "
                   "stop = []; signal.signal(signal.SIGTERM, lambda *_: "
                   "(p.write_text(p.read_text() + 't'), stop.append(time.monotonic()))); "
                   "p.write_text('up:'); "
                   "[time.sleep(0.05) for _ in iter(lambda: bool(stop) and "
                   "time.monotonic() - stop[0] > 1.5, True)]")


def _supervised(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    notes = tmp_path / "sigterms"
    supervisor = subprocess.Popen([sys.executable, "-m", "workers.supervise", sys.executable,
                                   "-c", COUNTS_SIGTERMS, str(notes)], cwd=ROOT,
                                  start_new_session=True, stderr=subprocess.PIPE)
    wait_for(lambda: notes.exists() and notes.read_text().startswith("up:"), 15, "the command")
    return supervisor, notes


def test_a_worker_stopped_as_honcho_stops_it_is_asked_once_so_its_job_in_hand_finishes(
        tmp_path):
    supervisor, notes = _supervised(tmp_path)
    os.killpg(supervisor.pid, signal.SIGTERM)  # honcho's way: the whole process group
    supervisor.communicate(timeout=10)
    assert supervisor.returncode == 0
    assert notes.read_text() == "up:t"  # a second SIGTERM makes RQ kill the job in hand


def test_a_worker_never_outlives_its_supervisor(tmp_path):
    supervisor, notes = _supervised(tmp_path)
    supervisor.kill()
    supervisor.communicate(timeout=10)
    wait_for(lambda: notes.read_text() == "up:t", 10, "the command told to stop")
