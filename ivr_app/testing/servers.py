"""Real server processes for drills and benchmarks: gunicorn serving the app, and a Redis
of a drill's own that can be stalled, killed and started again.

Everything listens on 127.0.0.1 on a free port, runs in a session of its own, and is
stopped on the way out of its `with` block.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from ivr_app.platform.redis_server import ensure_redis, reap, stop_redis

ROOT = Path(__file__).resolve().parents[2]  # where wsgi.py lives


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]


@contextmanager
def gunicorn(name: str, app_spec: str, env: dict[str, str], log_dir: Path,
             workers: int = 2) -> Iterator[Server]:
    """gunicorn with sync workers on a free loopback port, as the Procfile runs it."""
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", app_spec],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_ready(server: Server, workers: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn ({server.name}) exited:\n{server.log.read_text()}")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
        try:
            conn.request("GET", "/health")
            conn.getresponse().read()
            if len(server.worker_pids()) >= workers:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn ({server.name}) did not answer:\n{server.log.read_text()}")


class DrillRedis:
    """A throwaway redis-server of a drill's own: stall it (SIGSTOP), kill it, start it again."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.url = f"redis://127.0.0.1:{free_port()}/0"
        self.pid = 0

    def start(self) -> DrillRedis:
        ensure_redis(self.url, self.data_dir, persistent=False)
        client = redis.Redis.from_url(self.url)
        self.pid = client.info("server")["process_id"]
        client.close()
        return self

    def stall(self) -> None:
        """Frozen, as a Redis busy with a long command: connections open, no answers."""
        os.kill(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        reap(self.pid)

    def stop(self) -> None:
        try:
            self.resume()
        except ProcessLookupError:
            return
        stop_redis(self.url, self.data_dir)
