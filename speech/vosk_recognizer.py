"""The Recognizer on Vosk: one model per language, a grammar per question.

A model is shared; a KaldiRecognizer is not thread-safe, so each thread keeps its own,
one per grammar, and reuses it: Vosk composes a grammar's search graph lazily, as a
search first reaches each part of it, and a reused recognizer keeps what it composed
(the open pass below took half the time). Grammar mode keeps the search to the
question's phrases: about 25 times faster than free recognition and far more accurate
on short answers. A model without [unk] would map any speech onto a phrase, so its
answers are checked against filler words from its own vocabulary (speech/rejection.py);
what fails is heard as [unk].
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from speech import UNKNOWN, Heard
from speech.audio import Audio, resample, sounds_like_speech
from speech.models import ModelRate, load_model, model_rate
from speech.rejection import (
    BAR,
    FILLER_CANDIDATES,
    Decoded,
    fillers,
    menu_evidence,
    quiet,
    said_phrase,
)
from speech.vocabulary import frequent_words

log = logging.getLogger(__name__)

RECOGNIZERS = 16  # per thread: two per question (menu and open pass) for eight questions
OFF_MENU = Heard("", ((UNKNOWN, 0.0),))  # speech, but none of the question's phrases
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters and digits in any script, with apostrophes


def words_of(phrase: str) -> list[str]:
    """A phrase as a model spells it: lower case, accents kept, punctuation dropped."""
    return _WORD.findall(phrase.casefold())


class VoskRecognizer:
    """Recognises speech with the Vosk models it is given, loaded once per process."""

    def __init__(self, folders: Mapping[str, Path]):
        self._models: dict[str, Any] = {}
        self._rates: dict[str, ModelRate] = {}
        self._frequent: dict[str, tuple[str, ...]] = {}
        self._local = threading.local()  # each thread's recognizers, by grammar
        for lang, folder in folders.items():
            try:
                self._rates[lang] = model_rate(folder)
                self._models[lang] = load_model(str(folder))
            except Exception as exc:  # a broken model turns speech off for its language only
                log.error("speech is off for language %r: the model in %s did not load (%s)",
                          lang, folder, exc)
                continue
            try:
                self._frequent[lang] = _frequent(str(folder))
            except Exception as exc:  # a word list we cannot read costs the rejection only
                log.warning("speech in %r cannot tell words outside a menu: no word list in "
                            "%s (%s); every answer will be heard as its nearest phrase",
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
        """What `audio` says, among `phrases`; with none the model knows, in free speech.

        Speech that is not one of `phrases` comes back as [unk], never as a phrase (with
        the phrase it was nearest, and how sure, as `nearest` when there was one).
        """
        audio = resample(audio, self._rates[lang].sample_rate)  # phone audio is 8 kHz
        grammar = self._grammar(lang, tuple(phrases))
        if not grammar:  # an empty grammar crashes libvosk: free recognition
            return self._heard(self._run(lang, audio, ""))
        if self.has_unknown(lang) or lang not in self._frequent:
            return self._heard(self._run(lang, audio, grammar))
        if not sounds_like_speech(audio):
            return Heard()  # silence or a steady noise: nothing was said
        padded = Audio(quiet(audio.rate) + audio.pcm + quiet(audio.rate), audio.rate)
        menu = self._scored(lang, padded, grammar)
        if not menu.words:
            return Heard()
        kept = json.loads(grammar)
        if not said_phrase(menu.text, kept):  # several phrases at once: no second pass
            return OFF_MENU
        open_ = self._scored(lang, padded, self._open_grammar(lang, tuple(phrases)))
        said, confidence = menu_evidence(menu, open_, kept)
        if not said:
            return OFF_MENU
        if confidence < BAR:  # not on the menu, yet nearest this phrase: a line may read
            return Heard("", OFF_MENU.words, (said, confidence))  # it back (its bands)
        return Heard(said, tuple((word, confidence) for word in said.split()))

    def _run(self, lang: str, audio: Audio, grammar: str, alternatives: int = 0) -> Any:
        """One decoder pass over `audio`, free when `grammar` is empty; Vosk's result.

        The thread's recognizer for the grammar is taken out of its cache for the pass and
        put back after it (the most recently used RECOGNIZERS kept), so one that raised
        mid-answer, in no known state, is not used again. Free recognition (no grammar)
        gets a new one each time: what it composes of the whole vocabulary's graph grew by
        120 MB over 300 answers. Word times count from the first audio a reused recognizer
        heard: only their differences mean anything.
        """
        from vosk import KaldiRecognizer

        kept: OrderedDict[tuple[str, int, str, int], Any] = self._local.__dict__.setdefault(
            "recognizers", OrderedDict())
        key = (lang, audio.rate, grammar, alternatives)
        recognizer = kept.pop(key, None)
        if recognizer is None:
            model = self._models[lang]
            recognizer = (KaldiRecognizer(model, audio.rate, grammar) if grammar
                          else KaldiRecognizer(model, audio.rate))
            recognizer.SetWords(True)
            recognizer.SetMaxAlternatives(alternatives)
        recognizer.AcceptWaveform(audio.pcm)
        result = json.loads(recognizer.FinalResult())  # the next AcceptWaveform starts anew
        if grammar:
            kept[key] = recognizer
            if len(kept) > RECOGNIZERS:
                kept.popitem(last=False)
        return result

    def _scored(self, lang: str, audio: Audio, grammar: str) -> Decoded:
        """The best path and its score (Vosk gives a path's score only among alternatives)."""
        best = self._run(lang, audio, grammar, alternatives=1)["alternatives"][0]
        return Decoded(tuple((w["word"], w["start"], w["end"]) for w in best.get("result", [])),
                       float(best["confidence"]))

    @staticmethod
    def _heard(result: dict[str, Any]) -> Heard:
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

    @functools.lru_cache(maxsize=256)  # noqa: B019 - as _grammar
    def _open_grammar(self, lang: str, phrases: tuple[str, ...]) -> str:
        """The question's grammar plus filler words that sound unlike any of its phrases."""
        kept = json.loads(self._grammar(lang, phrases))
        return json.dumps(kept + fillers(self._frequent[lang], kept), ensure_ascii=False)


@functools.cache
def _frequent(folder: str) -> tuple[str, ...]:
    """The model's most frequent words, read once per process (about 2 s for Korean)."""
    return tuple(word for word, _ in frequent_words(Path(folder))[:FILLER_CANDIDATES])
