"""Make the phone-line clips the speech tests and bench/speech.py use; run as root once.

    python3 tests/audio/make_clips.py

Each clip is spoken by espeak-ng (Debian package), then turned by sox into what a
phone line delivers and Twilio records: 8 kHz, mono, 8-bit mu-law WAV, with the
leading and trailing silence trimmed as <Record trim="trim-silence"> does. Noise, a
steady hum, clicks and a dial tone are made by sox alone; babble mixes three voices.
clips.tsv lists every clip with what a menu built from the phrases below should hear
in it (empty: nothing, a no-match), and its part: `tune` clips may be used to choose
how speech outside the menu is rejected, `validation` clips never are (they check what
was chosen, and were read while choosing it: tests/audio/sealed, made by make_sealed.py,
is the set nothing was ever chosen on). The validation part has other off-menu words,
other espeak voices and other speeds than the tuning part, so figures measured on it say
how the rejection does on speech it was not fitted to.
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
# Korean clips in two parts that share no voice, speed or off-menu word; each part is
# groups of voices and the speeds they speak at. Menu words are said at every speed of
# their group, off-menu words at its slowest and briskest. The voices are espeak-ng
# variants whose menu words the model heard at least 20 times in 24 with the plain menu
# grammar (no rejection): the klatt variants and m4, m5, m6 heard far worse, and a voice
# the model cannot hear even without rejection measures only itself. The second tuning
# group adds voices, higher-pitched ones among them, and speeds around the others, so
# that what is chosen on the tuning part is not fitted to three voices.
PARTS = {"tune": [(("ko", "ko+f3", "ko+m3"), SPEEDS),
                  (("ko+f2", "ko+f4", "ko+m1", "ko+m2"), (140, 160, 185, 210))],
         "validation": [(("ko+f1", "ko+m7", "ko+max"), (130, 165, 190))]}

# lang -> (file stem, words, what the menu should hear). The Korean menu of the
# tests offers 요금 (charges), 예약 (booking) and 해지 (cancelling), with 상담원
# (agent) as its escape word; every other Korean word is not in that menu.
KO_MENU = [("yogeum", "요금", "요금"), ("yeyak", "예약", "예약"), ("haeji", "해지", "해지"),
           ("sangdamwon", "상담원", "상담원")]
KO_OFF_MENU = {  # everyday words a caller might say instead, split between the parts
    "tune": [("annyeong", "안녕하세요"), ("internet", "인터넷"), ("jeonhwa", "전화"),
             ("nalssi", "날씨"), ("gamsa", "감사합니다"), ("sagwa", "사과"),
             ("keompyuteo", "컴퓨터"), ("eumak", "음악"), ("juso", "주소"),
             ("bimilbeonho", "비밀번호"), ("baedal", "배달"), ("ne", "네"),
             ("aniyo", "아니요"), ("hakgyo", "학교"), ("byeongwon", "병원"),
             ("keopi", "커피"), ("jadongcha", "자동차"), ("sigan", "시간"),
             ("chingu", "친구"), ("eunhaeng", "은행"), ("yeonghwa", "영화"),
             ("jihacheol", "지하철")],
    "validation": [("oneul", "오늘"), ("naeil", "내일"), ("gajok", "가족"), ("bada", "바다"),
                 ("sarang", "사랑"), ("chukgu", "축구"), ("goyangi", "고양이"),
                 ("gangaji", "강아지"), ("ucheguk", "우체국"), ("taeksi", "택시"),
                 ("norae", "노래"), ("jeomsim", "점심"), ("hoesa", "회사"),
                 ("jilmun", "질문"), ("hyudaepon", "휴대폰"), ("jumun", "주문"),
                 ("hwanbul", "환불"), ("baesong", "배송"), ("yeoboseyo", "여보세요"),
                 ("moreugesseoyo", "모르겠어요"),
                 # added after the rejection was chosen, to measure it on more words
                 ("gomapseumnida", "고맙습니다"), ("jamkkanmanyo", "잠깐만요"), ("ye", "예"),
                 ("mul", "물"), ("chaek", "책"), ("uija", "의자"), ("sigye", "시계"),
                 ("doseogwan", "도서관"), ("gonghang", "공항"), ("gicha", "기차"),
                 ("bihaenggi", "비행기"), ("seonsaengnim", "선생님"), ("haksaeng", "학생"),
                 ("uyu", "우유"), ("ppang", "빵"), ("gwail", "과일"), ("yori", "요리"),
                 ("undong", "운동"), ("yeohaeng", "여행"), ("gyejwa", "계좌"),
                 ("cheongguseo", "청구서"), ("kadeu", "카드"), ("munui", "문의")],
}
SPOKEN = {
    "es": [("facturacion", "facturación", "facturación"), ("internet", "internet", "internet"),
           ("cancelar", "cancelar", "cancelar"), ("agente", "agente", "agente"),
           ("buenos-dias", "buenos días", "")],
    "en": [("billing", "billing", "billing"), ("internet", "internet", "internet"),
           ("cancel", "cancel", "cancel"), ("agent", "agent", "agent"),
           ("good-morning", "good morning", "")],
}
VALIDATION_SPEED = 175  # the Spanish and English clips kept out of tuning
NOISES = {  # part -> sox synth arguments for 1.5 s of sound that is not speech
    "tune": {"white-noise": ["whitenoise", "vol", "0.3"],
             "pink-noise": ["pinknoise", "vol", "0.3"],
             "brown-noise": ["brownnoise", "vol", "0.5"],
             "hum": ["sine", "300", "vol", "0.3"]},
    "validation": {"dial-tone": ["sine", "350", "sine", "440", "remix", "1,2", "vol", "0.3"],
                 "clicks": ["square", "4", "vol", "0.4"]},
}
BABBLE = ("오늘 날씨가 정말 좋네요", "어디로 가야 하나요", "커피 한 잔 주세요")
PHONE = ["-r", "8000", "-c", "1", "-e", "mu-law"]
TRIM = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]


def ensure_tools() -> None:
    """Install espeak-ng and sox with apt-get when they are missing (needs root)."""
    if shutil.which("espeak-ng") and shutil.which("sox"):
        return
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "espeak-ng", "sox"], check=True)


def speak(voice: str, speed: int, words: str, out: Path, raw: Path) -> None:
    """`words` said by an espeak-ng voice at `speed`, as a phone line records them."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), words],
                   check=True)
    subprocess.run(["sox", "-R", str(raw), *PHONE, str(out), *TRIM], check=True)  # -R: the
    # same dither each time, so a clip made again is the same file (tests/audio/sealed)


def korean_items(part: str) -> list[tuple[str, str, str]]:
    return KO_MENU + [(stem, words, "") for stem, words in KO_OFF_MENU[part]]


def make_clips(tmp: Path) -> list[tuple[str, ...]]:
    """Write every spoken clip next to this file; return their rows of clips.tsv."""
    rows, raw = [], tmp / "raw.wav"
    for part, groups in PARTS.items():
        for voices, speeds in groups:
            for stem, words, expect in korean_items(part):
                for voice in voices:
                    variant = voice.partition("+")[2]
                    for speed in speeds if expect else (speeds[0], speeds[-1]):
                        name = f"ko-{stem}-{variant + '-' if variant else ''}{speed}.wav"
                        speak(voice, speed, words, HERE / name, raw)
                        rows.append((name, "ko", words, expect, part, voice, str(speed)))
    for lang, items in SPOKEN.items():
        for stem, words, expect in items:
            for speed in SPEEDS:
                name = f"{lang}-{stem}-{speed}.wav"
                speak(VOICES[lang], speed, words, HERE / name, raw)
                part = "validation" if speed == VALIDATION_SPEED else "tune"
                rows.append((name, lang, words, expect, part, VOICES[lang], str(speed)))
    return rows


def make_noises(tmp: Path) -> list[tuple[str, ...]]:
    """Write the clips of sound that is not an answer; return their rows of clips.tsv."""
    rows = []
    for part, noises in NOISES.items():
        for stem, synth in noises.items():
            name = f"noise-{stem}.wav"
            subprocess.run(["sox", "-n", *PHONE, str(HERE / name), "synth", "1.5", *synth],
                           check=True)
            rows.append((name, "", f"({stem})", "", part, "", ""))
    voices = []  # three people talking at once, none of them saying a menu word
    for n, (voice, sentence) in enumerate(zip(("ko+m1", "ko+f2", "ko+m2"), BABBLE,
                                              strict=True)):
        voices.append(tmp / f"voice{n}.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(160 + 15 * n), "-w",
                        str(voices[-1]), sentence], check=True)
    subprocess.run(["sox", "-m", *map(str, voices), *PHONE, str(HERE / "noise-babble.wav"),
                    "trim", "0", "1.5"], check=True)
    rows.append(("noise-babble.wav", "", "(babble)", "", "validation", "", ""))
    return rows


def main() -> None:
    ensure_tools()
    with tempfile.TemporaryDirectory() as tmp:
        rows = make_clips(Path(tmp)) + make_noises(Path(tmp))
    lines = ["file\tlang\tsaid\texpect\tpart\tvoice\tspeed"] + ["\t".join(row) for row in rows]
    (HERE / "clips.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} clips in {HERE}")


if __name__ == "__main__":
    main()
