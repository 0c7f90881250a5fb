"""A menu: the caller presses a key, or says one of its phrases, to choose where to go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from ivr_app.flow import builtins, spec
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
    nowhere,
)
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words

OPTION_FIELDS = {"key": ("key", True), "say": ("phrases", False), "goto": ("node_ref", True)}


@dataclass(frozen=True)
class Option:
    key: str
    phrases: dict[str, tuple[str, ...]]
    goto: str


@dataclass(frozen=True)
class MenuNode(Node):
    options: tuple[Option, ...] = ()
    asks: ClassVar[bool] = True

    def targets(self) -> list[str]:
        return [o.goto for o in self.options]


def options(check: Checker, value: Any, path: Path_) -> tuple[Option, ...] | None:
    if not check.expect(value, list, path, "'options'"):
        return None
    limit = check.source.data.get("max_options", spec.LIMITS["max_options"][2])
    if isinstance(limit, int) and len(value) > limit:
        check.error(path, words("menu has {n} options; the limit is {limit} (set "
                                "max_options, or split the menu)", "el menú tiene {n} "
                                "opciones; el límite es {limit} (ajuste max_options o divida "
                                "el menú)", n=len(value), limit=limit), "too-many-options")
    if not value:
        check.error(path, words("a menu needs at least one option",
                                "un menú necesita al menos una opción"), "required")
    items = [check.fields(item, (*path, i), OPTION_FIELDS, words("option", "opción"))
             for i, item in enumerate(value)]
    distinct_keys(check, items, path)
    no_escape_phrases(check, [(c.get("say") or {}, (*path, i, "say"))
                              for i, c in enumerate(items) if c])
    return tuple(Option(c["key"], c.get("say") or {}, c["goto"])
                 for c in items if c and c.get("key") and c.get("goto"))


def enter(flow: Flow, state: dict[str, Any], node: MenuNode, now: dt.datetime) -> Entered:
    return ASK


def question(node: MenuNode, lang: str) -> Question:
    return Question((lang,), spoken=True)


def answer(flow: Flow, state: dict[str, Any], node: MenuNode, event: Input) -> object:
    lang = state["lang"]
    if event.kind == "digits":
        matches = {o.goto for o in node.options if o.key == event.value}
    elif builtins.is_repeat(event.value, lang):
        return REPEAT
    else:
        key = builtins.spoken_key(event.value, lang)
        matches = {o.goto for o in node.options
                   if o.key == key or any(builtins.contains_phrase(event.value, p)
                                          for p in o.phrases.get(lang, ()))}
    return matches.pop() if len(matches) == 1 else None


def edges(node: MenuNode) -> list[tuple[str, str]]:
    return [(f"key {o.key}", o.goto) for o in node.options]


def facts(node: MenuNode) -> Facts:
    return Facts(chosen=True, choices=tuple(Choice(o.key, o.goto, any(o.phrases.values()))
                                            for o in node.options))


def listens(node: MenuNode, lang: str) -> Listening:
    return Listening(tuple((p, ("options", i, "say", lang, j))
                           for i, o in enumerate(node.options)
                           for j, p in enumerate(o.phrases.get(lang, ()))),
                     tuple(o.key for o in node.options),
                     tuple((o.key, o.phrases[lang][0]) for o in node.options
                           if o.phrases.get(lang)))


TYPE = NodeType(
    name="menu", model=MenuNode,
    fields={"prompt": ("prompt", True), "options": ("options", True)},
    build=keep, enter=enter, passes_to=nowhere,
    drawn=Drawn(("{{", "}}"), fill="#dbe8ff"), edges=edges,
    facts=facts, listens=listens, question=question, answer=answer,
    kinds={"options": options},
)
