"""Stream benchmark: callers heard live by one stream server process (barge-in).

    .venv/bin/python -m bench.stream [--levels 10,20,40] [--seconds 15]

One stream server (the product's StreamServer, the Korean Vosk model) runs in this process,
on an event loop of its own; Twilio's side runs in another process: one websocket per call,
each sending 20 ms mu-law frames in real time, line silence with a menu answer now and then
(the tests/audio clips the speech tests play). The menu's options lead back to the menu, so every
answer is a decision that moves the call through the REST API, to a stand-in of Twilio's API
on 127.0.0.1 that notes when each move arrives. Figures, at each level of concurrent streams:
- frames_ratio: media frames the server took in against frames sent; a level is held in real
  time when the ratio is at least REALTIME and the decisions' p99 stays under TARGET_P99_MS
  (answers heard late are not real time either, however fast the frames are read);
- decision p50/p99: from the last frame of a spoken answer sent to the call's move received
  (the endpointer's quiet hangover, recognition, the step's commit in Redis, the REST call);
- missed: answers after which no move came (a caller who asks for a person says nothing
  more to the menu);
- memory: this process's resident memory with the model loaded and no stream, and what each
  live stream adds (growth with the level's streams open, divided by their number), after
  a short warm-up level that is not reported (thread pools, grammar caches, first buffers).
The load is harsh: every stream says a menu answer every 1.5 to 3 seconds, far more speech
per stream than callers listening to prompts make.
Uses the Redis of REDIS_URL on database 12 (BENCH_REDIS_DB) and flushes it. Ends with one
JSON line: streams_realtime (the highest level held), decision p50/p99 at the first level.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import redis
import yaml

from bench import percentile, redis_url
from ivr_app import create_app
from ivr_app.call.stream import StreamServer, in_thread
from ivr_app.demo.media_stream import MediaStream, mu_law_frames
from ivr_app.demo.simulator import BASE_URL, Call
from ivr_app.demo.twilio_rest import TwilioStandin
from tests.support.servers import free_port
from tests.support.spoken import ESCAPE_CLIPS, KO_MODEL, OPTION_CLIPS, clip, flow_text

REDIS_URL = redis_url(12)
TOKEN = "bench-auth-token-0123456789abcdef"
REALTIME = 0.98
TARGET_P99_MS = 500.0
PAUSE_S = (1.0, 2.5)  # line silence before each answer, at random in this range


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def looping_flow() -> str:
    """The Korean test menu, with every option leading back to it: each answer is a move."""
    flow = yaml.safe_load(flow_text("ko"))
    for option in flow["nodes"]["menu"]["options"]:
        option["goto"] = "menu"
    flow["nodes"] = {"menu": flow["nodes"]["menu"]}
    return yaml.safe_dump(flow, allow_unicode=True, sort_keys=False)


def speak(url: str, sids: dict[str, dict[str, str]], seconds: float, results: Any) -> None:
    """Twilio's side (a process of its own): one stream per call, answers now and then."""
    options = [mu_law_frames(clip(name)) for name in OPTION_CLIPS["ko"]]
    escape = mu_law_frames(clip(ESCAPE_CLIPS["ko"]))
    said: dict[str, list[float]] = {}
    sent = [0] * len(sids)

    def call(i: int, sid: str) -> None:
        rng = random.Random(i)
        with MediaStream(url, TOKEN, sid, sids[sid]).start() as stream:
            ends = said.setdefault(sid, [])
            until = time.monotonic() + seconds
            while time.monotonic() < until and not stream.closed:
                stream.quiet(rng.uniform(*PAUSE_S))
                frames = rng.choice([*options, escape])
                ends.append(stream.frames(frames))
                if frames is escape:
                    break  # this caller asked for a person: no more menu answers
            stream.quiet(0.8)
            stream.stop()
            sent[i] = stream.sent

    threads = [threading.Thread(target=call, args=(i, sid)) for i, sid in enumerate(sids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"said": said, "sent": sum(sent)})


def level(line: dict[str, Any], streams: int, seconds: float) -> dict[str, Any]:
    """`streams` concurrent calls for `seconds`: frames ratio, decision latencies, memory."""
    app, standin, server = line["app"], line["standin"], line["server"]
    sids = {}  # each call's <Stream> parameters, as Twilio hands them to `start`
    for _ in range(streams):
        call = Call(app, TOKEN).dial()
        standin.incoming_call(call.sid, call.caller, call.number)
        sids[call.sid] = call.stream_parameters
    before, frames_before = rss_mb(), server.frames
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    twilio = spawn.Process(target=speak, args=(line["url"], sids, seconds, results))
    started = time.monotonic()
    twilio.start()
    time.sleep(seconds * 0.8)
    during = rss_mb()
    out = results.get(timeout=seconds + 60)
    twilio.join()
    took = time.monotonic() - started
    time.sleep(1.0)  # decisions still under way land (or are missed)
    moves = [r for r in standin.requests if r.method == "POST" and "/Calls/CA" in r.path]
    latencies, missed = [], 0
    for sid, ends in out["said"].items():
        arrived = sorted(r.at for r in moves if r.path.endswith(f"/Calls/{sid}.json"))
        for i, end in enumerate(ends):
            nxt = ends[i + 1] if i + 1 < len(ends) else float("inf")
            move = next((a for a in arrived if end <= a < nxt), None)
            if move is None:
                missed += 1
            else:
                latencies.append((move - end) * 1000)
    processed = server.frames - frames_before
    return {"streams": streams, "frames_in_per_s": round(processed / took),
            "frames_sent_per_s": round(out["sent"] / took),
            "frames_ratio": round(processed / max(out["sent"], 1), 4),
            "answers": len(latencies) + missed, "missed": missed,
            "decision_p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "decision_p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
            "rss_mb": round(before), "mb_per_stream": round((during - before) / streams, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,20,40", help="concurrent streams to try")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each level")
    args = parser.parse_args()
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    folder = Path(tempfile.mkdtemp(prefix="bench-stream-"))
    (folder / "flows").mkdir()
    (folder / "flows" / "line.yaml").write_text(looping_flow(), encoding="utf-8")
    (folder / "models").mkdir()
    (folder / "models" / "ko").symlink_to(KO_MODEL)
    standin = TwilioStandin(auth_token=TOKEN).start()
    port = free_port()
    url = f"ws://127.0.0.1:{port}/stream"
    base = rss_mb()
    app = create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN, "LOG_LEVEL": "WARNING",
                      "FLOWS_DIR": str(folder / "flows"), "IVR_FLOW": "line",
                      "VOSK_MODELS_DIR": str(folder / "models"), "STREAM_URL": url,
                      "PUBLIC_BASE_URL": BASE_URL, **standin.config()})
    ivr = app.extensions["ivr"]
    print(f"model loaded for {sorted(ivr.recognizer.languages())}: process "
          f"{rss_mb():.0f} MB resident ({rss_mb() - base:.0f} MB more than before)")
    server = StreamServer(ivr, max_streams=10_000)
    stop = in_thread(server, "127.0.0.1", port)
    line = {"app": app, "standin": standin, "server": server, "url": url}
    rows = []
    try:
        level(line, 2, 3.0)  # warm-up
        for streams in [int(n) for n in args.levels.split(",")]:
            rows.append(level(line, streams, args.seconds))
            print(json.dumps(rows[-1]))
    finally:
        stop()
        standin.stop()
        ivr.close()
        connection.flushdb()
    held = [r["streams"] for r in rows if r["frames_ratio"] >= REALTIME
            and (r["decision_p99_ms"] or float("inf")) < TARGET_P99_MS]
    first = rows[0]
    print(f"one process holds {max(held, default=0)} streams in real time of those tried "
          f"({args.levels}); at {first['streams']}: decision p50 {first['decision_p50_ms']} ms, "
          f"p99 {first['decision_p99_ms']} ms (target p99 < 500 ms); "
          f"{first['mb_per_stream']} MB per stream on a {first['rss_mb']} MB process")
    print(json.dumps({"streams_realtime": max(held, default=0),
                      "decision_p50_ms": first["decision_p50_ms"],
                      "decision_p99_ms": first["decision_p99_ms"],
                      "concurrency": first["streams"]}))


if __name__ == "__main__":
    main()
