"""Load over HTTP for the benchmarks: gunicorn on a free loopback port, and a bounded load
generator (one thread and connection per job list) that reports throughput, latencies and
the CPU each side used."""

from __future__ import annotations

import http.client
import os
import queue
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import percentile
from tests.support.servers import Server

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Req:
    path: str
    form: dict[str, str]
    signature: str
    mark: bytes

    @property
    def body(self) -> bytes:
        return urlencode(self.form).encode()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), 0 where unreadable."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def prepared(reqs: list[Req]) -> list[tuple[str, bytes, dict[str, str], bytes]]:
    return [(r.path, r.body, {"Content-Type": "application/x-www-form-urlencoded",
                              "X-Twilio-Signature": r.signature}, r.mark) for r in reqs]


def drive(server: Server, jobs: list[list[tuple[str, bytes, dict[str, str], bytes]]],
          seconds: float, check: bool, warn: bool = True) -> dict[str, Any]:
    """One thread per job list, each with its own connection, until the lists or time run out.

    Returns throughput, latencies and how many requests each thread got through; each job
    list is played in order.
    """
    latencies: list[list[float]] = [[] for _ in jobs]
    opened = [0] * len(jobs)
    errors: list[str] = []
    ends = [0.0] * len(jobs)
    barrier = threading.Barrier(len(jobs) + 1)
    start = [0.0]

    def run(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        mine, clock = latencies[i], time.perf_counter
        barrier.wait()
        deadline = start[0] + seconds
        try:
            for path, body, headers, mark in jobs[i]:
                if conn.sock is None:
                    opened[i] += 1
                t0 = clock()
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                data = response.read()
                t1 = clock()
                mine.append(t1 - t0)
                if response.status != 200 or (check and mark not in data):
                    errors.append(f"POST {path} answered {response.status}: {data[:200]!r}")
                    break
                if t1 >= deadline:
                    break
        except OSError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            ends[i] = clock()
            conn.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    workers = server.worker_pids()
    cpu0, own0 = cpu_seconds(workers), time.process_time()
    start[0] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = max(ends) - start[0]
    cpu1, own1 = cpu_seconds(workers), time.process_time()
    if errors:
        raise RuntimeError(f"{server.name}: {len(errors)} failed requests, first: {errors[0]}")
    if warn and any(len(done) == len(job) for done, job in zip(latencies, jobs, strict=True)):
        print(f"  note: a thread ran out of prepared requests before {seconds} s "
              "(raise --max-rps)", file=sys.stderr)
    every = [t * 1000 for done in latencies for t in done]
    return {"rps": len(every) / elapsed, "p50": statistics.median(every),
            "p99": percentile(every, 99), "requests": len(every),
            "connections": sum(opened), "server_cpu": (cpu1 - cpu0) / elapsed,
            "client_cpu": (own1 - own0) / elapsed,
            "cpu_us": (cpu1 - cpu0) / len(every) * 1e6, "done": [len(d) for d in latencies]}


def open_loop(server: Server, calls: list[list[tuple[str, bytes, dict[str, str], bytes]]],
              rate: float, seconds: float, seed: int = 7, senders: int = 96) -> dict[str, Any]:
    """Calls arriving at `rate` a second with random (exponential) gaps, for `seconds`: each
    call's requests are sent one after the other as soon as the last is answered, whatever
    the server's backlog. The first request's latency counts from the call's arrival, so a
    server falling behind shows in it (no coordinated omission). `senders` threads with a
    connection per call carry the calls; fewer than needed show as latency too."""
    rng = random.Random(seed)
    arrivals, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds or len(arrivals) == len(calls):
            break
        arrivals.append(t)
    todo: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    latencies: list[float] = []
    errors: list[str] = []
    start = [0.0]

    def send() -> None:
        clock = time.perf_counter
        while (k := todo.get()) is not None:
            since = start[0] + arrivals[k]
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:  # a connection per call, as Twilio's requests come
                for path, body, headers, mark in calls[k]:
                    conn.request("POST", path, body, headers)
                    response = conn.getresponse()
                    data = response.read()
                    now = clock()
                    latencies.append((now - since) * 1000)
                    since = now
                    if response.status != 200 or mark not in data:
                        errors.append(f"POST {path} answered {response.status}: {data[:200]!r}")
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                conn.close()

    threads = [threading.Thread(target=send, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    workers = server.worker_pids()
    cpu0 = cpu_seconds(workers)
    start[0] = time.perf_counter()
    for k, at in enumerate(arrivals):
        delay = start[0] + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        todo.put(k)
    for _ in threads:
        todo.put(None)
    for thread in threads:
        thread.join(30)
    elapsed = time.perf_counter() - start[0]
    requests = len(latencies)
    return {"offered": sum(len(calls[k]) for k in range(len(arrivals))) / seconds,
            "p50": statistics.median(latencies) if latencies else float("inf"),
            "p99": percentile(latencies, 99) if latencies else float("inf"),
            "errors": len(errors), "first_error": errors[0] if errors else "",
            "server_cpu": (cpu_seconds(workers) - cpu0) / elapsed, "requests": requests,
            "latencies": latencies}
