"""The reliability report: the load held, the faults survived, the hostile inputs handled and
the callbacks lost, in one table.

    .venv/bin/python -m bench.report            # about 6 minutes; last line is JSON
    .venv/bin/python -m bench.report --quick    # drills and hostile inputs only

- Load held: bench.webhook over HTTP (gunicorn as gunicorn.conf.py sets it, --callers concurrent
  callers): steps per second and p99.
- Faults survived: the drill tests, real processes each (pytest node ids below), pass or fail.
- Hostile inputs handled: requests of each hostile kind sent to the app; how many it refused
  (not from Twilio) or answered with TwiML (signed, but with content a caller controls).
- Callbacks lost: bench.callbacks (300 callbacks placed by 2 real rq workers): scheduled
  minus placed, and how many were placed twice.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from twilio.request_validator import RequestValidator

from bench import redis_url
from bench.inprocess import TEST_BASE, TOKEN, twilio_form

ROOT = Path(__file__).resolve().parents[1]
DRILLS = "tests/test_callback_drills.py"
FAULTS = {
    "Redis down": ["tests/test_outage.py::test_the_other_legs_answer_sanely_while_redis_is_down",
                   "tests/test_outage.py::test_a_caller_sent_to_a_person_while_redis_was_down_"
                   "joins_our_line_when_it_is_back"],
    "Redis restarted": [f"{DRILLS}::test_redis_restarted_with_callbacks_pending_loses_and_"
                        "doubles_none"],
    "Redis stalled": ["tests/test_outage.py::test_twenty_callers_arriving_during_a_stall_each_"
                      "reach_a_person_within_5_s"],
    "master failover": ["tests/test_sentinel_drill.py"],
    "worker killed": [f"{DRILLS}::test_a_worker_killed_mid_call_leaves_the_customer_called_"
                      "exactly_once"],
    "Twilio REST failing": [f"{DRILLS}::test_twilio_refusing_calls_for_a_while_places_each_"
                            "callback_once"],
    "speech slow": ["tests/speech/test_speech.py::test_slow_speech_asks_for_keys_and_a_second_"
                    "time_goes_to_a_person"],
    "broken flow edited live": ["tests/test_reload.py::test_a_broken_edit_is_logged_and_the_"
                                "last_good_flow_keeps_answering"],
    "two web hosts, two workers": ["tests/test_several_hosts.py"],
}
HOSTILE_EACH = 20  # requests of each hostile kind


def run_drills() -> dict[str, bool]:
    """Each fault: True when every test of it passed."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        junit = Path(tmp) / "junit.xml"
        ids = [node for nodes in FAULTS.values() for node in nodes]
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        f"--junitxml={junit}", *ids], cwd=ROOT, stdout=subprocess.DEVNULL,
                       check=False)
        cases = ET.parse(junit).getroot().iter("testcase") if junit.exists() else []
        outcome = {}
        for case in cases:
            node = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
            outcome[node] = not any(child.tag in ("failure", "error", "skipped")
                                    for child in case)

    def passed(nodes: list[str]) -> bool:  # every test of these node ids ran, and passed
        mine = [ok for n, ok in outcome.items() if any(n.startswith(node) for node in nodes)]
        return bool(mine) and all(mine)

    return {fault: passed(nodes) for fault, nodes in FAULTS.items()}


def hostile_inputs() -> dict[str, tuple[int, int, str]]:
    """Per kind: (handled, sent, how), against the app in this process. Requests that did
    not come from Twilio must be refused (4xx); signed ones whose content a caller controls
    must be answered with TwiML (the question again, or a person), never an error."""
    from ivr_app import create_app

    app = create_app({"REDIS_URL": redis_url(9), "TWILIO_AUTH_TOKEN": TOKEN,
                      "FLOWS_DIR": str(ROOT / "flows"), "LOG_LEVEL": "ERROR"})
    client, validator = app.test_client(), RequestValidator(TOKEN)

    def signed(path: str, form: dict[str, str]) -> dict[str, Any]:
        return {"data": form, "base_url": TEST_BASE, "headers": {
            "X-Twilio-Signature": validator.compute_signature(TEST_BASE + path, form)}}

    sid = "CA" + "ab" * 16
    form = twilio_form(sid)
    kinds = {
        "unsigned": ("/voice", {"data": form, "base_url": TEST_BASE}),
        "signed with another token": ("/voice", {"data": form, "base_url": TEST_BASE,
                                                 "headers": {"X-Twilio-Signature": "x" * 28}}),
        "tampered after signing": ("/voice", signed("/voice", form) | {
            "data": form | {"From": "+15005550009"}}),
        "body over 64 KB": ("/voice", signed("/voice", form | {"Pad": "x" * 70000})),
        "malformed CallSid": ("/voice", signed("/voice", twilio_form("CA'; DROP"))),
        "malformed Digits": ("/voice/step?seq=0", signed("/voice/step?seq=0", twilio_form(
            sid, Digits="1<Say>"))),
        "malformed step number": ("/voice/step?seq=x", signed("/voice/step?seq=x", form)),
    }
    client.post("/voice", **signed("/voice", form))  # a call in progress, for the step kinds
    handled = {}
    for kind, (path, request) in kinds.items():
        answers = [client.post(path, **request) for _ in range(HOSTILE_EACH)]
        if kind.startswith("malformed"):
            good = sum(a.status_code == 200 and a.data.startswith(b"<?xml") and
                       b"<Response>" in a.data for a in answers)
            handled[kind] = (good, HOSTILE_EACH, "answered with TwiML")
        else:
            good = sum(400 <= a.status_code < 500 for a in answers)
            handled[kind] = (good, HOSTILE_EACH, "refused")
    app.extensions["ivr"].close()
    return handled


def bench_json(module: str, *args: str) -> dict[str, Any]:
    """Run a benchmark module; its last line, parsed."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, text=True,
                          capture_output=True, check=True, env=os.environ | {"PYTHONPATH":
                                                                              str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip the load and callback benchmarks")
    parser.add_argument("--callers", type=int, default=64, help="concurrent callers for load")
    args = parser.parse_args()
    result: dict[str, Any] = {}
    rows: list[tuple[str, str]] = []
    if not args.quick:
        load = bench_json("bench.webhook", "--repeats", "1", "--requests", "400",
                          "--threads", str(args.callers))
        rows.append(("load held", f"{args.callers} concurrent callers, "
                     f"{load['http_step_rps']} steps/s, p99 {load['http_step_p99_ms']} ms"))
        result["load"] = {"callers": args.callers, "steps_per_s": load["http_step_rps"],
                          "p99_ms": load["http_step_p99_ms"]}
    faults = run_drills()
    rows += [(f"fault: {fault}", "pass" if ok else "FAIL") for fault, ok in faults.items()]
    result["faults"] = {fault: "pass" if ok else "fail" for fault, ok in faults.items()}
    handled = hostile_inputs()
    rows += [(f"hostile: {kind}", f"{n} of {sent} {how}") for kind, (n, sent, how) in
             handled.items()]
    result["hostile_handled"] = {kind: n for kind, (n, _, _) in handled.items()}
    if not args.quick:
        placed = bench_json("bench.callbacks")
        lost = placed["scheduled"] - placed["placed"]
        rows.append(("callbacks lost", f"{lost} of {placed['scheduled']} "
                     f"({placed['placed_twice']} placed twice)"))
        result["callbacks"] = {"scheduled": placed["scheduled"], "lost": lost,
                               "placed_twice": placed["placed_twice"]}
    width = max(len(label) for label, _ in rows)
    print(f"\n{'reliability report':{width}}  result")
    for label, value in rows:
        print(f"{label:{width}}  {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
