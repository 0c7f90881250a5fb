"""What callers may say at each question, and which of those words a speech model lacks.

The phrases a recognizer listens for at a question are the ones the engine
understands there: those its node type listens for in the caller's language (a
menu's options, a language question's choices), the escape and supervisor words,
"repeat", and the keys said as words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ivr_app.flow import builtins
from ivr_app.flow.errors import Problem
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes import asked_in, of
from ivr_app.flow.nodes.base import READ_BACK
from ivr_app.flow.source import Path_, Source
from ivr_app.flow.wording import words
from speech import UNKNOWN, Recognizer
from speech.models import missing_message
from speech.vosk_recognizer import words_of

RULE = "speech-vocabulary"
Knows = Callable[[str, str], bool]  # (language, word) -> whether the model has the word


def phrases_at(flow: Flow, node: Node, lang: str) -> list[str]:
    """Every phrase the engine acts on at this question, spoken in `lang`."""
    heard = of(node).listens(node, lang)
    if heard is None:
        return []
    digits = builtins.DIGIT_WORDS.get(lang, ())
    spoken_keys = [digits[int(k)] for k in ["0", *heard.keys] if k.isdigit() and digits]
    supervisor = builtins.SUPERVISOR_WORDS.get(lang, ()) if flow.human.supervisor_queue else ()
    return list(dict.fromkeys([*(p for p, _ in heard.phrases), *flow.escape_words.get(lang, ()),
                               *supervisor, *builtins.REPEAT_WORDS.get(lang, ()),
                               *spoken_keys]))


def phrases_now(flow: Flow, state: Mapping[str, Any]) -> list[str]:
    """Every phrase the engine acts on at the call's question as it stands: while a spoken
    answer is read back, yes and no (and 1, 2 and the way out); otherwise its node's."""
    lang, node = state["lang"], flow.nodes[state["node"]]
    if state.get("phase") != READ_BACK:
        return phrases_at(flow, node, lang)
    digits = builtins.DIGIT_WORDS.get(lang, ())
    answers = [w for said_in in asked_in(node, lang)
               for w in (*builtins.YES_WORDS.get(said_in, ()), *builtins.NO_WORDS.get(said_in, ()))]
    return list(dict.fromkeys([*answers, *flow.escape_words.get(lang, ()), *digits[:3]]))


def unknown_words(source: Source, flow: Flow, lang: str, knows: Knows) -> list[Problem]:
    """A located warning for each phrase with words the `lang` model does not know.

    Vosk drops such words from a grammar without a word, so the phrase could never be
    heard as written (and what is left of it might match something else).
    """
    problems, seen = [], set()
    for path, phrase in _written_phrases(source.data, flow, lang):
        missing = [w for w in words_of(phrase) if not knows(lang, w)]
        if missing and (path, phrase) not in seen:
            seen.add((path, phrase))
            line, column = source.where(path)
            problems.append(Problem.worded(source.file, line, column, words(
                "phrase {phrase!r} has words the {lang} model does not know: {missing}",
                "la frase {phrase!r} tiene palabras que el modelo {lang} no conoce: {missing}",
                phrase=phrase, lang=lang, missing=", ".join(missing)), RULE))
    return problems


def _written_phrases(data: Any, flow: Flow, lang: str) -> Iterator[tuple[Path_, str]]:
    """Each phrase a question accepts in `lang`, with where the file says it (or its language)."""
    for node in flow.nodes.values():
        heard = of(node).listens(node, lang)
        written: dict[str, Path_] = {p: ("nodes", node.id, *where)
                                     for p, where in (heard.phrases if heard else ())}
        for j, phrase in enumerate((data.get("escape_words") or {}).get(lang) or ()):
            written[str(phrase)] = ("escape_words", lang, j)
        for phrase in phrases_at(flow, node, lang):
            yield written.get(phrase, ("languages", lang)), phrase


def speech_warnings(source: Source, flow: Flow, recognizer: Recognizer,
                    config: Mapping[str, Any]) -> list[str]:
    """What lint says about speech: languages without a model, words a model lacks."""
    lines = []
    for lang in flow.languages:
        line, column = source.where(("languages", lang), key=True)
        where = f"{source.file}:{line}:{column}: warning:"
        if lang not in recognizer.languages():
            lines.append(f"{where} {missing_message(lang, config)} [speech-model]")
            continue
        if not recognizer.knows(lang, UNKNOWN):
            lines.append(f"{where} the {lang} model has no {UNKNOWN} word: answers outside "
                         "a menu are told apart by filler words from its vocabulary, which "
                         "turns away some menu words too [speech-model]")
        for problem in unknown_words(source, flow, lang, recognizer.knows):
            lines.append(f"{problem.file}:{problem.line}:{problem.column}: warning: "
                         f"{problem.message} [{problem.rule}]")
    return lines
