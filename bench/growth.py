"""Whether serving the line costs more as the line grows: 10, 1,000 and 10,000 callers
waiting, with 100,000 calls' state kept in Redis beside them.

    .venv/bin/python -m bench.growth [--requests 100] [--repeats 3]   # the last line is JSON

At each size, in process (Flask's test client, requests signed as Twilio signs them), the
CPU time of the thread serving each request, per request:
- step: a menu step of a call (POST /voice/step, the language answered);
- wait: the wait URL of a caller who has just joined the back of the line (Twilio's first
  fetch: the place and an estimate said);
- dispatch: routing offering the head of the line to the one free agent of the queue
  (line.routing.dispatch, its REST call to a local Twilio stand-in included), the offer
  then undone so each round finds the same line;
- poll: an agent's screen asking for what it shows (GET /console/agent/live, signed in).
The baseline is the same request with 10 callers waiting, in the same run; `growth_ratio`
is the worst of the four at 10,000 over at 10. Uses database 12 of REDIS_URL's server
(BENCH_REDIS_DB to change it), flushed before, between and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import time
from typing import Any

from flask import Flask
from twilio.request_validator import RequestValidator

from bench import flush_db
from bench.http_load import Req
from bench.inprocess import (
    NOW,
    REDIS_URL,
    ROOT,
    STEP_MARK,
    TOKEN,
    TRANSFER_MARK,
    VOICE_MARK,
    WAIT_MARK,
    one_call,
    sign_in_agents,
    to_person,
)
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.line.routing import dispatch
from ivr_app.state.calls import CALL_KEY
from ivr_app.state.users import Users

SIZES = (10, 1_000, 10_000)
KEPT_CALLS = 100_000
PUBLIC = "https://ivr.example.com"
PASSWORD = "growth-bench-password"
ROWS = ("step", "wait", "dispatch", "poll")


def make_app(standin: TwilioStandin) -> Flask:
    from ivr_app import create_app

    return create_app({"REDIS_URL": REDIS_URL, "FLOWS_DIR": str(ROOT / "flows"),
                       "IVR_FLOW": "main", "PUBLIC_BASE_URL": PUBLIC,
                       "TWILIO_CALLER_ID": "+15005550000", **standin.config()},
                      clock=lambda: NOW)


def posted(client: Any, req: Req, mark: bytes) -> float:
    """This thread's CPU µs for one signed POST; the answer checked outside the timing."""
    t0 = time.thread_time_ns()
    response = client.post(req.path, data=req.form, base_url=PUBLIC,
                           headers={"X-Twilio-Signature": req.signature})
    spent = (time.thread_time_ns() - t0) / 1000
    if response.status_code != 200 or mark not in response.data:
        raise RuntimeError(f"POST {req.path}: {response.get_data(as_text=True)[:300]}")
    return spent


def keep_calls(app: Flask, count: int) -> None:
    """`count` calls' state in Redis, each a copy of a real call in a menu."""
    redis = app.extensions["ivr"].redis
    voice, _ = one_call(RequestValidator(TOKEN), PUBLIC)
    posted(app.test_client(), voice, VOICE_MARK)
    dumped = redis.dump(CALL_KEY.format(sid=voice.form["CallSid"]))
    for start in range(0, count, 1000):
        pipe = redis.pipeline(transaction=False)
        for n in range(start, min(count, start + 1000)):
            pipe.restore(CALL_KEY.format(sid=f"CA{n:032d}"), 6 * 3600 * 1000, dumped,
                         replace=True)
        pipe.execute()


def line_of(app: Flask, size: int) -> None:
    queues = app.extensions["ivr"].queues
    for n in range(size):
        queues.join(f"CB{n:032d}" if n % 50 == 0 else f"CA{n + 1:032x}", "support", "es",
                    "asked for a person", NOW - dt.timedelta(seconds=size - n))


def agent_screen(app: Flask) -> Any:
    """A test client signed in to the console as agent0."""
    Users(app.extensions["ivr"].redis).add("agent0", "agent", PASSWORD)
    client = app.test_client()
    page = client.get("/console/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/console/login", data={"name": "agent0", "password": PASSWORD,
                                        "csrf_token": token})
    return client


def one_size(app: Flask, size: int, requests: int) -> dict[str, float]:
    """Median CPU µs per request of each row, with `size` callers waiting."""
    validator, ivr = RequestValidator(TOKEN), app.extensions["ivr"]
    client = app.test_client()
    flush_db(REDIS_URL)
    sign_in_agents(app)
    keep_calls(app, KEPT_CALLS)
    line_of(app, size)
    screen = agent_screen(app)
    calls = [one_call(validator, PUBLIC) for _ in range(requests)]
    held = [to_person(validator, PUBLIC) for _ in range(requests)]
    for voice, _ in calls:
        posted(client, voice, VOICE_MARK)
    for voice, transfer, _ in held:  # each joins the back of the line
        posted(client, voice, VOICE_MARK)
        posted(client, transfer, TRANSFER_MARK)
    times: dict[str, list[float]] = {row: [] for row in ROWS}
    times["step"] = [posted(client, step, STEP_MARK) for _, step in calls]
    times["wait"] = [posted(client, wait, WAIT_MARK) for _, _, wait in held]
    for agent in ivr.roster.all():
        ivr.roster.set_status(agent.id, "busy" if agent.id != "agent0" else "available", NOW)
    for _ in range(requests):
        t0 = time.thread_time_ns()
        offers = dispatch(ivr, "support", lambda *_: None)
        times["dispatch"].append((time.thread_time_ns() - t0) / 1000)
        for sid, agent in offers:
            ivr.queues.clear_offer(sid, agent)
            ivr.roster.set_status(agent, "available", NOW)
        if len(offers) != 1:
            raise RuntimeError(f"dispatch offered {offers}, not the head of the line")
    for _ in range(requests):
        t0 = time.thread_time_ns()
        view = screen.get("/console/agent/live").get_json()
        times["poll"].append((time.thread_time_ns() - t0) / 1000)
        if view["queues"][0]["count"] != size + requests:
            raise RuntimeError(f"the screen counts {view['queues'][0]['count']} waiting")
    return {row: statistics.median(values) for row, values in times.items()}


def growth(requests: int, repeats: int) -> dict[str, Any]:
    """Per row and size, the median over repeats; the ratios of the largest to the smallest."""
    standin = TwilioStandin(auth_token=TOKEN).start()
    try:
        app = make_app(standin)
        runs = {size: [] for size in SIZES}
        for _ in range(repeats):
            for size in SIZES:  # interleaved, so drift on a noisy machine hits every size
                runs[size].append(one_size(app, size, requests))
    finally:
        flush_db(REDIS_URL)
        standin.stop()
    figures = {size: {row: statistics.median(r[row] for r in runs[size]) for row in ROWS}
               for size in SIZES}
    ratios = {row: figures[SIZES[-1]][row] / figures[SIZES[0]][row] for row in ROWS}
    return {"figures": figures, "ratios": ratios, "growth_ratio": max(ratios.values())}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.growth")
    parser.add_argument("--requests", type=int, default=100, help="requests per row and size")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    began = time.monotonic()
    result = growth(args.requests, args.repeats)
    print(f"CPU µs per request (median of {args.repeats} repeats of {args.requests}), with "
          f"{KEPT_CALLS:,} calls' state kept in Redis")
    print(f"{'callers waiting':16}" + "".join(f"{size:>10,}" for size in SIZES)
          + f"{'ratio':>8}")
    for row in ROWS:
        print(f"{row:16}" + "".join(f"{result['figures'][s][row]:10.0f}" for s in SIZES)
              + f"{result['ratios'][row]:8.2f}")
    print(f"(took {time.monotonic() - began:.0f} s)")
    print(json.dumps({"growth_ratio": round(result["growth_ratio"], 2),
                      **{f"{row}_ratio": round(v, 2) for row, v in result["ratios"].items()},
                      **{f"{row}_cpu_us": {str(s): round(result["figures"][s][row])
                                           for s in SIZES} for row in ROWS}}))


if __name__ == "__main__":
    main()
