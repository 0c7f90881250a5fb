"""Speech recognition for the phone line: audio in, words with confidences out.

Nothing here knows about flows or menus: callers of `Recognizer.recognize` pass the
phrases a question accepts, and interpret the text they get back themselves.

May import: nothing else of this repository.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from speech.audio import Audio

UNKNOWN = "[unk]"  # the word a model with one gives to speech outside the grammar


@dataclass(frozen=True)
class Heard:
    """What a model heard: its text and each word with the model's confidence."""

    text: str = ""
    words: tuple[tuple[str, float], ...] = ()
    # an answer turned away as not on the menu ([unk]) that was nearest one of its phrases:
    # that phrase and how sure (below 0.5), for a line that reads middling answers back
    nearest: tuple[str, float] | None = None

    @property
    def confidence(self) -> float | None:
        """The least sure word's confidence: one doubtful word makes the answer doubtful."""
        return min(c for _, c in self.words) if self.words else None

    def trusted(self, min_confidence: float) -> bool:
        """Whether to act on it: some words, none unknown, every one sure enough."""
        return bool(self.words) and all(w != UNKNOWN and c >= min_confidence
                                        for w, c in self.words)


class Recognizer(Protocol):
    """Speech to text for the languages that have a model, constrained to given phrases."""

    def languages(self) -> frozenset[str]:
        """Languages that have a loaded model."""
        ...

    def knows(self, lang: str, word: str) -> bool:
        """Whether the language's model has `word` in its vocabulary."""
        ...

    def recognize(self, audio: Audio, lang: str, phrases: Sequence[str]) -> Heard:
        """Recognise `audio` as one or more of `phrases`; speech that is none of them is [unk]."""
        ...
