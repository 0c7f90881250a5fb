"""The Recognizer on Vosk: one model per language, a grammar per question.

A model is shared; a KaldiRecognizer is not thread-safe, so each recognition makes
its own. Grammar mode keeps the search to the question's phrases: about 25 times
faster than free recognition and far more accurate on short answers.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from speech import UNKNOWN, Heard
from speech.audio import Audio, resample
from speech.models import ModelRate, load_model, model_rate

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters and digits in any script, with apostrophes


def words_of(phrase: str) -> list[str]:
    """A phrase as a model spells it: lower case, accents kept, punctuation dropped."""
    return _WORD.findall(phrase.casefold())


class VoskRecognizer:
    """Recognises speech with the Vosk models it is given, loaded once per process."""

    def __init__(self, folders: Mapping[str, Path]):
        self._models: dict[str, Any] = {}
        self._rates: dict[str, ModelRate] = {}
        for lang, folder in folders.items():
            try:
                self._rates[lang] = model_rate(folder)
                self._models[lang] = load_model(str(folder))
            except Exception as exc:  # a broken model turns speech off for its language only
                log.error("speech is off for language %r: the model in %s did not load (%s)",
                          lang, folder, exc)

    def languages(self) -> frozenset[str]:
        return frozenset(self._models)

    def rate(self, lang: str) -> ModelRate:
        """The audio rate the language's model expects; recognize feeds it that rate."""
        return self._rates[lang]

    def knows(self, lang: str, word: str) -> bool:
        return self._models[lang].vosk_model_find_word(word) >= 0

    def has_unknown(self, lang: str) -> bool:
        """Whether the model has an [unk] word for speech outside the grammar."""
        return self.knows(lang, UNKNOWN)

    def recognize(self, audio: Audio, lang: str, phrases: Sequence[str]) -> Heard:
        """What `audio` says, among `phrases`; with none the model knows, in free speech."""
        from vosk import KaldiRecognizer

        grammar = self._grammar(lang, tuple(phrases))
        model = self._models[lang]
        audio = resample(audio, self._rates[lang].sample_rate)  # phone audio is 8 kHz
        # No phrase the model knows: free recognition (an empty grammar crashes libvosk).
        recognizer = (KaldiRecognizer(model, audio.rate, grammar) if grammar
                      else KaldiRecognizer(model, audio.rate))
        recognizer.SetWords(True)
        recognizer.AcceptWaveform(audio.pcm)
        result = json.loads(recognizer.FinalResult())
        words = tuple((w["word"], float(w["conf"])) for w in result.get("result", []))
        return Heard(result.get("text", ""), words)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one recognizer per process, few questions
    def _grammar(self, lang: str, phrases: tuple[str, ...]) -> str:
        """The grammar's JSON: phrases whose every word the model knows, and [unk] if it has it.

        Vosk would silently drop an unknown word and keep the rest of its phrase, which can
        then match what the caller did not say; `lint` names such phrases.
        """
        kept = {" ".join(ws) for ws in map(words_of, phrases)
                if ws and all(self.knows(lang, w) for w in ws)}
        if kept and self.has_unknown(lang):
            kept.add(UNKNOWN)
        return json.dumps(sorted(kept), ensure_ascii=False) if kept else ""
