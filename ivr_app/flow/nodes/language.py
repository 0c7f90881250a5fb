"""The language question: each choice's prompt is said in its own language, and the
caller picks one by key or by saying it; the call goes on in that language.

A caller whose number chose one of its languages before (call/remember.py) is not asked:
the call goes on in that language, and its first question tells them how to change it
(call/kept_language.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ivr_app.flow import builtins
from ivr_app.flow.checker import Checker
from ivr_app.flow.choice_rules import distinct_keys, no_escape_phrases
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import (
    ASK,
    REPEAT,
    Choice,
    Drawn,
    Entered,
    Facts,
    Input,
    Listening,
    NodeType,
    Question,
    keep,
)
from ivr_app.flow.source import Path_

CHOICE_FIELDS = {
    "key": ("key", True),
    "language": ("language_code", True),
    "say": ("word_list", False),
}


@dataclass(frozen=True)
class LanguageChoice:
    key: str
    language: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class LanguageNode(Node):
    choices: tuple[LanguageChoice, ...] = ()
    next: str = ""
    asks: ClassVar[bool] = True

    def targets(self) -> list[str]:
        return [self.next]


def choices(check: Checker, value: Any, path: Path_) -> tuple[LanguageChoice, ...] | None:
    if not check.expect(value, list, path, "'choices'"):
        return None
    items = [check.fields(item, (*path, i), CHOICE_FIELDS, "choice")
             for i, item in enumerate(value)]
    distinct_keys(check, items, path)
    no_escape_phrases(check, [({c["language"]: c.get("say") or ()}, (*path, i, "say"))
                              for i, c in enumerate(items) if c and c.get("language")])
    return tuple(LanguageChoice(c["key"], c["language"], c.get("say") or ())
                 for c in items if c and c.get("key") and c.get("language"))


REMEMBERED = "remembered_lang"  # the state's language its number chose before, if any
KEPT = "language_kept"  # the state's note of a language question passed for it


def enter(flow: Flow, state: dict[str, Any], node: LanguageNode, now: dt.datetime) -> Entered:
    known = state.get(REMEMBERED)
    languages = {c.language for c in node.choices}
    if known not in languages:
        return ASK
    state["lang"] = state["vars"]["language"] = known
    # open: the first question offers the other languages, if there are any
    state[KEPT] = {"node": node.id, "at": "", "open": len(languages) > 1}
    return Entered("go", node.next)


def passes_to(node: LanguageNode) -> list[str]:
    return [node.next]  # a caller whose language is remembered


def skips(raw: Mapping[str, Any]) -> bool:
    return True


def question(node: LanguageNode, lang: str) -> Question:
    return Question(tuple(dict.fromkeys(c.language for c in node.choices)), spoken=True)


def answer(flow: Flow, state: dict[str, Any], node: LanguageNode, event: Input) -> object:
    for choice in node.choices:
        said = event.kind == "speech" and (
            any(builtins.contains_phrase(event.value, p) for p in choice.phrases)
            or builtins.spoken_key(event.value, choice.language) == choice.key)
        if (event.kind == "digits" and event.value == choice.key) or said:
            state["lang"] = choice.language
            state["vars"]["language"] = choice.language
            return node.next
    if event.kind == "speech" and builtins.is_repeat(event.value, state["lang"]):
        return REPEAT
    return None


def edges(node: LanguageNode) -> list[tuple[str, str]]:
    return [(", ".join(f"{c.key}: {c.language}" for c in node.choices), node.next)]


def facts(node: LanguageNode) -> Facts:
    return Facts(chosen=True, language_choices=tuple(
        Choice(c.key, c.language, bool(c.phrases)) for c in node.choices))


def listens(node: LanguageNode, lang: str) -> Listening:
    return Listening(tuple((p, ("choices", i, "say", j)) for i, c in enumerate(node.choices)
                           for j, p in enumerate(c.phrases)),
                     tuple(c.key for c in node.choices),
                     tuple((c.key, c.phrases[0]) for c in node.choices if c.phrases))


TYPE = NodeType(
    name="language", model=LanguageNode,
    fields={"prompt": ("prompt", True), "choices": ("choices", True),
            "next": ("node_ref", True)},
    build=keep, enter=enter, passes_to=passes_to, skips=skips,
    drawn=Drawn(("{{", "}}"), fill="#dbe8ff"), edges=edges,
    facts=facts, listens=listens, question=question, answer=answer,
    kinds={"choices": choices},
)
