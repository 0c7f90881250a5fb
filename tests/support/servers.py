"""Real server processes for drills and benchmarks: gunicorn serving the app, and a Redis
of a drill's own that can be stalled, killed and started again.

Everything listens on 127.0.0.1 on a free port, runs in a session of its own, and is
stopped on the way out of its `with` block.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
import requests

from ivr_app.platform.launcher import free_port
from ivr_app.platform.redis_server import ensure_redis, reap, server_binary, stop_redis

ROOT = Path(__file__).resolve().parents[2]  # where wsgi.py lives


class OverHttp:
    """What the simulator needs of a test client, sent to a real server instead."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False

    def post(self, url: str, data: dict[str, str], base_url: str,
             headers: dict[str, str]) -> Any:
        answer = self.session.post(base_url + url, data=data, headers=headers, timeout=15,
                                   allow_redirects=False)
        answer.get_data = lambda as_text=True: answer.text  # the test client's spelling
        return answer


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
             workers: int = 2, port: int = 0, options: Sequence[str] = (),
             ready_within: float = 20.0) -> Iterator[Server]:
    """gunicorn on `port` (a free loopback port if 0), with gunicorn.conf.py as the Procfile
    runs it; `options` go before the app (e.g. "--preload")."""
    port = port or free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{port}", *options, app_spec],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, workers, ready_within)
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


@dataclass(frozen=True)
class HttpAnswer:
    status_code: int
    text: str

    def get_data(self, as_text: bool = True) -> str:
        return self.text


class RoundRobin:
    """Flask's test client as far as `Call` uses it, but each POST goes over HTTP to the next
    of several servers, as a load balancer sends a call's requests to any web process."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = servers
        self.sent = 0
        self.session = requests.Session()
        self.session.trust_env = False  # never through a proxy: traffic stays on loopback

    def post(self, path: str, data: dict[str, str] | None = None, base_url: str = "",
             headers: dict[str, str] | None = None) -> HttpAnswer:
        server = self.servers[self.sent % len(self.servers)]
        self.sent += 1
        sent = self.session.post(server.base_url + path, data=data, headers=headers,
                                 timeout=15, allow_redirects=False)
        return HttpAnswer(sent.status_code, sent.text)

    def close(self) -> None:
        self.session.close()


def scripts_run(url: str) -> int:
    """Scripts the Redis server of `url` has run (EVALSHA): a step's one round trip is one,
    a step that reads its call first two. Counts every client of the server."""
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))
    finally:
        client.close()


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


class SentinelSet:
    """A master, a replica and three sentinels on loopback ports, as production runs them
    (smaller timeouts): kill the master and the sentinels promote the replica."""

    MASTER = "ivr"

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.ports = {"master": free_port(), "replica": free_port()}
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def config(self) -> dict[str, str]:
        """The app's settings for this set."""
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return {"REDIS_SENTINELS": hosts, "REDIS_SENTINEL_MASTER": self.MASTER}

    def start(self) -> SentinelSet:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        master = self.ports["master"]
        self._run("master", f"port {master}\n")
        self._run("replica", f"port {self.ports['replica']}\nreplicaof 127.0.0.1 {master}\n")
        _wait(lambda: self._info(self.ports["replica"], "replication").get(
            "master_link_status") == "up", "the replica to sync")
        for port in self.sentinel_ports:
            self._run(f"sentinel-{port}", f"port {port}\nsentinel monitor {self.MASTER} "
                      f"127.0.0.1 {master} 2\nsentinel down-after-milliseconds {self.MASTER} "
                      f"1000\nsentinel failover-timeout {self.MASTER} 5000\n", "--sentinel")
        _wait(lambda: all(len(self._sentinel(port, "SENTINEL", "SENTINELS", self.MASTER)) == 2
                          and self._sentinel(port, "SENTINEL", "REPLICAS", self.MASTER)
                          for port in self.sentinel_ports), "the sentinels to know each other")
        return self

    def master_port(self) -> int:
        """The port of the master the sentinels name now."""
        _, port = self._sentinel(self.sentinel_ports[0], "SENTINEL", "GET-MASTER-ADDR-BY-NAME",
                                 self.MASTER)
        return int(port)

    def kill_master(self) -> int:
        """SIGKILL the master, as a host dies; returns its port."""
        port = self.master_port()
        name = next(n for n, p in self.ports.items() if p == port)
        self.procs[name].kill()
        self.procs[name].wait(timeout=10)
        return port

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)

    def _run(self, name: str, conf: str, *args: str) -> None:
        path = self.data_dir / f"{name}.conf"  # a sentinel rewrites its own file
        path.write_text(f"bind 127.0.0.1\ndaemonize no\nappendonly no\nsave \"\"\n"
                        f"dir \"{self.data_dir}\"\nlogfile \"{name}.log\"\n{conf}")
        self.procs[name] = subprocess.Popen(
            [server_binary(), str(path), *args], cwd=self.data_dir, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def _info(self, port: int, section: str) -> dict:
        try:
            with redis.Redis(port=port, socket_timeout=1, decode_responses=True) as client:
                return client.info(section)
        except redis.RedisError:
            return {}

    def _sentinel(self, port: int, *command: str) -> list:
        try:
            with redis.Redis(port=port, socket_timeout=1, decode_responses=True) as client:
                return client.execute_command(*command) or []
        except redis.RedisError:
            return []


def _wait(condition: Callable[[], object], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.1)
