"""How late callbacks are placed, against RQ's scheduler running an empty job, in one run.

    .venv/bin/python -m bench.callbacks            # workers as the Procfile runs them
    .venv/bin/python -m bench.callbacks --no-preload  # workers that import the jobs per job

Real workers (`rq worker --with-scheduler`, 2 by default) and the Twilio stand-in on
127.0.0.1, with an available agent for every callback. Two phases, each with its jobs due
at the same spread of instants over `--window` seconds:
1. the baseline: empty jobs (bench/empty_job.py) scheduled with `enqueue_at`; lateness =
   when the job started - its due time;
2. callbacks: records created with a chosen slot and scheduled as the app schedules them
   (`callback_calls.schedule`); lateness = when the stand-in received the callback's
   Calls.json create - its due time. Where that time goes is split into: due -> its
   callback_due job starts (scheduler + queue), the job itself, job end -> the create
   (the dispatch job it enqueues).
RQ's scheduler keeps whole seconds and looks once a second, so jobs may start up to a
second early: lateness can be negative. The last line is JSON.

Uses the Redis server of REDIS_URL (127.0.0.1:6379 by default), on database 8 only
(BENCH_REDIS_DB to change it), flushed before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rq.job import Job

from bench import flush_db, percentile, redis_url
from bench.empty_job import STARTED_KEY
from ivr_app.callbacks.placing import schedule
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.platform.clock import utc_now
from ivr_app.platform.config import settings
from ivr_app.services import build_services
from ivr_app.state.agents import Agent
from tests.support.workers import RqWorkers, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = redis_url(8)
QUEUE = "bench"
EMPTY_JOB = "bench.empty_job.note_start"


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {"p50": statistics.median(values), "p99": percentile(values, 99), "max": max(values)}


def line(name: str, values: list[float]) -> str:
    s = summary(values)
    return (f"  {name:<34} p50 {s['p50']:+6.3f} s   p99 {s['p99']:+6.3f} s   "
            f"max {s['max']:+6.3f} s   (n={len(values)})")


def run(count: int, window: float, lead: float, workers_n: int, preload: bool,
        log_dir: Path) -> dict:
    standin = TwilioStandin().start()
    config = {"REDIS_URL": REDIS_URL, "TWILIO_CALLER_ID": "+15005550000",
              "PUBLIC_BASE_URL": "https://ivr.example.com", "FLOWS_DIR": str(ROOT / "flows"),
              "TWILIO_TIMEOUT": 5} | standin.config()
    ivr = build_services(settings(config))
    workers = RqWorkers(log_dir)
    wall_minus_mono = time.time() - time.monotonic()  # the stand-in records time.monotonic()

    def slots() -> list[dt.datetime]:
        start = utc_now() + dt.timedelta(seconds=lead)
        return [start + dt.timedelta(seconds=window * (i + 0.5) / count) for i in range(count)]

    def creates() -> dict[str, list[float]]:
        """Wall-clock arrival of each Calls.json create, by callback id."""
        found: dict[str, list[float]] = {}
        for r in standin.requests:
            if r.method == "POST" and r.path.endswith("/Calls.json"):
                cb = parse_qs(urlsplit(r.form.get("Url", "")).query).get("id", [""])[0]
                found.setdefault(cb, []).append(r.at + wall_minus_mono)
        return found

    def wait_until(done, last_due: float, what: str) -> None:
        try:
            wait_for(done, last_due - time.time() + 20, what)
        except AssertionError:
            print(f"gave up waiting for {what}", file=sys.stderr)

    try:
        now = utc_now()
        for i in range(count):  # an available agent for every callback
            ivr.roster.save(Agent(id=f"agent{i:04d}", name=f"Agent {i}", phone=f"+1500{i:07d}",
                                  languages=["es"], queues=[QUEUE]))
            ivr.roster.set_status(f"agent{i:04d}", "available", now)
        options = ("-c", "workers.preload") if preload else ()
        procs = [workers.start(worker_env(config), *options) for _ in range(workers_n)]
        for proc in procs:
            workers.wait_ready(proc, REDIS_URL)
        print(f"{workers_n} workers{' (preloaded)' if preload else ''}; {count} jobs per phase "
              f"due over {window:.0f} s", file=sys.stderr)

        # 1. the baseline: RQ's scheduler and workers running an empty job
        baseline_due = {}
        for i, at in enumerate(slots()):
            job = ivr.jobs.enqueue_at(at, EMPTY_JOB, job_id=f"empty-{i}")
            baseline_due[job.id] = at.timestamp()
        wait_until(lambda: ivr.redis.hlen(STARTED_KEY) == count, max(baseline_due.values()),
                   "every empty job")
        started = {k: float(v) for k, v in ivr.redis.hgetall(STARTED_KEY).items()}

        # 2. callbacks with chosen slots, scheduled as the app schedules them
        due: dict[str, float] = {}
        for i, at in enumerate(slots()):
            callback = ivr.callbacks.create(
                number=f"+5255{i:08d}", lang="es", queue=QUEUE, reason="benchmark", flow="main",
                place=i + 1, context={}, now=utc_now(), due_at=at)
            schedule(ivr, callback.id, at, 0)
            due[callback.id] = at.timestamp()
        wait_until(lambda: len(creates().keys() & due.keys()) == count, max(due.values()),
                   "every callback placed")
        time.sleep(1.0)  # a second create for any callback would land by now
        placed = creates()
        due_jobs = Job.fetch_many([f"callback-{cb}-0" for cb in due],
                                  connection=ivr.jobs.connection)
        states = Counter(ivr.callbacks.get(cb).state for cb in due)
    finally:
        workers.stop_all()
        standin.stop()
        ivr.close()

    lateness = [placed[cb][0] - t for cb, t in due.items() if cb in placed]
    baseline = [started[j] - t for j, t in baseline_due.items() if j in started]
    to_job, in_job, to_create = [], [], []
    for (cb, t), job in zip(due.items(), due_jobs, strict=True):
        if job is None or job.started_at is None or job.ended_at is None or cb not in placed:
            continue
        begun = job.started_at.replace(tzinfo=dt.UTC).timestamp()
        ended = job.ended_at.replace(tzinfo=dt.UTC).timestamp()
        to_job.append(begun - t)
        in_job.append(ended - begun)
        to_create.append(placed[cb][0] - ended)
    return {"count": count, "lateness": lateness, "baseline": baseline, "to_job": to_job,
            "in_job": in_job, "to_create": to_create,
            "placed": sum(1 for cb in due if cb in placed),
            "placed_twice": sum(1 for cb in due if len(placed.get(cb, [])) > 1),
            "states": dict(states)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callbacks", type=int, default=300)
    parser.add_argument("--window", type=float, default=30.0, help="seconds the slots span")
    parser.add_argument("--lead", type=float, default=3.0, help="seconds before the first slot")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        help="workers without -c workers.preload (the Procfile uses it): each "
                             "job imports the app again")
    args = parser.parse_args()

    flush_db(REDIS_URL)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-callbacks-") as logs:
            r = run(args.callbacks, args.window, args.lead, args.workers, args.preload,
                    Path(logs))
    finally:
        flush_db(REDIS_URL)

    print(f"placed {r['placed']}/{r['count']}, placed twice {r['placed_twice']}, "
          f"states {r['states']}")
    print("lateness (negative = early):")
    print(line("callbacks: due -> Calls.json create", r["lateness"]))
    print(line("baseline: due -> empty job starts", r["baseline"]))
    print("where a callback's time goes:")
    print(line("due -> callback_due job starts", r["to_job"]))
    print(line("callback_due job runs", r["in_job"]))
    print(line("job ends -> create (dispatch job)", r["to_create"]))
    late, base = summary(r["lateness"]), summary(r["baseline"])
    result = {"scheduled": r["count"], "placed": r["placed"], "placed_twice": r["placed_twice"],
              "lateness_p99_s": round(late["p99"], 3), "baseline_p99_s": round(base["p99"], 3),
              "lateness_p50_s": round(late["p50"], 3), "baseline_p50_s": round(base["p50"], 3),
              "lateness_max_s": round(late["max"], 3), "baseline_max_s": round(base["max"], 3)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
