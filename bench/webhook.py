"""What one Twilio webhook step costs, against a bare Flask app measured in the same run.

    .venv/bin/python -m bench.webhook            # about a minute; last line is JSON
    .venv/bin/python -m bench.webhook --profile  # also: where the time of one step goes

1. In-process, with Flask's test client: time per request of a bare Flask POST returning a
   fixed TwiML string (the baseline), POST /voice (a new call) and POST /voice/step with the
   key for the language menu (one full step). Every request is signed, every call has a
   fresh CallSid, and signatures are computed before the clock starts.
2. Over HTTP: gunicorn with 2 sync workers on a free loopback port, driven by a bounded
   Python load generator (threads, `http.client`), for the bare app and for the IVR
   (alternating /voice and /voice/step?seq=0 per CallSid).

Each measurement is repeated (--repeats) and the median of the repeats is quoted. Uses the
Redis server of REDIS_URL (127.0.0.1:6379 by default), on database 12 only (BENCH_REDIS_DB to
change it), flushed before, between and after.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.test import Client

from bench import percentile, redis_url
from bench.http_load import Req, drive, prepared
from ivr_app.testing.servers import gunicorn

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = redis_url(12)
TOKEN = "bench-auth-token-0123456789abcdef"
TEST_BASE = "http://localhost"
# A Wednesday morning in Mexico City (the demo flow's office is open); fixed, so runs compare.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
# What a good answer contains; the app answers 200 with a transfer to a person on its own
# errors, so the status code alone would not show a broken step.
VOICE_MARK = b'action="/voice/step?seq=0"'
STEP_MARK = b'action="/voice/step?seq=1"'
STEP_PATH = "/voice/step?seq=0"


def new_sid() -> str:
    return "CA" + secrets.token_hex(16)


def twilio_form(sid: str, **extra: str) -> dict[str, str]:
    caller, number = "+15005550006", "+15005550001"
    return {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": sid,
            "CallStatus": "in-progress", "Direction": "inbound", "From": caller, "To": number,
            "Caller": caller, "Called": number, **extra}


def one_call(validator: RequestValidator, base: str) -> tuple[Req, Req]:
    """The two requests of a call: it comes in, then the caller presses 1 (Spanish)."""
    sid = new_sid()
    voice = twilio_form(sid)
    step = twilio_form(sid, Digits="1", FinishedOnKey="")
    return (Req("/voice", voice, validator.compute_signature(base + "/voice", voice),
                VOICE_MARK),
            Req(STEP_PATH, step, validator.compute_signature(base + STEP_PATH, step), STEP_MARK))


@dataclass
class Figures:
    """One quantity measured `repeats` times; quoted as the median of the repeats."""

    runs: list[dict[str, float]] = field(default_factory=list)

    def add(self, **values: float) -> None:
        self.runs.append(values)

    def __getitem__(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)

    def spread(self, key: str) -> str:
        values = [run[key] for run in self.runs]
        return f"{min(values):.0f}-{max(values):.0f}"


def flush_db() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def make_ivr_app() -> Flask:
    from ivr_app import create_app

    return create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
                       "FLOWS_DIR": str(ROOT / "flows"), "IVR_FLOW": "main"},
                      clock=lambda: NOW)


def raw_wsgi(body: bytes) -> Callable[..., list[bytes]]:
    """Not Flask at all: what the test client costs by itself."""

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [body]

    return answer


def timed_posts(client: Client, reqs: list[Req], mark: bytes | None) -> list[float]:
    """Microseconds per signed POST; checks every answer, outside the timed part."""
    times: list[float] = []
    clock = time.perf_counter_ns
    gc.collect()
    for req in reqs:
        headers = {"X-Twilio-Signature": req.signature}
        t0 = clock()
        response = client.post(req.path, data=req.form, base_url=TEST_BASE, headers=headers)
        t1 = clock()
        times.append((t1 - t0) / 1000)
        if response.status_code != 200 or (mark is not None and mark not in response.data):
            raise RuntimeError(f"POST {req.path} answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:300]}")
    return times


def in_process(requests: int, repeats: int) -> dict[str, Figures]:
    from bench.bare_app import TWIML, create_bare_app

    validator = RequestValidator(TOKEN)
    ivr = make_ivr_app().test_client()
    bare = create_bare_app().test_client()
    raw = Client(raw_wsgi(TWIML.encode()))
    figures = {name: Figures() for name in ("client", "baseline", "voice", "step")}

    flush_db()
    warm = [one_call(validator, TEST_BASE) for _ in range(300)]
    for client, reqs in ((raw, [v for v, _ in warm]), (bare, [v for v, _ in warm]),
                         (ivr, [v for v, _ in warm]), (ivr, [s for _, s in warm])):
        timed_posts(client, reqs, None)

    for _ in range(repeats):
        flush_db()
        calls = [one_call(validator, TEST_BASE) for _ in range(requests)]
        voices, steps = [v for v, _ in calls], [s for _, s in calls]
        # Interleaved per repeat, so drift on a noisy machine hits every row alike.
        for name, client, reqs, mark in (("client", raw, voices, None),
                                         ("baseline", bare, voices, None),
                                         ("voice", ivr, voices, VOICE_MARK),
                                         ("step", ivr, steps, STEP_MARK)):
            times = timed_posts(client, reqs, mark)
            figures[name].add(p50=statistics.median(times), p99=percentile(times, 99),
                              mean=statistics.fmean(times))
    flush_db()
    return figures


PROFILE_ROWS = (  # (label, file suffix or "" for builtins, function name)
    ("test client + WSGI + Flask, whole request", "werkzeug/test.py", "open"),
    ("  signature check (RequestValidator.validate)", "twilio/request_validator.py", "validate"),
    ("  form parsing (request.form)", "werkzeug/wrappers/request.py", "form"),
    ("  state read (CallStore.load, 1 round trip)", "ivr_app/state/calls.py", "load"),
    ("  flow lookup (FlowRegistry.version)", "ivr_app/flow/registry.py", "version"),
    ("  engine.handle", "ivr_app/call/engine.py", "handle"),
    ("  TwiML (twiml.render)", "ivr_app/call/twiml.py", "render"),
    ("  commit (CallStore.commit, Lua script)", "ivr_app/state/calls.py", "commit"),
    ("  json.dumps + json.loads of the state", "json/__init__.py", "dumps|loads"),
    ("  waiting on Redis (socket recv)", "", "recv_into|recv"),
)


def profile_steps(count: int) -> None:
    validator = RequestValidator(TOKEN)
    ivr = make_ivr_app().test_client()
    flush_db()
    calls = [one_call(validator, TEST_BASE) for _ in range(count)]
    timed_posts(ivr, [v for v, _ in calls], VOICE_MARK)
    profiler = cProfile.Profile()
    steps = [s for _, s in calls]
    profiler.enable()
    timed_posts(ivr, steps, STEP_MARK)
    profiler.disable()
    flush_db()

    stats = pstats.Stats(profiler)
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    print(f"\nProfile of {count} in-process steps (cProfile inflates the absolute figures; "
          "read the proportions)")
    print(f"{'':48} {'µs/step':>8} {'calls/step':>10}")
    for label, suffix, names in PROFILE_ROWS:
        wanted = names.split("|")
        cumulative, calls_n = 0.0, 0
        for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in entries.items():
            if not suffix and filename == "~":
                if any(f"'{w}'" in func for w in wanted) and "socket" in func:
                    cumulative += ct
                    calls_n += nc
            elif suffix and filename.endswith(suffix) and func in wanted:
                cumulative += ct
                calls_n += nc
        print(f"{label:48} {cumulative / count * 1e6:8.0f} {calls_n / count:10.1f}")
    print("\nTop functions by own time:")
    stats.sort_stats("tottime").print_stats(15)


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
    flush_db()
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
            flush_db()
            ivr_jobs = call_jobs(ivr.port, threads, per_thread)
            # Interleaved per repeat, as in-process.
            result = drive(bare, bare_jobs, seconds, check=False, step_path=STEP_PATH)
            figures["baseline"].add(**result)
            result = drive(ivr, ivr_jobs, seconds, check=True, step_path=STEP_PATH)
            figures["step"].add(**result)
        notes["keep_alive"] = result["connections"] < result["requests"]
    flush_db()
    return figures, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000,
                        help="in-process requests per measurement (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each measurement")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one HTTP run")
    parser.add_argument("--threads", type=int, default=8, help="load generator threads")
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
            flush_db()


def run(args: argparse.Namespace) -> None:

    began = time.monotonic()
    print(f"webhook step benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"Redis {REDIS_URL}, median of {args.repeats} repeats")
    ip = in_process(args.requests, args.repeats)
    base = ip["baseline"]["p50"]
    print(f"\n1. In-process (Flask test client), {args.requests} signed requests per repeat")
    print(f"{'':44} {'p50 µs':>8} {'p99 µs':>8} {'x base':>7}  {'p50 range':>10}")
    rows = (("test client alone (raw WSGI callable)", "client"),
            ("baseline: bare Flask POST, fixed TwiML", "baseline"),
            ("POST /voice (new call, state to Redis)", "voice"),
            ("POST /voice/step Digits=1 (one step)", "step"))
    for label, key in rows:
        f = ip[key]
        print(f"{label:44} {f['p50']:8.0f} {f['p99']:8.0f} {f['p50'] / base:7.2f}  "
              f"{f.spread('p50'):>10}")

    result: dict[str, Any] = {
        "inproc_step_us": round(ip["step"]["p50"], 1),
        "inproc_baseline_us": round(base, 1),
        "inproc_ratio": round(ip["step"]["p50"] / base, 2),
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
