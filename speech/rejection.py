"""Telling a menu answer from speech that is not on the menu, for models without [unk].

A grammar without an [unk] word maps any sound onto its nearest phrase, with a
confidence near 1.0. So each answer is decoded twice:

1. against the menu's phrases only: the best menu phrase and the score of its path;
2. against the same phrases plus filler words, a few hundred of the model's most frequent
   words that sound unlike every phrase: the best path through anything a caller says.

Steady sound (noise, hum, tones) is no answer before any decoding (sounds_like_speech).
The answer is the menu phrase only when the first pass heard exactly one phrase, that
phrase (said once, or repeated) spans most of the speech the open pass heard, and its path
scores close enough to the best open path (a likelihood ratio against a filler "garbage"
model, with a penalty for each word the open path has more). How close depends on how
much the open path sounds like the phrase: a phone line cuts what tells consonants apart
(s from h above 4 kHz; 해지 came out as "할 이", 상담원 as "한 남 와"), while the
syllables and their vowels come through. So an open path with the phrase's vowels, one
syllable for one, may score well below the menu path; one with other vowels must score
below it. Everything else is no match. The numbers below were chosen on the `tune` clips
of tests/audio (seven espeak-ng voices on the Korean model) and checked on the
`validation` ones; bench/speech.py measures both. What they cannot do: words that share a
phrase's vowels and differ in consonants (기차, 계좌 and 여행 for 예약, 요리 for 요금) are
taken for it about one time in six, as they were before vowels counted: the model hears
them as the phrase even against the fillers. Tuned on such near-homophones as well, the
same rule let 4.5% of validation off-menu words through but kept only 64% of menu words.

Measured on the same clips and left out:
- the open pass alone (no match when a filler is on its best path): 42% of tuning menu
  words kept;
- the menu phrases counted 100 times in its grammar (Vosk estimates a bigram model from the
  list): still only 53%;
- word confidences: near 1.0 for any answer in a menu-only grammar; demanding 0.9 with the
  fillers kept 33%;
- bounds on seconds per syllable fitted to the tuning speeds: slow validation speech turned
  away;
- a free (whole-vocabulary) pass: 1 of 36 validation menu words heard as that word (요금 as
  여름, 예약 as 예요);
- fillers of two syllables or more;
- a high voice decoded as if lower (a different sample rate): it helped that voice and hurt
  the others as much;
- decoding at 1, 0.92, 0.85 and 0.78 of the pitch, keeping the one whose menu path scored
  best per second (a speaker's vocal tract, normalised): tuning menu words from 81% to
  83-86% and off-menu words from 4% to 6-7%, validation ones 82-85% and 12%, for two to four
  times the decoding;
- a logistic regression on the margin, the vowel likeness and the coverage, fitted on the
  tuning clips: as many tuning menu words kept (81% at 5% off-menu);
- a boosted-tree classifier on twelve figures of both passes (scores, gaps between
  alternatives, spans, durations): it fitted the tuning clips and let 18-20% of validation
  off-menu words through at its tuning bar;
- 10 or 30 fillers per phrase that share its vowels (조금 and 요즘 for 요금), with the rule
  as it is or with such a filler turning the answer away: 74-81% of tuning menu words,
  10-14% of validation off-menu words;
- the phone band mirrored into the 4-8 kHz the model hears and the line cuts: 42-53% of
  menu words;
- each answer decoded twice over, so that the second time the model's speaker i-vector is
  already estimated, the bars chosen again: 78% of tuning menu words at 5% off-menu (83%
  for the answer decoded once, its bars chosen on the same grid).
"""

from __future__ import annotations

import functools
import math
import random
import re
import struct
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

FILLERS = 300  # filler words per grammar: 100 or 150 let more off-menu words through for
# the menu words kept; each one more makes the open pass, the slower one, a little slower
FILLER_CANDIDATES = 3000  # frequent words read from the model to choose fillers among
MIN_DISTANCE = 0.5  # a filler differs from every phrase and word in at least half its sounds
# (also measured: keeping fillers 0.65 away from every run of a phrase's syllables, so that
# no 원 or 역 strings up 상담원 or 예약, with 150 and 200 fillers: no more menu words kept
# on the tuning clips for as many off-menu words let through, with less room to spare)
# MIN_SCORE, LIKENESS and MIN_COVERAGE were chosen on the tuning clips at 16 kHz (the
# rate the model is fed), each decoded in eight runs (Kaldi's random dither moves a
# borderline clip's score by about 1 from run to run), from a grid of likeness 0..20,
# scores -3..14.5 and coverages 0.5..0.7: the setting that kept the most menu words while
# letting at most 6% of off-menu words through on average. 6%, not the 10% aimed at: from
# tuning to validation clips that share has risen by up to 4 points. With the margin alone
# no setting kept more than 78% of validation menu words at 10% of off-menu words let
# through (that was looked at once, to know whether the margin could ever get there).
# bench/speech.py prints what they do.
MIN_SCORE = 5.5  # the margin (below) plus LIKENESS for an open path that sounds like the
# phrase: margin >= 5.5 when its vowels are all others, >= -9.5 when they are the phrase's
LIKENESS = 15.0  # what an open path with the phrase's vowels, one syllable for one, adds
MIN_MARGIN = 1.5  # a margin this high is enough whatever the open path's vowels (chosen
# after the three above, on the same runs: 1.5 kept every tuning menu word of the plain
# voice and one more of the others, for no more off-menu words; 5.5 kept 98%)
NEAR_VOWEL = 0.5  # what a neighbouring vowel costs (ㅐ for ㅏ, ㅓ for ㅗ): half a vowel
WORD_PENALTY = 4.0  # the margin is the menu path score minus the best open path score
# (log-likelihood units), plus this for each word the open path has more than the
# menu path: short fillers strung together matched a menu word piece by piece (해지 as
# "할 비", 상담원 as "한 남 원"), while off-menu words came out as one filler or far below.
# First three tuning voices, best margin for each penalty, menu words kept / off-menu
# words let through: 0: 75% / 4.2%;  2: 81% / 4.9%;  3: 88% / 5.3%;  4: 89% / 4.9%;
# 5: 88% / 5.7%
MIN_COVERAGE = 0.6  # share of the open pass's speech the menu phrase spans: off-menu words
# were often heard as a short phrase inside longer speech
BAR = 0.5  # the confidence of an answer exactly at the bar (menu_evidence)
PAD_SECONDS = 0.15  # quiet added around trimmed recordings: the model expects a pause
# before a word (without it the menu-only grammar heard 92% of validation menu words, 100%
# with 0.3 s). 0.1 to 0.3 s heard the same share of tuning menu words; every 0.1 s is
# decoded twice, so 0.15 s, not 0.3, keeps the real-time factor under 0.1
PAD_LEVEL = 8  # its loudness (standard deviation, of 32768): line noise, about -72 dBFS.
# Kaldi dithers every frame at random; over digital silence that moved a path's score by a
# standard deviation of 2.4 from one run to the next, over this noise by 0.4

_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_LETTERS = re.compile(r"[^\W\d_]+")
_HANGUL_OR_VOWELS = re.compile(r"[\uac00-\ud7a3]+|[aeiouy]+")
# The sound of each of the 21 Hangul vowels (a syllable's (code % 588) // 28), glides
# dropped: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
_NUCLEUS = "a ɛ a ɛ ʌ e ʌ e o a ɛ e o u ʌ e i u ɯ i i".split()
# Vowels next to each other on the vowel chart, around its edge
_NEIGHBOURS = {frozenset(pair) for pair in (("ɛ", "e"), ("a", "ɛ"), ("a", "ʌ"), ("ʌ", "o"),
                                            ("o", "u"), ("u", "ɯ"), ("ɯ", "i"), ("i", "e"))}


@dataclass(frozen=True)
class Decoded:
    """One pass of the decoder: its words with times (seconds) and its path score."""

    words: tuple[tuple[str, float, float], ...]  # (word, start, end)
    score: float

    @property
    def text(self) -> str:
        return " ".join(w for w, _, _ in self.words)

    @property
    def span(self) -> float:
        return self.words[-1][2] - self.words[0][1] if self.words else 0.0


def sounds(word: str) -> list[str]:
    """A word's letters, each Hangul syllable split into its jamo (initial, vowel, final)."""
    out: list[str] = []
    for char in word.casefold():
        code = ord(char) - 0xAC00
        if _SYLLABLE.fullmatch(char):
            out += [f"i{code // 588}", f"v{code % 588 // 28}"]
            out += [f"f{code % 28}"] if code % 28 else []
        else:
            out.append(char)
    return out


def distance(a: Sequence[str], b: Sequence[str],
             replace: Callable[[str, str], float] = lambda x, y: float(x != y)) -> float:
    """Edit distance between two sound sequences, as a share of the longer one: adding or
    dropping a sound costs 1, replacing one what `replace` says (1, or 0 for the same)."""
    before = [float(j) for j in range(len(b) + 1)]
    for i, x in enumerate(a, 1):
        now = [float(i)]
        for j, y in enumerate(b, 1):
            now.append(min(before[j] + 1, now[-1] + 1, before[j - 1] + replace(x, y)))
        before = now
    return before[-1] / max(len(a), len(b), 1)


def fillers(frequent: Iterable[str], phrases: Iterable[str], count: int = FILLERS) -> list[str]:
    """The first `count` words of `frequent` made of letters that sound unlike every phrase
    and every word of one, so that a menu word is never heard as a filler."""
    targets = [sounds(p.replace(" ", "")) for p in phrases]
    targets += [sounds(w) for p in phrases for w in p.split()]
    chosen: list[str] = []
    for word in frequent:
        if len(chosen) == count:
            break
        if _LETTERS.fullmatch(word) and all(distance(sounds(word), t) >= MIN_DISTANCE
                                            for t in targets):
            chosen.append(word)
    return chosen


def said_phrase(text: str, phrases: Iterable[str]) -> str:
    """The phrase `text` is, said once or repeated ("요금 요금" is 요금); "" for anything else."""
    words = text.split()
    for phrase in phrases:
        times, rest = divmod(len(words), len(phrase.split()))
        if times and not rest and words == phrase.split() * times:
            return phrase
    return ""


def vowels(text: str) -> list[str]:
    """The vowel of each syllable: a Hangul syllable's nucleus (as its sound, so ㅐ and
    ㅒ are both ɛ), and elsewhere each run of vowel letters, accents dropped."""
    plain = "".join(char if _SYLLABLE.fullmatch(char) else
                    "".join(c for c in unicodedata.normalize("NFD", char)
                            if not unicodedata.combining(c))
                    for char in text.casefold())
    out: list[str] = []
    for run in _HANGUL_OR_VOWELS.findall(plain):
        if _SYLLABLE.fullmatch(run[0]):
            out += [_NUCLEUS[(ord(char) - 0xAC00) % 588 // 28] for char in run]
        else:
            out.append(run)
    return out


def _vowel_cost(a: str, b: str) -> float:
    return 0.0 if a == b else NEAR_VOWEL if frozenset((a, b)) in _NEIGHBOURS else 1.0


def vowel_distance(heard: str, phrase: str) -> float:
    """How far the vowels of `heard` are from those of `phrase`, a syllable added, dropped
    or replaced costing 1 (a neighbouring vowel NEAR_VOWEL), as a share of the longer."""
    return distance(vowels(heard), vowels(phrase), _vowel_cost)


def menu_answer(menu: Decoded, open_: Decoded, phrases: Iterable[str]) -> tuple[str, float]:
    """The phrase the caller said and how sure (0.5 at the bar, toward 1.0 above it),
    or ("", 0.0) when the answer is not on the menu."""
    said, sure = menu_evidence(menu, open_, phrases)
    return (said, sure) if sure >= BAR else ("", 0.0)


def menu_evidence(menu: Decoded, open_: Decoded, phrases: Iterable[str]) -> tuple[str, float]:
    """The menu phrase the first pass heard and how sure, below the bar too (0.5 at the
    bar, toward 0.0 below it, 1.0 above): a line may read a middling answer back rather
    than turn it away. ("", 0.0) when the phrase spans too little of
    the speech, or the first pass heard no single phrase."""
    said = said_phrase(menu.text, phrases)
    if not said or not open_.words or menu.span < MIN_COVERAGE * open_.span:
        return "", 0.0
    margin = (menu.score - open_.score
              + WORD_PENALTY * (len(open_.words) - len(menu.words)))
    score = margin + LIKENESS * (1 - vowel_distance(open_.text, menu.text))
    above = max(margin - MIN_MARGIN, score - MIN_SCORE)
    return said, 1 / (1 + math.exp(-max(-50.0, above)))


@functools.cache
def quiet(rate: int) -> bytes:
    """PAD_SECONDS of faint, always the same, noise as 16-bit PCM at `rate`."""
    noise = random.Random(rate)
    count = int(rate * PAD_SECONDS)
    return struct.pack(f"<{count}h", *(round(noise.gauss(0, PAD_LEVEL)) for _ in range(count)))
