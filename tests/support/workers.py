"""Real `rq worker --with-scheduler` processes for the callback drills and the benchmark.

Each worker runs in a session of its own, with an environment holding only the settings it
is given (config.py reads them), so nothing of the developer's shell leaks in. `kill()` is a
crash: the worker, its work horse (RQ forks one per job, in a process group of its own) and
its scheduler process all get SIGKILL at once. `stop_all()` belongs in a `finally`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import redis
from rq import Worker

ROOT = Path(__file__).resolve().parents[2]  # where the Procfile and workers/ live
RQ = Path(sys.executable).with_name("rq")
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")  # what a process needs to run


def worker_env(config: Mapping[str, Any]) -> dict[str, str]:
    """The environment of a worker: these settings and nothing else of ours."""
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    return env | {k: str(v) for k, v in config.items()}


def wait_for(condition: Callable[[], Any], seconds: float, what: str,
             explain: Callable[[], str] = lambda: "") -> Any:
    """Poll `condition` until it is truthy (and return it); AssertionError at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}\n{explain()}")
        time.sleep(0.02)


def session_pids(sid: int) -> list[int]:
    """Processes of the session `sid` (a worker we started and everything it forked)."""
    proc = Path("/proc")
    if not proc.is_dir():  # macOS: no /proc
        found = subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True)
        return [int(p) for p in found.stdout.split()]
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        if int(stat.rsplit(")", 1)[1].split()[3]) == sid:  # state ppid pgrp session
            pids.append(int(entry.name))
    return pids


class RqWorkers:
    """The rq worker processes of one test or benchmark run, logged to `log_dir`."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, env: Mapping[str, str], *options: str,
              supervised: bool = False) -> subprocess.Popen[bytes]:
        """`rq worker --with-scheduler default`; Redis comes from `env` through
        workers/settings.py unless `options` name another settings module. `supervised`
        runs it as the Procfile does, started again whenever it quits."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if "-c" not in options:
            options = ("-c", "workers.settings", *options)
        with (self.log_dir / f"worker-{len(self.procs)}.log").open("wb") as log:
            supervisor = [sys.executable, "-m", "workers.supervise"] if supervised else []
            proc = subprocess.Popen(
                [*supervisor, str(RQ), "worker", "--with-scheduler", *options, "default"],
                cwd=ROOT,
                env=dict(env), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes], redis_url: str,
                   seconds: float = 10) -> None:
        """Until the worker has registered itself in Redis (it then takes jobs)."""
        connection = redis.Redis.from_url(redis_url)
        try:
            wait_for(lambda: proc.poll() is not None or any(  # the worker, or its supervisor's
                w.pid in (proc.pid, *session_pids(proc.pid))
                for w in Worker.all(connection=connection)),
                seconds, f"worker {proc.pid} to start", self.logs)
        finally:
            connection.close()
        assert proc.poll() is None, f"worker {proc.pid} exited\n{self.logs()}"

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """kill -9 the worker with its work horse and scheduler, as a crash would."""
        for pid in session_pids(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=5)

    def stop_all(self, timeout: float = 5) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL whatever is left of any of them."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self.kill(proc)  # also horses and schedulers left behind

    def logs(self, lines: int = 40) -> str:
        """The end of every worker's log, for a failure message."""
        out = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(out)
