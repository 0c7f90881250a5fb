"""What callers may say at each question, and which of those words a speech model lacks.

The phrases a recognizer listens for at a question are the ones the engine
understands there: the options' phrases in the caller's language, the escape
and supervisor words, "repeat", and the keys said as words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ivr_app.flow import builtins
from ivr_app.flow.errors import Problem
from ivr_app.flow.model import Flow, LanguageNode, MenuNode, Node
from ivr_app.flow.source import Path_, Source
from speech import UNKNOWN, Recognizer
from speech.models import missing_message
from speech.vosk_recognizer import words_of

RULE = "speech-vocabulary"
Knows = Callable[[str, str], bool]  # (language, word) -> whether the model has the word


def phrases_at(flow: Flow, node: Node, lang: str) -> list[str]:
    """Every phrase the engine acts on at this question, spoken in `lang`."""
    if isinstance(node, MenuNode):
        said = [p for o in node.options for p in o.phrases.get(lang, ())]
        keys = [o.key for o in node.options]
    elif isinstance(node, LanguageNode):
        said = [p for c in node.choices for p in c.phrases]
        keys = [c.key for c in node.choices]
    else:
        return []
    digits = builtins.DIGIT_WORDS.get(lang, ())
    spoken_keys = [digits[int(k)] for k in ["0", *keys] if k.isdigit() and digits]
    supervisor = builtins.SUPERVISOR_WORDS.get(lang, ()) if flow.human.supervisor_queue else ()
    return list(dict.fromkeys([*said, *flow.escape_words.get(lang, ()), *supervisor,
                               *builtins.REPEAT_WORDS.get(lang, ()), *spoken_keys]))


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
            problems.append(Problem(source.file, line, column,
                                    f"phrase {phrase!r} has words the {lang} model does not "
                                    f"know: {', '.join(missing)}", RULE))
    return problems


def _written_phrases(data: Any, flow: Flow, lang: str) -> Iterator[tuple[Path_, str]]:
    """Each phrase a question accepts in `lang`, with where the file says it (or its language)."""
    nodes = data.get("nodes") or {}
    for node in flow.nodes.values():
        raw = nodes.get(node.id) or {}
        written: dict[str, Path_] = {}
        for i, option in enumerate(raw.get("options") or ()):
            for j, phrase in enumerate(((option or {}).get("say") or {}).get(lang) or ()):
                written[str(phrase)] = ("nodes", node.id, "options", i, "say", lang, j)
        for i, choice in enumerate(raw.get("choices") or ()):
            for j, phrase in enumerate((choice or {}).get("say") or ()):
                written[str(phrase)] = ("nodes", node.id, "choices", i, "say", j)
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
