"""What one Twilio webhook step costs, against a bare Flask app measured in the same run.

    .venv/bin/python -m bench.webhook            # about two minutes; last line is JSON
    .venv/bin/python -m bench.webhook --profile  # also: where the time of one step goes

1. In-process, with Flask's test client (bench/inprocess.py): the test client alone, a bare
   Flask POST returning a fixed TwiML string (the baseline), POST /voice (a new call),
   POST /voice/step with the key for the language menu (one full step), the step that puts
   the caller in line for a person (queue entry and the routing job) and Twilio's first
   fetch of the wait URL (position and estimate).
2. Over HTTP: gunicorn with 2 sync workers on a free loopback port (as the Procfile runs
   it), driven by a bounded Python load generator (--threads concurrent callers, 64 by
   default, each with its own connection), for the bare app and for the IVR (alternating
   /voice and /voice/step?seq=0 per CallSid).

Each measurement is repeated (--repeats) and the median of the repeats is quoted. The app
logs one line per webhook, as in production, to a file whose name is printed. Uses the
Redis server of REDIS_URL (127.0.0.1:6379 by default), on database 12 only (BENCH_REDIS_DB to
change it), flushed before, between and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import redis
from twilio.request_validator import RequestValidator

from bench import flush_db
from bench.http_load import Req, drive, prepared
from bench.inprocess import (
    REDIS_URL,
    STEP_PATH,
    TOKEN,
    Figures,
    in_process,
    one_call,
    profile_steps,
)
from tests.support.servers import gunicorn

ROOT = Path(__file__).resolve().parents[1]


def call_jobs(port: int, threads: int, per_thread: int
              ) -> list[list[tuple[str, bytes, dict[str, str], bytes]]]:
    """Per thread: /voice then /voice/step?seq=0 Digits=1, each pair on a fresh CallSid."""
    validator = RequestValidator(TOKEN)
    base = f"http://127.0.0.1:{port}"
    jobs = []
    for _ in range(threads):
        reqs: list[Req] = []
        for _ in range((per_thread + 1) // 2):
            reqs.extend(one_call(validator, base))
        jobs.append(prepared(reqs))
    return jobs


def over_http(repeats: int, seconds: float, threads: int, max_rps: int
              ) -> tuple[dict[str, Figures], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PUBLIC_BASE_URL", "TRUSTED_PROXIES", "IVR_INSECURE_DEV")}
    env.update(REDIS_URL=REDIS_URL, TWILIO_AUTH_TOKEN=TOKEN, FLOWS_DIR="flows", IVR_FLOW="main",
               PYTHONPATH=str(ROOT))
    per_thread = int(max_rps * seconds / threads) + 1
    figures = {"baseline": Figures(), "step": Figures()}
    notes: dict[str, Any] = {}
    flush_db(REDIS_URL)
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, \
            gunicorn("bare", "bench.bare_app:app", env, Path(tmp)) as bare, \
            gunicorn("ivr", "wsgi:app", env, Path(tmp)) as ivr:
        # The baseline answers without reading anything: one prepared call list, replayed.
        bare_jobs = call_jobs(bare.port, threads, 200)
        bare_jobs = [job * (per_thread // len(job) + 1) for job in bare_jobs]
        drive(bare, bare_jobs, 1.0, check=False, warn=False, step_path=STEP_PATH)  # warm-up
        drive(ivr, call_jobs(ivr.port, threads, 200), 1.0, check=True, warn=False,
              step_path=STEP_PATH)
        for _ in range(repeats):
            flush_db(REDIS_URL)
            ivr_jobs = call_jobs(ivr.port, threads, per_thread)
            # Interleaved per repeat, as in-process.
            result = drive(bare, bare_jobs, seconds, check=False, step_path=STEP_PATH)
            figures["baseline"].add(**result)
            result = drive(ivr, ivr_jobs, seconds, check=True, step_path=STEP_PATH)
            figures["step"].add(**result)
        notes["keep_alive"] = result["connections"] < result["requests"]
    flush_db(REDIS_URL)
    return figures, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000,
                        help="in-process requests per measurement (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each measurement")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one HTTP run")
    parser.add_argument("--threads", type=int, default=64,
                        help="load generator threads: concurrent callers (default 64)")
    parser.add_argument("--max-rps", type=int, default=6000,
                        help="requests prepared per HTTP run = max-rps x seconds")
    parser.add_argument("--profile", action="store_true",
                        help="also profile in-process steps with cProfile")
    parser.add_argument("--skip-http", action="store_true", help="in-process only")
    args = parser.parse_args()
    try:
        run(args)
    finally:  # interrupted or failed half-way: leave no calls behind in db 12 either
        with suppress(redis.RedisError):
            flush_db(REDIS_URL)


def run(args: argparse.Namespace) -> None:
    began = time.monotonic()
    with tempfile.NamedTemporaryFile(prefix="bench-webhook-", suffix=".log", delete=False) as log:
        logging.basicConfig(filename=log.name, level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"webhook step benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"Redis {REDIS_URL}, median of {args.repeats} repeats; the app's log (one line "
          f"per webhook, as in production) goes to {log.name}")
    ip = in_process(args.requests, args.repeats)
    base = ip["baseline"]["p50"]
    print(f"\n1. In-process (Flask test client), {args.requests} signed requests per repeat "
          f"({args.requests // 4} for the transfer and the wait)")
    print(f"{'':44} {'p50 µs':>8} {'p99 µs':>8} {'x base':>7} {'CPU µs':>7}  {'p50 range':>10}")
    rows = (("test client alone (raw WSGI callable)", "client"),
            ("baseline: bare Flask POST, fixed TwiML", "baseline"),
            ("POST /voice (new call, state to Redis)", "voice"),
            ("POST /voice/step Digits=1 (one step)", "step"),
            ("POST /voice/step Digits=0 (into the line)", "transfer"),
            ("POST /voice/wait (position and estimate)", "wait"))
    for label, key in rows:
        f = ip[key]
        print(f"{label:44} {f['p50']:8.0f} {f['p99']:8.0f} {f['p50'] / base:7.2f} "
              f"{f['cpu']:7.0f}  {f.spread('p50'):>10}")
    print("CPU µs is this process's CPU time per request (Redis's own not counted): less "
          "swayed than p50 by other work on the machine.")

    result: dict[str, Any] = {
        "inproc_step_us": round(ip["step"]["p50"], 1),
        "inproc_baseline_us": round(base, 1),
        "inproc_ratio": round(ip["step"]["p50"] / base, 2),
        "inproc_voice_us": round(ip["voice"]["p50"], 1),
        "inproc_transfer_us": round(ip["transfer"]["p50"], 1),
        "inproc_wait_us": round(ip["wait"]["p50"], 1),
        "inproc_step_cpu_us": round(ip["step"]["cpu"], 1),
        "inproc_baseline_cpu_us": round(ip["baseline"]["cpu"], 1),
    }

    if not args.skip_http:
        hf, notes = over_http(args.repeats, args.seconds, args.threads, args.max_rps)
        b, s = hf["baseline"], hf["step"]
        print(f"\n2. HTTP: gunicorn, 2 sync workers, {args.threads} client threads, "
              f"{args.seconds:g} s per run")
        print(f"{'':44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'x base':>7} "
              f"{'worker CPU':>10}  {'req/s range':>11}")
        print(f"{'baseline: bare Flask POST, fixed TwiML':44} {b['rps']:7.0f} {b['p50']:7.2f} "
              f"{b['p99']:7.2f} {1:7.2f} {b['cpu_us']:7.0f} µs  {b.spread('rps'):>11}")
        print(f"{'call steps: /voice, /voice/step alternating':44} {s['rps']:7.0f} "
              f"{s['p50']:7.2f} {s['p99']:7.2f} {s['rps'] / b['rps']:7.2f} "
              f"{s['cpu_us']:7.0f} µs  {s.spread('rps'):>11}")
        print(f"{'  of which /voice/step only':44} {'':7} {s['step_p50']:7.2f} "
              f"{s['step_p99']:7.2f}")
        print(f"Cores busy: baseline workers {b['server_cpu']:.2f} + load generator "
              f"{b['client_cpu']:.2f}; IVR workers {s['server_cpu']:.2f} + load generator "
              f"{s['client_cpu']:.2f} (of {os.cpu_count()}; Redis not counted).")
        print("x base over HTTP is req/s step / req/s baseline; worker CPU is gunicorn workers' "
              "CPU time per request.")
        if not notes["keep_alive"]:
            print("gunicorn's sync workers close the connection after every response "
                  "(no keep-alive): each request includes a TCP connect.")
        result.update(http_step_rps=round(s["rps"]), http_baseline_rps=round(b["rps"]),
                      http_step_p99_ms=round(s["p99"], 2),
                      http_ratio=round(s["rps"] / b["rps"], 3))

    if args.profile:
        profile_steps(min(args.requests, 1000))
    print(f"\n(took {time.monotonic() - began:.0f} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
