"""What a Redis master's death loses of the steps callers have already heard, with and
without a WAIT for one replica after each step's commit (REDIS_WAIT_REPLICAS=1), and what
that WAIT costs per step.

    .venv/bin/python -m bench.replication [--kills 3] [--threads 4]   # about a minute

For each mode, --kills times: a master and its replica (with sentinels, as in production)
on loopback ports. First one caller alone places new calls through the app (POST /voice,
then the language step) for --seconds: the step's in-process p50 and p99 are the cost.
Then --threads callers do the same for a second, and the master gets SIGKILL. A commit
counts as heard when its TwiML answer (the next question) reached the caller; it is lost
when the replica, which Sentinel promotes, lacks it. Meanwhile the replica's lag (bytes the
master wrote that the replica had not received) is sampled every 5 ms: what the death of
the master's whole host, rather than of its process, could lose. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from twilio.request_validator import RequestValidator

from bench import percentile
from bench.inprocess import NOW, ROOT, STEP_MARK, TEST_BASE, TOKEN, VOICE_MARK, one_call
from ivr_app import create_app
from tests.support.servers import SentinelSet

MODES = {"no WAIT": 0, "WAIT 1": 1}


def app_on(port: int, replicas: int, wait_ms: int) -> Flask:
    return create_app({"REDIS_URL": f"redis://127.0.0.1:{port}/0", "TWILIO_AUTH_TOKEN": TOKEN,
                       "FLOWS_DIR": str(ROOT / "flows"), "IVR_FLOW": "main",
                       "REDIS_WAIT_REPLICAS": replicas, "REDIS_WAIT_MS": wait_ms,
                       "LOG_LEVEL": "ERROR"}, clock=lambda: NOW)


def replica_lag(ports: dict[str, int], seconds: float) -> int:
    """The most bytes of writes the master had and its replica had not yet received, sampled
    every 5 ms (the replica asked first, so the figure errs high): what the death of the
    master's whole host at that instant could take with it."""
    master = redis.Redis(port=ports["master"])
    replica = redis.Redis(port=ports["replica"])
    worst, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        received = replica.info("replication")["slave_repl_offset"]
        worst = max(worst, master.info("replication")["master_repl_offset"] - received)
        time.sleep(0.005)
    master.close()
    replica.close()
    return worst


def one_kill(tmp: Path, replicas: int, wait_ms: int, threads: int,
             seconds: float) -> dict[str, Any]:
    pair = SentinelSet(tmp).start()
    try:
        app = app_on(pair.ports["master"], replicas, wait_ms)
        heard: dict[str, int] = {}  # call -> the highest step number its caller heard
        step_us: list[float] = []
        lock, stop = threading.Lock(), threading.Event()
        validator = RequestValidator(TOKEN)

        def caller() -> None:
            client = app.test_client()
            while not stop.is_set():
                for seq, req in enumerate(one_call(validator, TEST_BASE)):
                    t0 = time.perf_counter()
                    answer = client.post(req.path, data=req.form, base_url=TEST_BASE,
                                         headers={"X-Twilio-Signature": req.signature})
                    took = (time.perf_counter() - t0) * 1e6
                    if (VOICE_MARK, STEP_MARK)[seq] not in answer.data:
                        break  # Redis is gone: the fallback answered, nothing was committed
                    with lock:
                        heard[req.form["CallSid"]] = seq
                        if seq == 1 and not stop.is_set():
                            step_us.append(took)

        alone = threading.Thread(target=caller, daemon=True)  # the cost: one caller alone
        alone.start()
        time.sleep(seconds)
        stop.set()
        alone.join(10)
        timed, step_us, stop = list(step_us), [], threading.Event()
        pool = [threading.Thread(target=caller, daemon=True) for _ in range(threads)]
        for thread in pool:
            thread.start()
        lag = replica_lag(pair.ports, 1.0)
        with lock:
            before = len(heard)
        pair.kill_master()
        time.sleep(0.3)  # callers still waiting on the dead master give up (breaker)
        stop.set()
        for thread in pool:
            thread.join(10)
        app.extensions["ivr"].close()
        replica = redis.Redis(port=pair.ports["replica"], decode_responses=True)
        pipe = replica.pipeline(transaction=False)
        sids = list(heard)
        for sid in sids:
            pipe.hget(f"ivr:call:{sid}", "seq")
        kept = pipe.execute()
        replica.close()
        # A caller who heard the answer to request n (0: /voice) left the call at step n.
        lost = sum(1 for sid, seq in zip(sids, kept, strict=True)
                   if seq is None or int(seq) < heard[sid])
        return {"heard": len(heard), "heard_before_kill": before, "lost": lost, "lag": lag,
                "steps_per_s": len(step_us), "p50": statistics.median(timed),
                "p99": percentile(timed, 99)}
    finally:
        pair.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=3, help="master kills per mode")
    parser.add_argument("--threads", type=int, default=4, help="callers placing calls at once")
    parser.add_argument("--seconds", type=float, default=3.0, help="load before each kill")
    parser.add_argument("--wait-ms", type=int, default=50, help="WAIT's timeout (REDIS_WAIT_MS)")
    args = parser.parse_args()
    print(f"replication benchmark: {args.threads} callers, {args.seconds:g} s of calls, then "
          f"SIGKILL to the master; {args.kills} kills per mode; median of the kills")
    print(f"{'':10} {'steps in 1 s':>8} {'step p50 µs':>12} {'step p99 µs':>12} "
          f"{'heard':>7} {'lost':>5} {'lag B':>6}  lost per kill")
    result: dict[str, Any] = {}
    for mode, replicas in MODES.items():
        runs = []
        for _ in range(args.kills):
            with tempfile.TemporaryDirectory(prefix="bench-replication-") as tmp:
                runs.append(one_kill(Path(tmp), replicas, args.wait_ms, args.threads,
                                     args.seconds))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{mode:10} {med['steps_per_s']:8.0f} {med['p50']:12.0f} {med['p99']:12.0f} "
              f"{med['heard']:7.0f} {med['lost']:5.0f} {med['lag']:6.0f}  "
              f"{[r['lost'] for r in runs]}")
        key = "wait" if replicas else "nowait"
        result.update({f"{key}_step_p50_us": round(med["p50"]), f"{key}_step_p99_us":
                       round(med["p99"]), f"{key}_steps_per_s": round(med["steps_per_s"]),
                       f"{key}_lost_per_kill": [r["lost"] for r in runs],
                       f"{key}_max_lag_bytes": max(r["lag"] for r in runs)})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
