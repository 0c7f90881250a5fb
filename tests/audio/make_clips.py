"""Make the phone-line clips the speech tests and bench/speech.py use; run as root once.

    python3 tests/audio/make_clips.py

Each clip is spoken by espeak-ng (Debian package), then turned by sox into what a
phone line delivers and Twilio records: 8 kHz, mono, 8-bit mu-law WAV, with the
leading and trailing silence trimmed as <Record trim="trim-silence"> does. Noise and
a steady hum are made by sox alone. clips.tsv lists every clip with what a menu
built from the phrases below should hear in it (empty: nothing, a no-match).
The clips are committed, so tests never need espeak-ng or sox; this script only
remakes them (espeak-ng 1.51 and sox 14.4.2 from Debian 12 made the ones here).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VOICES = {"ko": "ko", "es": "es", "en": "en-us"}
SPEEDS = (150, 175, 200)  # words per minute: three callers, slow to brisk

# lang -> (file stem, words, what the menu should hear). The Korean menu of the
# tests offers 요금 (charges), 예약 (booking) and 해지 (cancelling), with 상담원
# (agent) as its escape word; the other Korean words are not in that menu.
SPOKEN = {
    "ko": [("yogeum", "요금", "요금"), ("yeyak", "예약", "예약"), ("haeji", "해지", "해지"),
           ("sangdamwon", "상담원", "상담원"), ("annyeong", "안녕하세요", ""),
           ("internet", "인터넷", ""), ("jeonhwa", "전화", "")],
    "es": [("facturacion", "facturación", "facturación"), ("internet", "internet", "internet"),
           ("cancelar", "cancelar", "cancelar"), ("agente", "agente", "agente"),
           ("buenos-dias", "buenos días", "")],
    "en": [("billing", "billing", "billing"), ("internet", "internet", "internet"),
           ("cancel", "cancel", "cancel"), ("agent", "agent", "agent"),
           ("good-morning", "good morning", "")],
}
NOISES = {  # sox synth arguments for 1.5 s of sound that is not speech
    "white-noise": ["whitenoise", "vol", "0.3"],
    "pink-noise": ["pinknoise", "vol", "0.3"],
    "brown-noise": ["brownnoise", "vol", "0.5"],
    "hum": ["sine", "300", "vol", "0.3"],
}
PHONE = ["-r", "8000", "-c", "1", "-e", "mu-law"]
TRIM = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]


def ensure_tools() -> None:
    """Install espeak-ng and sox with apt-get when they are missing (needs root)."""
    if shutil.which("espeak-ng") and shutil.which("sox"):
        return
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "espeak-ng", "sox"], check=True)


def make_clips() -> list[tuple[str, str, str, str]]:
    """Write every clip next to this file; return the rows of clips.tsv."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for lang, items in SPOKEN.items():
            for stem, words, expect in items:
                for speed in SPEEDS:
                    name = f"{lang}-{stem}-{speed}.wav"
                    subprocess.run(["espeak-ng", "-v", VOICES[lang], "-s", str(speed),
                                    "-w", str(raw), words], check=True)
                    subprocess.run(["sox", str(raw), *PHONE, str(HERE / name), *TRIM],
                                   check=True)
                    rows.append((name, lang, words, expect))
    for stem, synth in NOISES.items():
        name = f"noise-{stem}.wav"
        subprocess.run(["sox", "-n", *PHONE, str(HERE / name), "synth", "1.5", *synth],
                       check=True)
        rows.append((name, "", f"({stem})", ""))
    return rows


def main() -> None:
    ensure_tools()
    rows = make_clips()
    lines = ["file\tlang\tsaid\texpect"] + ["\t".join(row) for row in rows]
    (HERE / "clips.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} clips in {HERE}")


if __name__ == "__main__":
    main()
