"""What one Twilio webhook step costs, against the floor (the work no step can avoid)
measured in the same run.

    .venv/bin/python -m bench.webhook            # a few minutes; the last line is JSON
    .venv/bin/python -m bench.webhook --profile  # also: where the time of one step goes

1. In process, with Flask's test client (bench/inprocess.py): the floor app
   (bench/floor_app.py: bare Flask, the form, the signature, one EVALSHA round trip, the
   app's Redis client) on the very requests of the step; POST /voice (a call's first
   answer); POST /voice/step with the key for the language menu (one step); the step that
   puts the caller in line for a person; Twilio's first fetch of the wait URL. Then the Redis
   round trips of a step (counted on the client's socket) and the Redis memory a call in a
   menu keeps.
2. Over HTTP, closed loop: gunicorn with the app's gunicorn.conf.py (as the Procfile runs
   it) for the floor app and for the IVR, on free loopback ports, each driven by --threads
   callers that never pause: the floor on step requests, the IVR's first answers (/voice)
   alone, then the steps (/voice/step?seq=0) of calls already answered, alone; and the two
   together as a call makes them (one after the other: the rate both rows give).
3. Over HTTP, open loop: calls arrive at a fixed rate with random gaps (each a /voice, then
   its step once answered), rate raised by half each round until p99 reaches 100 ms (a rate
   that misses is run again and judged on both runs' requests); the highest rate below is
   the line's capacity, and calls per core follow from it (a call
   makes a request every 6 s or so; cores are the gunicorn workers' CPU at that rate).
4. Growth: bench/growth.py's step, wait URL, routing and agent-screen poll with 10 and 10,000
   callers waiting (100,000 calls' state kept), the worst ratio as `growth_ratio`.

Each measurement of 1 is repeated (--pairs, 15), each repeat a pair: the floor and the steps on
the same calls in slices of 200 back to back; a row's ratio to the floor is the median of its
ratios in each repeat. Each measurement of 2 is repeated (--repeats) and the median quoted.
The app logs one line per webhook, as in production, to a file whose name is printed. Uses
the Redis server of REDIS_URL (127.0.0.1:6379 by default), on database 12 only
(BENCH_REDIS_DB to change it), flushed before, between and after.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import redis
from twilio.request_validator import RequestValidator

from bench import flush_db, percentile
from bench.growth import growth
from bench.http_load import drive, open_loop, prepared
from bench.inprocess import (
    REDIS_URL,
    TOKEN,
    Figures,
    in_process,
    one_call,
    profile_steps,
    step_round_trips,
)
from ivr_app.platform import logs
from tests.support.servers import gunicorn, scripts_run

ROOT = Path(__file__).resolve().parents[1]
Jobs = list[list[tuple[str, bytes, dict[str, str], bytes]]]  # per thread, requests in order
STEP_EVERY_S = 6  # a call in a menu or on hold makes a request about this often
P99_MS = 100


def call_jobs(port: int, threads: int, per_thread: int) -> tuple[Jobs, Jobs]:
    """Per thread, on fresh CallSids: the calls' first answers (/voice), and the same calls'
    steps (/voice/step?seq=0 Digits=1), in the same order."""
    validator = RequestValidator(TOKEN)
    base = f"http://127.0.0.1:{port}"
    calls = [[one_call(validator, base) for _ in range(per_thread)] for _ in range(threads)]
    return ([prepared([v for v, _ in mine]) for mine in calls],
            [prepared([s for _, s in mine]) for mine in calls])


def over_http(args: argparse.Namespace) -> tuple[dict[str, Figures], dict[str, Any]]:
    """Each repeat: the floor app on step requests; the IVR's first answers; then the steps
    of the calls those answered (the rest of the calls answered first, untimed, so that
    every step the run may send has its call)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PUBLIC_BASE_URL", "TRUSTED_PROXIES", "IVR_INSECURE_DEV")}
    env.update(REDIS_URL=REDIS_URL, TWILIO_AUTH_TOKEN=TOKEN, FLOWS_DIR="flows", IVR_FLOW="main",
               PYTHONPATH=str(ROOT))
    threads, seconds = args.threads, args.seconds
    max_rps_jobs = int(args.max_rps * seconds / threads) + 1
    figures = {"floor": Figures(), "voice": Figures(), "step": Figures()}
    flush_db(REDIS_URL)
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, \
            gunicorn("floor", "bench.floor_app:create_floor_app()", env, Path(tmp)) as floor, \
            gunicorn("ivr", "wsgi:app", env, Path(tmp)) as ivr:
        drive(floor, call_jobs(floor.port, threads, 100)[1], 1.0, check=False, warn=False)
        drive(ivr, call_jobs(ivr.port, threads, 100)[0], 1.0, check=True, warn=False)
        for _ in range(args.repeats):  # interleaved per repeat, as in process
            flush_db(REDIS_URL)
            bare = drive(floor, call_jobs(floor.port, threads, max_rps_jobs)[1], seconds,
                         check=False)
            figures["floor"].add(**timed(bare))
            # calls enough for steps at the floor's rate and a quarter more
            firsts, steps = call_jobs(ivr.port, threads, int(bare["rps"] * 1.25 * seconds
                                                             / threads) + 1)
            answered = drive(ivr, firsts, seconds, check=True)
            figures["voice"].add(**timed(answered))
            rest = [job[done:] for job, done in zip(firsts, answered["done"], strict=True)]
            drive(ivr, rest, 3600, check=True, warn=False)
            scripts = scripts_run(REDIS_URL)  # every client of the server: run it alone
            stepped = drive(ivr, steps, seconds, check=True)
            stepped["scripts"] = (scripts_run(REDIS_URL) - scripts) / stepped["requests"]
            figures["step"].add(**timed(stepped))
        found = highest_rate(ivr, args.open_seconds, args.max_rps)
    flush_db(REDIS_URL)
    return figures, found


def timed(run: dict[str, Any]) -> dict[str, float]:
    """A run's figures, without what each of its threads got through."""
    return {k: v for k, v in run.items() if k != "done"}


def highest_rate(ivr: Any, seconds: float, max_rps: int) -> dict[str, Any]:
    """Open loop at rising rates (requests a second) until p99 reaches P99_MS or a request
    fails; the highest rate under it, with the p99 and the workers' CPU there."""
    validator = RequestValidator(TOKEN)
    base = f"http://127.0.0.1:{ivr.port}"
    best: dict[str, Any] = {"rate": 0.0, "p99": float("nan"), "server_cpu": float("nan")}
    print(f"\n3. Open loop: calls arrive with random gaps, /voice then its step; "
          f"{seconds:g} s per rate")
    print(f"{'requests/s offered':>20} {'p50 ms':>8} {'p99 ms':>8} {'worker cores':>12}")
    rate = 60.0
    while rate <= max_rps:
        r = at_rate(ivr, base, validator, rate, seconds)
        if r["errors"] or r["p99"] >= P99_MS:  # once more, the two runs' requests together:
            again = at_rate(ivr, base, validator, rate, seconds)  # one burst of the machine's
            latencies = r["latencies"] + again["latencies"]  # other work is not the line's
            r = {**again, "errors": r["errors"] + again["errors"],
                 "p99": percentile(latencies, 99)}
        if r["errors"] or r["p99"] >= P99_MS:
            break
        best = {"rate": r["offered"], "p99": r["p99"], "server_cpu": r["server_cpu"]}
        rate *= 1.5
    return best


def at_rate(ivr: Any, base: str, validator: RequestValidator, rate: float,
            seconds: float) -> dict[str, Any]:
    flush_db(REDIS_URL)
    calls = [prepared(list(one_call(validator, base)))
             for _ in range(int(rate * seconds / 2 * 1.3) + 10)]
    r = open_loop(ivr, calls, rate / 2, seconds)
    print(f"{r['offered']:20.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['server_cpu']:12.2f}"
          + (f"  {r['errors']} failed: {r['first_error'][:80]}" if r["errors"] else ""))
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000,
                        help="in-process requests per measurement (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats over HTTP and of growth")
    parser.add_argument("--pairs", type=int, default=15,
                        help="in-process repeats, each floor and steps paired (default 15)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one HTTP run")
    parser.add_argument("--open-seconds", type=float, default=4.0,
                        help="length of each open-loop rate")
    parser.add_argument("--threads", type=int, default=64,
                        help="closed-loop callers over HTTP (default 64)")
    parser.add_argument("--max-rps", type=int, default=6000,
                        help="requests prepared per HTTP run = max-rps x seconds")
    parser.add_argument("--profile", action="store_true",
                        help="also profile in-process steps with cProfile")
    parser.add_argument("--skip-http", action="store_true", help="in-process only")
    parser.add_argument("--skip-growth", action="store_true",
                        help="without bench.growth's 10 / 10,000 callers waiting comparison")
    args = parser.parse_args()
    try:
        run(args)
    finally:  # interrupted or failed half-way: leave no calls behind in the database either
        with suppress(redis.RedisError):
            flush_db(REDIS_URL)


def run(args: argparse.Namespace) -> None:
    began = time.monotonic()
    with tempfile.NamedTemporaryFile(prefix="bench-webhook-", suffix=".log", delete=False) as log:
        logs.configure("INFO", log.name)  # as the web process logs
    load = os.getloadavg()[0]
    print(f"webhook step benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}, Redis {REDIS_URL}, median of {args.pairs} paired repeats "
          f"in process, {args.repeats} over HTTP; "
          f"the app's log (one line per webhook, as in production) goes to {log.name}")
    ip = in_process(args.requests, args.pairs)
    trips, kept = step_round_trips()
    floor = ip["floor"]
    print(f"\n1. In process (Flask test client), {args.requests} signed requests per repeat "
          f"({args.requests // 4} for the transfer and the wait)")
    print(f"{'':46} {'CPU µs':>7} {'x floor':>7} {'p50 µs':>8} {'p99 µs':>8}  {'CPU range':>10} "
          f"{'x range':>9}")
    rows = (("floor: Flask, form, signature, 1 EVALSHA", "floor"),
            ("POST /voice (a call's first answer)", "voice"),
            ("POST /voice/step Digits=1 (one step)", "step"),
            ("POST /voice/step Digits=0 (into the line)", "transfer"),
            ("POST /voice/wait (position and estimate)", "wait"))
    for label, key in rows:
        f = ip[key]
        print(f"{label:46} {f['cpu']:7.0f} {f['ratio']:7.2f} {f['p50']:8.0f} "
              f"{f['p99']:8.0f}  {f.spread('cpu'):>10} {f.spread('ratio', 2):>9}")
    print(f"Redis round trips per step: {trips:.2f}; Redis memory per call in a menu: "
          f"{kept} bytes (MEMORY USAGE of its state and kept answers).")
    print("CPU µs is this process's CPU time per request (Redis's own not counted); x floor "
          "is the median over the repeats of each repeat's CPU over the floor's.")
    step_ratio = ip["step"]["ratio"]
    result: dict[str, Any] = {
        "load_average": round(load, 1),
        "step_cpu_us": round(ip["step"]["cpu"], 1),
        "floor_cpu_us": round(floor["cpu"], 1),
        "step_ratio_to_floor": round(step_ratio, 2),
        "round_trips_per_step": round(trips, 2),
        "voice_cpu_us": round(ip["voice"]["cpu"], 1),
        "transfer_cpu_us": round(ip["transfer"]["cpu"], 1),
        "wait_cpu_us": round(ip["wait"]["cpu"], 1),
    }
    if not args.skip_http:
        hf, found = over_http(args)
        b, v, s = hf["floor"], hf["voice"], hf["step"]
        pair = 2 / (1 / v["rps"] + 1 / s["rps"])  # a call's first answer and one step
        print(f"\n2. HTTP, closed loop: gunicorn as gunicorn.conf.py sets it, {args.threads} "
              f"callers that never pause, {args.seconds:g} s per run")
        print(f"{'':44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'x floor':>7} "
              f"{'worker CPU':>10}  {'req/s range':>11}")
        for label, f in (("floor app (on the step's requests)", b),
                         ("IVR: POST /voice (a call's first answer)", v),
                         ("IVR: POST /voice/step Digits=1 (one step)", s)):
            print(f"{label:44} {f['rps']:7.0f} {f['p50']:7.2f} {f['p99']:7.2f} "
                  f"{f['rps'] / b['rps']:7.2f} {f['cpu_us']:7.0f} µs  {f.spread('rps'):>11}")
        print(f"A call's first answer and one step, one after the other: {pair:.0f} requests/s, "
              f"{pair / b['rps']:.2f} x the floor's. Redis scripts per step: {s['scripts']:.2f} "
              "(1: each step one round trip, whichever worker took the call's last step).")
        print(f"Cores busy: floor workers {b['server_cpu']:.2f} + load generator "
              f"{b['client_cpu']:.2f}; IVR steps {s['server_cpu']:.2f} + load generator "
              f"{s['client_cpu']:.2f} (of {os.cpu_count()}; Redis not counted).")
        cores = found["server_cpu"]
        per_core = found["rate"] * STEP_EVERY_S / cores if cores == cores and cores else 0
        print(f"Highest open-loop rate with p99 under {P99_MS} ms: {found['rate']:.0f} "
              f"requests/s, on {cores:.2f} worker cores: {per_core:.0f} calls per core at a "
              f"request every {STEP_EVERY_S} s per call.")
        result.update(http_step_rps=round(s["rps"]), http_floor_rps=round(b["rps"]),
                      http_ratio_to_floor=round(s["rps"] / b["rps"], 2),
                      http_voice_rps=round(v["rps"]),
                      http_scripts_per_step=round(s["scripts"], 2),
                      http_call_ratio_to_floor=round(pair / b["rps"], 2),
                      http_step_p99_ms=round(s["p99"], 1),
                      open_loop_steps_s=round(found["rate"]),
                      calls_per_core=round(per_core))
    if not args.skip_growth:
        grown = growth(requests=100, repeats=args.repeats)
        print("\n4. Growth (bench/growth.py): CPU µs at 10,000 callers waiting over at 10: "
              + ", ".join(f"{row} {ratio:.2f}" for row, ratio in grown["ratios"].items()))
        result.update(growth_ratio=round(grown["growth_ratio"], 2))
    result.update(redis_bytes_per_call=kept)
    if args.profile:
        profile_steps(min(args.requests, 1000))
    print(f"\n(took {time.monotonic() - began:.0f} s)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
