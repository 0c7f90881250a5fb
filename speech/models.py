"""Where each language's Vosk model lives, and loading each one once per process."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_MODELS_DIR = "var/models"  # what `up`, `lint` and `simulate` use when unset
REQUIRED = ("am/final.mdl", "conf/mfcc.conf")  # present in every Vosk model folder
KALDI_DEFAULT_RATE = 16000  # what Kaldi's features assume without --sample-frequency


@dataclass(frozen=True)
class ModelRate:
    """The audio a model was trained on, from its conf/mfcc.conf."""

    sample_rate: int = KALDI_DEFAULT_RATE
    allow_upsample: bool = False  # whether it would take (and upsample) slower audio itself


def model_rate(folder: Path) -> ModelRate:
    """The model's `--sample-frequency` (16000 when absent) and `--allow-upsample`."""
    options: dict[str, str] = {}
    for line in (folder / "conf" / "mfcc.conf").read_text(encoding="utf-8").splitlines():
        name, _, value = line.split("#", 1)[0].strip().partition("=")
        options[name] = value.strip() or "true"  # a bare Kaldi flag means true
    rate = options.get("--sample-frequency")
    return ModelRate(int(float(rate)) if rate else KALDI_DEFAULT_RATE,
                     options.get("--allow-upsample", "false").lower() in ("true", "t", "1"))


def is_model(folder: Path) -> bool:
    """Whether a folder looks like an unpacked Vosk model."""
    return all((folder / part).is_file() for part in REQUIRED)


def model_dirs(config: Mapping[str, Any]) -> dict[str, Path]:
    """Each language's model folder: VOSK_MODELS_DIR/<lang>, and VOSK_MODEL_<LANG> over it."""
    found: dict[str, Path] = {}
    base = Path(config.get("VOSK_MODELS_DIR") or "")
    if config.get("VOSK_MODELS_DIR") and base.is_dir():
        found = {folder.name: folder for folder in sorted(base.iterdir()) if is_model(folder)}
    for name, value in config.items():
        if name.startswith("VOSK_MODEL_") and value:
            if is_model(Path(value)):
                found[name.removeprefix("VOSK_MODEL_").lower()] = Path(value)
            else:
                log.error("%s=%s is not a Vosk model folder (it needs %s)", name, value,
                          " and ".join(REQUIRED))
    return found


def speech_on_message(lang: str, rate: ModelRate, phone_rate: int = 8000) -> str:
    """That a language has speech, and at which rate its model hears the phone line."""
    feed = ("the phone line's rate" if rate.sample_rate == phone_rate
            else "phone audio is resampled")
    return f"speech is on for language {lang!r} (model expects {rate.sample_rate} Hz; {feed})"


def missing_message(lang: str, config: Mapping[str, Any]) -> str:
    """Why a language has no speech, and how to give it some."""
    base = config.get("VOSK_MODELS_DIR") or DEFAULT_MODELS_DIR
    return (f"speech is off for language {lang!r}: no Vosk model in {Path(base) / lang} "
            f"(or VOSK_MODEL_{lang.upper()}); callers use keys. Add one with `python -m "
            f"ivr_app speech fetch {lang}`, or unpack a model from "
            "https://alphacephei.com/vosk/models into that folder")


@functools.cache
def load_model(folder: str) -> Any:
    """The Vosk model in `folder`, read from disk only the first time in this process."""
    import vosk  # its import loads the native library: only when a model is wanted

    vosk.SetLogLevel(-1)
    return vosk.Model(folder)
