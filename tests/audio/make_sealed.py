"""Make the sealed test set: Korean clips no choice of the line's speech was made on.

    python3 tests/audio/make_sealed.py

From a fixed seed it draws espeak-ng voices, speeds and off-menu words that neither the
tuning clips nor the validation clips of tests/audio use (make_clips.py), and writes the
clips, their clips.tsv (file, lang, said, expect, voice, speed: the format
`python -m bench.speech --clips DIR` reads) and SHA256SUMS into tests/audio/sealed.
SHA256SUMS was committed before any speech band was chosen, and the speech tests check
the clips against it: the bands are chosen on the tuning clips only, and these clips
only ever measure them. Every clip is made as make_clips.py makes one (its `speak`).
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_clips import KO_MENU, KO_OFF_MENU, PARTS, ensure_tools, speak  # noqa: E402

HERE = Path(__file__).resolve().parent / "sealed"
SEED = 25
# espeak-ng variants and speeds (words a minute) to draw from; the ones the other parts use
# are taken out below, so a change there can never leak into this set
VOICE_POOL = ("f5", "m4", "m5", "m6", "m8", "Andy", "Annie", "Alicia", "anika", "linda",
              "steph", "john", "edward", "norbert", "quincy", "zac")
SPEED_POOL = tuple(range(130, 220, 5))
WORD_POOL = (  # everyday words and words a caller of a phone company might say
    ("usan", "우산"), ("gimchi", "김치"), ("pyeonji", "편지"), ("jumal", "주말"),
    ("achim", "아침"), ("jeonyeok", "저녁"), ("sijang", "시장"), ("gongwon", "공원"),
    ("hotel", "호텔"), ("yakguk", "약국"), ("gyeongchal", "경찰"), ("sinbal", "신발"),
    ("moja", "모자"), ("yeonpil", "연필"), ("changmun", "창문"), ("uisa", "의사"),
    ("beoseu", "버스"), ("taekbae", "택배"), ("gyesan", "계산"), ("yeongsujeung", "영수증"),
    ("hyeongeum", "현금"), ("janaek", "잔액"), ("pointeu", "포인트"), ("yoil", "요일"),
    ("haru", "하루"), ("gagyeok", "가격"), ("harin", "할인"), ("ireum", "이름"),
    ("saengil", "생일"),
)
VOICES = 4
SPEEDS = 2  # per voice: every menu word at both, the off-menu words at one each
OFF_MENU = 16


def draw() -> tuple[list[str], dict[str, tuple[int, ...]], list[tuple[str, str]]]:
    """The sealed voices, each one's speeds, and the off-menu words, from SEED."""
    used_voices = {v.partition("+")[2] for groups in PARTS.values() for vs, _ in groups
                   for v in vs}
    used_speeds = {s for groups in PARTS.values() for _, ss in groups for s in ss}
    used_words = {w for words in KO_OFF_MENU.values() for _, w in words}
    draws = random.Random(SEED)
    voices = draws.sample([v for v in VOICE_POOL if v not in used_voices], VOICES)
    free_speeds = [s for s in SPEED_POOL if s not in used_speeds]
    speeds = {v: tuple(sorted(draws.sample(free_speeds, SPEEDS))) for v in voices}
    words = draws.sample([w for w in WORD_POOL if w[1] not in used_words], OFF_MENU)
    return voices, speeds, words


def main() -> None:
    ensure_tools()
    HERE.mkdir(exist_ok=True)
    voices, speeds, words = draw()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        for voice in voices:
            items = [(stem, said, expect, speeds[voice]) for stem, said, expect in KO_MENU]
            items += [(stem, said, "", (speeds[voice][i % SPEEDS],))
                      for i, (stem, said) in enumerate(words)]
            for stem, said, expect, at in items:
                for speed in at:
                    name = f"ko-{stem}-{voice}-{speed}.wav"
                    speak(f"ko+{voice}", speed, said, HERE / name, raw)
                    rows.append((name, "ko", said, expect, f"ko+{voice}", str(speed)))
    lines = ["file\tlang\tsaid\texpect\tvoice\tspeed"] + ["\t".join(row) for row in rows]
    (HERE / "clips.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sums = [f"{hashlib.sha256((HERE / row[0]).read_bytes()).hexdigest()}  {row[0]}"
            for row in rows]
    (HERE / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    print(f"{len(rows)} sealed clips in {HERE}")


if __name__ == "__main__":
    main()
