"""The in-process half of bench/webhook.py: each kind of webhook step through Flask's test
client, against the floor app (bench/floor_app.py) on the same requests, the Redis round
trips of a step, the Redis memory a call in a menu keeps, and a cProfile of the step.

Every request is signed, every call has a fresh CallSid, and signatures are computed before
the clock starts. The kinds of step, each on calls of its own:
- voice: POST /voice, a new call (the flow's first question);
- step: POST /voice/step?seq=0 Digits=1, the language menu answered (the next question);
- transfer: POST /voice/step?seq=0 Digits=0, the caller asks for a person: the answer
  <Enqueue>s them, they join our line and a routing job is enqueued for the workers;
- wait: POST /voice/wait?queue=support for a caller just transferred: Twilio's first fetch
  of the wait URL, which announces the position and an estimate from the signed-in agents.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import pstats
import secrets
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from redis.connection import AbstractConnection
from twilio.request_validator import RequestValidator
from werkzeug.test import Client, TestResponse

from bench import flush_db, percentile, redis_url
from bench.http_load import Req
from ivr_app.state.agents import Agent
from ivr_app.state.calls import ANSWER_KEY, CALL_KEY

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
TRANSFER_MARK = b'waitUrl="/voice/wait?queue=support"'
WAIT_MARK = b"en la fila"  # "you are number N in line", in the flow's first language
STEP_PATH = "/voice/step?seq=0"
WAIT_PATH = "/voice/wait?queue=support"
AGENTS = 12  # signed in to support for the wait estimate; half of them on a call
KINDS = ("voice", "step", "transfer", "wait")
CHUNK = 200  # requests per slice of a repeat: the floor's, then the same calls' own


def new_sid() -> str:
    return "CA" + secrets.token_hex(16)


def twilio_form(sid: str, **extra: str) -> dict[str, str]:
    caller, number = "+15005550006", "+15005550001"
    return {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": sid,
            "CallStatus": "in-progress", "Direction": "inbound", "From": caller, "To": number,
            "Caller": caller, "Called": number, **extra}


def signed(validator: RequestValidator, base: str, path: str, form: dict[str, str],
           mark: bytes) -> Req:
    return Req(path, form, validator.compute_signature(base + path, form), mark)


def one_call(validator: RequestValidator, base: str) -> tuple[Req, Req]:
    """The two requests of a call: it comes in, then the caller presses 1 (Spanish)."""
    sid = new_sid()
    return (signed(validator, base, "/voice", twilio_form(sid), VOICE_MARK),
            signed(validator, base, STEP_PATH, twilio_form(sid, Digits="1", FinishedOnKey=""),
                   STEP_MARK))


def to_person(validator: RequestValidator, base: str) -> tuple[Req, Req, Req]:
    """A call that comes in, asks for a person (key 0) and holds: /voice, transfer, wait."""
    sid = new_sid()
    return (signed(validator, base, "/voice", twilio_form(sid), VOICE_MARK),
            signed(validator, base, STEP_PATH, twilio_form(sid, Digits="0", FinishedOnKey=""),
                   TRANSFER_MARK),
            signed(validator, base, WAIT_PATH, twilio_form(sid, QueueTime="0",
                                                           QueueSid="QU" + "0" * 32),
                   WAIT_MARK))


@dataclass
class Figures:
    """One quantity measured `repeats` times; quoted as the median of the repeats."""

    runs: list[dict[str, float]] = field(default_factory=list)

    def add(self, **values: float) -> None:
        self.runs.append(values)

    def __getitem__(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)

    def spread(self, key: str, digits: int = 0) -> str:
        values = [run[key] for run in self.runs]
        return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


def make_ivr_app() -> Flask:
    from ivr_app import create_app

    return create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
                       "FLOWS_DIR": str(ROOT / "flows"), "IVR_FLOW": "main"},
                      clock=lambda: NOW)


def sign_in_agents(app: Flask) -> None:
    """Agents of the support queue, as the wait estimate reads them: half free, half busy."""
    roster = app.extensions["ivr"].roster
    for i in range(AGENTS):
        roster.save(Agent(id=f"agent{i}", name=f"Agent {i}", phone=f"+1500555{i:04d}",
                          languages=["es", "en"], queues=["support"]))
        roster.set_status(f"agent{i}", "busy" if i % 2 else "available",
                          NOW - dt.timedelta(seconds=30 * i))


def timed_posts(client: Client, reqs: list[Req], mark: bytes | None) -> list[float]:
    """Microseconds per signed POST; checks every answer once they are all in."""
    times, answers = _posted(client, reqs)
    _check(reqs, answers, mark)
    return times


def _posted(client: Client, reqs: list[Req]) -> tuple[list[float], list[TestResponse]]:
    times: list[float] = []
    answers: list[TestResponse] = []
    clock = time.perf_counter_ns
    for req in reqs:
        headers = {"X-Twilio-Signature": req.signature}
        t0 = clock()
        response = client.post(req.path, data=req.form, base_url=TEST_BASE, headers=headers)
        t1 = clock()
        times.append((t1 - t0) / 1000)
        answers.append(response)
    return times, answers


def _check(reqs: list[Req], answers: list[TestResponse], mark: bytes | None) -> None:
    for req, response in zip(reqs, answers, strict=True):
        if response.status_code != 200 or (mark is not None and mark not in response.data):
            raise RuntimeError(f"POST {req.path} answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:300]}")


def cpu_posts(client: Client, reqs: list[Req], mark: bytes | None) -> tuple[list[float], float]:
    """timed_posts, with this process's CPU seconds over the requests alone: the garbage
    left by what ran before is collected first, and the answers are checked after, both
    outside the CPU counted (the floor's answer has no mark to check: reading a step's
    answer would count against the step alone)."""
    gc.collect()
    cpu0 = time.process_time()
    times, answers = _posted(client, reqs)
    cpu = time.process_time() - cpu0
    _check(reqs, answers, mark)
    return times, cpu


def in_process(requests: int, repeats: int) -> dict[str, Figures]:
    """Each row's figures per repeat, with `ratio`: its CPU over the floor's in that repeat.

    A repeat is a pair: the floor answers the very requests the step then answers (it writes
    nothing), in slices of CHUNK, each slice's floor, first answers and steps back to back,
    so that what else the machine does falls on both sides of the ratio alike."""
    from bench.floor_app import create_floor_app

    validator = RequestValidator(TOKEN)
    app = make_ivr_app()
    ivr = app.test_client()
    floor = create_floor_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN}).test_client()
    figures = {name: Figures() for name in ("floor", *KINDS)}

    def prepare(count: int) -> dict[str, list[Req]]:
        flush_db(REDIS_URL)
        sign_in_agents(app)
        calls = [one_call(validator, TEST_BASE) for _ in range(count)]
        held = [to_person(validator, TEST_BASE) for _ in range(count // 4)]
        timed_posts(ivr, [v for v, _, _ in held], VOICE_MARK)  # not measured: set-up
        return {"voice": [v for v, _ in calls], "step": [s for _, s in calls],
                "transfer": [t for _, t, _ in held], "wait": [w for _, _, w in held]}

    warm = prepare(300)
    for client, reqs in ((floor, warm["step"]), (ivr, warm["voice"]), (ivr, warm["step"]),
                         (ivr, warm["transfer"]), (ivr, warm["wait"])):
        timed_posts(client, reqs, None)

    for _ in range(repeats):
        reqs = prepare(requests)
        times: dict[str, list[float]] = {name: [] for name in figures}
        cpu = dict.fromkeys(figures, 0.0)
        sliced = [("floor", floor, "step", None), ("voice", ivr, "voice", VOICE_MARK),
                  ("step", ivr, "step", STEP_MARK)]
        whole = [("transfer", ivr, "transfer", TRANSFER_MARK), ("wait", ivr, "wait", WAIT_MARK)]
        for start in range(0, requests, CHUNK):
            for name, client, kind, mark in sliced:
                took, seconds = cpu_posts(client, reqs[kind][start:start + CHUNK], mark)
                times[name] += took
                cpu[name] += seconds
        for name, client, kind, mark in whole:
            times[name], cpu[name] = cpu_posts(client, reqs[kind], mark)
        for name, kind in (("floor", "step"), *((k, k) for k in KINDS)):
            cpu[name] *= 1e6 / len(reqs[kind])
        for name, took in times.items():
            figures[name].add(p50=statistics.median(took), p99=percentile(took, 99),
                              cpu=cpu[name], ratio=cpu[name] / cpu["floor"])
    flush_db(REDIS_URL)
    return figures


def step_round_trips(count: int = 200) -> tuple[float, int]:
    """Redis round trips per menu step (a pipeline or a script is one), counted on the
    client's socket writes; and the bytes of Redis memory (MEMORY USAGE) each call in a
    menu keeps: its state and the answers kept for Twilio's retries."""
    validator = RequestValidator(TOKEN)
    app = make_ivr_app()
    ivr = app.test_client()
    flush_db(REDIS_URL)
    calls = [one_call(validator, TEST_BASE) for _ in range(count)]
    timed_posts(ivr, [v for v, _ in calls], VOICE_MARK)
    sent = [0]
    send = AbstractConnection.send_packed_command

    def counted(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        sent[0] += 1
        send(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    try:
        timed_posts(ivr, [s for _, s in calls], STEP_MARK)
    finally:
        AbstractConnection.send_packed_command = send  # type: ignore[method-assign]
    redis = app.extensions["ivr"].redis
    kept = 0
    for req in calls[:100]:
        sid = req[0].form["CallSid"]
        for key in (CALL_KEY.format(sid=sid), ANSWER_KEY.format(sid=sid, seq="start"),
                    ANSWER_KEY.format(sid=sid, seq=0)):
            kept += redis.memory_usage(key, samples=0) or 0
    flush_db(REDIS_URL)
    return sent[0] / count, round(kept / min(count, 100))


PROFILE_ROWS = (  # (label, file suffix or "" for builtins, names: "|"-separated functions of
    # that file, or for builtins text found in their names)
    ("test client + WSGI + Flask, whole request", "werkzeug/test.py", "open"),
    ("  signature check (valid_signature)", "ivr_app/platform/security.py", "valid_signature"),
    ("  form parsing (request.form)", "werkzeug/wrappers/request.py", "form"),
    ("  step (CallStore.take: decide + 1 script)", "ivr_app/state/calls.py", "take"),
    ("  flow lookup (FlowRegistry.version)", "ivr_app/flow/registry.py", "version"),
    ("  engine.handle", "ivr_app/call/engine.py", "handle"),
    ("  TwiML (twiml.render)", "ivr_app/call/twiml.py", "render"),
    ("  the script's round trip (CallStore._run)", "ivr_app/state/calls.py", "_run"),
    ("  the state's JSON (orjson.dumps + orjson.loads)", "", "orjson.dumps|orjson.loads"),
    ("  access log line", "ivr_app/platform/logs.py", "access_line"),
    ("  waiting on Redis (socket recv)", "", "'recv_into' of '_socket|'recv' of '_socket"),
)


def profile_steps(count: int) -> None:
    validator = RequestValidator(TOKEN)
    ivr = make_ivr_app().test_client()
    flush_db(REDIS_URL)
    calls = [one_call(validator, TEST_BASE) for _ in range(count)]
    timed_posts(ivr, [v for v, _ in calls], VOICE_MARK)
    profiler = cProfile.Profile()
    steps = [s for _, s in calls]
    profiler.enable()
    timed_posts(ivr, steps, STEP_MARK)
    profiler.disable()
    flush_db(REDIS_URL)

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
                if any(w in func for w in wanted):
                    cumulative += ct
                    calls_n += nc
            elif suffix and filename.endswith(suffix) and func in wanted:
                cumulative += ct
                calls_n += nc
        print(f"{label:48} {cumulative / count * 1e6:8.0f} {calls_n / count:10.1f}")
    print("\nTop functions by own time:")
    stats.sort_stats("tottime").print_stats(15)
