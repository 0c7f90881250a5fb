"""Where a caller's utterance starts and ends in a live stream of 20 ms mu-law frames.

A frame is loud when its energy stands well above the line's noise floor (and above an
absolute level); an utterance starts with two loud frames in a row and ends after
HANGOVER_FRAMES quiet ones, so the decision can follow the end of a phrase within a
fraction of a second. The frames just before the start go with it (the first sound of
a word is soft). The energy of a frame is read from the mu-law bytes by table (one numpy
indexing), without decoding them: only an utterance's bytes are decoded, once, for
recognition, and that on the thread that recognises it, not on the stream's event loop.
What one stream holds is bounded in bytes: PREROLL_FRAMES + START_FRAMES frames of at most
MAX_FRAME bytes, and MAX_BYTES of an utterance.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from speech.audio import Audio, mu_law_to_pcm

RATE = 8000  # Twilio's Media Streams: 8 kHz mu-law, mono
FRAME_BYTES = 160  # 20 ms
FRAME_SECONDS = FRAME_BYTES / RATE
MAX_FRAME = 4 * FRAME_BYTES  # Twilio sends 20 ms; a frame over 80 ms is not Twilio's
HANGOVER_FRAMES = 15  # 300 ms of quiet end an utterance
PREROLL_FRAMES = 10  # 200 ms before the start go with it
TAIL_FRAMES = 5  # and 100 ms after the end
START_FRAMES = 2  # loud frames in a row that start an utterance
MIN_LOUD_FRAMES = 5  # an utterance with fewer loud frames (a click, a cough) is dropped
MAX_BYTES = 250 * FRAME_BYTES  # 5 s: a menu answer is a few words; longer sound is cut here
MIN_LEVEL_DB = 45.0  # never loud below this (speech on a phone line is 55-80)
ABOVE_FLOOR_DB = 15.0  # loud: this far above the noise floor
FLOOR_WEIGHT = 0.02  # how fast the noise floor follows quiet frames (about a second)

# each mu-law byte's sample, squared
_ENERGY = np.frombuffer(mu_law_to_pcm(bytes(range(256))), dtype="<i2").astype(np.float64) ** 2


def level_db(frame: bytes) -> float:
    """A frame's mean energy in dB (16-bit full scale is about 90)."""
    energy = float(_ENERGY[np.frombuffer(frame, dtype=np.uint8)].mean()) if frame else 0.0
    return 10 * math.log10(energy + 1.0)


@dataclass(frozen=True)
class Utterance:
    """A stretch of the caller's speech as mu-law: `said` (with the quiet just around it),
    and `spoken`, from its first loud frame to its last; decoded when first read."""

    said: bytes
    spoken: bytes

    @cached_property
    def audio(self) -> Audio:
        return Audio(mu_law_to_pcm(self.said), RATE)

    @cached_property
    def core(self) -> Audio:
        return Audio(mu_law_to_pcm(self.spoken), RATE)


class Endpointer:
    """Feeds on a stream's frames; says when an utterance starts and hands it over at its end."""

    def __init__(self) -> None:
        self.floor = MIN_LEVEL_DB - ABOVE_FLOOR_DB
        self.speaking = False
        self._recent: deque[bytes] = deque(maxlen=PREROLL_FRAMES + START_FRAMES)
        self._loud_run = 0
        self._said: list[bytes] = []
        self._bytes = 0  # in _said
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
            self._bytes = sum(map(len, self._said))
            self._first_loud = len(self._said) - START_FRAMES
            self._loud, self._quiet = START_FRAMES, 0
            return True, None
        self._said.append(frame)
        self._bytes += len(frame)
        self._loud += loud
        self._quiet = 0 if loud else self._quiet + 1
        if self._quiet < HANGOVER_FRAMES and self._bytes < MAX_BYTES:
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
        return Utterance(b"".join(said), b"".join(core))
