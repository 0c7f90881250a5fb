"""Where a caller's utterance starts and ends in a live stream of 20 ms mu-law frames.

A frame is loud when its energy stands well above the line's noise floor (and above an
absolute level); an utterance starts with two loud frames in a row and ends after
HANGOVER_FRAMES quiet ones, so the decision can follow the end of a phrase within a
fraction of a second. The frames just before the start go with it (the first sound of
a word is soft). The energy of a frame is read from the mu-law bytes by table, without
decoding them: only an utterance's frames are decoded, once, for recognition.
"""

from __future__ import annotations

import math
import struct
from collections import deque
from dataclasses import dataclass

from speech.audio import Audio, mu_law_to_pcm

RATE = 8000  # Twilio's Media Streams: 8 kHz mu-law, mono
FRAME_BYTES = 160  # 20 ms
FRAME_SECONDS = FRAME_BYTES / RATE
HANGOVER_FRAMES = 15  # 300 ms of quiet end an utterance
PREROLL_FRAMES = 10  # 200 ms before the start go with it
TAIL_FRAMES = 5  # and 100 ms after the end
START_FRAMES = 2  # loud frames in a row that start an utterance
MIN_LOUD_FRAMES = 5  # an utterance with fewer loud frames (a click, a cough) is dropped
MAX_FRAMES = 250  # 5 s: a menu answer is a few words; longer sound is cut here
MIN_LEVEL_DB = 45.0  # never loud below this (speech on a phone line is 55-80)
ABOVE_FLOOR_DB = 15.0  # loud: this far above the noise floor
FLOOR_WEIGHT = 0.02  # how fast the noise floor follows quiet frames (about a second)

_SAMPLES = struct.unpack("<256h", mu_law_to_pcm(bytes(range(256))))
_ENERGY = [s * s for s in _SAMPLES]  # each mu-law byte's sample, squared


def level_db(frame: bytes) -> float:
    """A frame's mean energy in dB (16-bit full scale is about 90)."""
    return 10 * math.log10(sum(map(_ENERGY.__getitem__, frame)) / max(len(frame), 1) + 1.0)


@dataclass(frozen=True)
class Utterance:
    """A stretch of the caller's speech: its audio (with the quiet just around it), and the
    part from its first loud frame to its last."""

    audio: Audio
    core: Audio


class Endpointer:
    """Feeds on a stream's frames; says when an utterance starts and hands it over at its end."""

    def __init__(self) -> None:
        self.floor = MIN_LEVEL_DB - ABOVE_FLOOR_DB
        self.speaking = False
        self._recent: deque[bytes] = deque(maxlen=PREROLL_FRAMES + START_FRAMES)
        self._loud_run = 0
        self._said: list[bytes] = []
        self._loud = 0
        self._quiet = 0
        self._first_loud = 0

    def feed(self, frame: bytes) -> tuple[bool, Utterance | None]:
        """One frame in; returns (whether an utterance started with it, one that ended)."""
        level = level_db(frame)
        loud = level >= max(MIN_LEVEL_DB, self.floor + ABOVE_FLOOR_DB)
        if not self.speaking:
            self._recent.append(frame)
            self._loud_run = self._loud_run + 1 if loud else 0
            if not loud:
                self.floor += FLOOR_WEIGHT * (level - self.floor)
            if self._loud_run < START_FRAMES:
                return False, None
            self.speaking, self._said = True, list(self._recent)
            self._first_loud = len(self._said) - START_FRAMES
            self._loud, self._quiet = START_FRAMES, 0
            return True, None
        self._said.append(frame)
        self._loud += loud
        self._quiet = 0 if loud else self._quiet + 1
        if self._quiet < HANGOVER_FRAMES and len(self._said) < MAX_FRAMES:
            return False, None
        return False, self._finish()

    def _finish(self) -> Utterance | None:
        tail = max(0, self._quiet - TAIL_FRAMES)  # the quiet after the last word, but a bit
        said, loud = self._said[:len(self._said) - tail], self._loud
        core = self._said[self._first_loud:len(self._said) - self._quiet]
        self.speaking, self._said, self._loud_run = False, [], 0
        self._recent.clear()
        if loud < MIN_LOUD_FRAMES:
            return None
        return Utterance(_pcm(said), _pcm(core))


def _pcm(frames: list[bytes]) -> Audio:
    return Audio(mu_law_to_pcm(b"".join(frames)), RATE)
