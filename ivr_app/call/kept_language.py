"""A caller greeted in the language their number chose before (flow/nodes/language.py passes
its question for them) can change it at the first question they hear.

That question ends with the way to change, in each other language of the question, in its
own voice and by its own name ("For English, press star or say English."). At it, the
language key (star, ivr_app.flow.builtins.LANGUAGE_KEY; lint refuses a first question that
binds it) asks the language question after all, and saying another language's name
switches the call to it and asks the same question again. Once the caller is past that
question, the offer is over.
"""

from __future__ import annotations

from typing import Any

from ivr_app.call.turn import Event, Speech
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.language import KEPT, REMEMBERED, LanguageChoice, LanguageNode


def offer(flow: Flow, state: dict[str, Any], node: Node) -> list[Speech]:
    """How to change the language, after the first question asked in a remembered one."""
    kept = state.get(KEPT)
    if not kept or not kept["open"] or kept["at"]:
        return []
    kept["at"] = node.id
    return [Speech(c.language, flow.messages[c.language]["language_change"].format(
        language=_own_name(c))) for c in _others(flow, kept, state["lang"])]


def leave(state: dict[str, Any], node_id: str) -> None:
    """The caller moves on to `node_id`: past the first question, the offer is over."""
    kept = state.get(KEPT)
    if kept and kept["open"] and kept["at"] and kept["at"] != node_id:
        kept["open"] = False


def asks_again(state: dict[str, Any], node: Node, event: Event) -> str | None:
    """The language question to ask, if the caller pressed the language key where it changes
    the language."""
    kept = state.get(KEPT)
    if not _offered_at(kept, node) or (event.kind, event.value) != ("digits",
                                                                    builtins.LANGUAGE_KEY):
        return None
    state.pop(KEPT)
    state.pop(REMEMBERED, None)
    return kept["node"]


def switched_to(flow: Flow, state: dict[str, Any], node: Node, event: Event) -> str | None:
    """The language the caller named where it changes the language; the call is in it now."""
    kept = state.get(KEPT)
    if not _offered_at(kept, node) or event.kind != "speech":
        return None
    for choice in _others(flow, kept, state["lang"]):
        if any(builtins.contains_phrase(event.value, p) for p in choice.phrases):
            state.pop(KEPT)
            state["lang"] = state["vars"]["language"] = choice.language
            return choice.language
    return None


def _own_name(choice: LanguageChoice) -> str:
    """The language's name in itself, as it writes it ("English"); else its first phrase."""
    own = builtins.LANGUAGE_NAMES.get(choice.language, {}).get(choice.language)
    return own or (choice.phrases[0] if choice.phrases else choice.language)


def _offered_at(kept: dict[str, Any] | None, node: Node) -> bool:
    return bool(kept and kept["open"] and kept["at"] == node.id)


def _others(flow: Flow, kept: dict[str, Any], lang: str) -> list[LanguageChoice]:
    question = flow.nodes[kept["node"]]
    assert isinstance(question, LanguageNode)
    return [c for c in question.choices if c.language != lang]
