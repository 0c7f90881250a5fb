"""What the caller's answer means at each kind of question: keys, or words they said.

The escape (0 or an escape word) and the supervisor words are checked first by
the engine; the functions here interpret everything else, and return the node
to go to, REPEAT to ask again without using up a try, or None: not understood.
"""

from __future__ import annotations

import copy
from typing import Any

from ivr_app.call.turn import Event
from ivr_app.flow import builtins
from ivr_app.flow.model import CollectNode, Flow, LanguageNode, MenuNode

REPEAT = object()  # ask the same question again; not a wrong answer


def is_escape(flow: Flow, event: Event) -> bool:
    if event.kind == "digits":
        return event.value == "0"
    if event.kind == "speech":
        words = [w for ws in flow.escape_words.values() for w in ws]
        return any(builtins.contains_phrase(event.value, w) for w in words)
    return False


def asks_for_supervisor(flow: Flow, event: Event) -> bool:
    """Someone who says "supervisor" or "jefe" skips the line to the supervisors' queue."""
    if event.kind != "speech" or not flow.human.supervisor_queue:
        return False
    words = [w for ws in builtins.SUPERVISOR_WORDS.values() for w in ws]
    return any(builtins.contains_phrase(event.value, w) for w in words)


def spoken_key(text: str, lang: str) -> str | None:
    """A key said as a word ("dos", "two") or a digit, when that is all that was said."""
    words = builtins.normalize(text).split()
    digit_words = builtins.DIGIT_WORDS.get(lang, ())
    keys = [str(digit_words.index(w)) if w in digit_words else w for w in words]
    keys = [k for k in keys if k.isdigit() and len(k) == 1]
    return keys[0] if len(keys) == 1 else None


def _is_repeat(text: str, lang: str) -> bool:
    return any(builtins.contains_phrase(text, w) for w in builtins.REPEAT_WORDS.get(lang, ()))


def menu(flow: Flow, state: dict[str, Any], node: MenuNode, event: Event) -> Any:
    lang = state["lang"]
    if event.kind == "digits":
        matches = {o.goto for o in node.options if o.key == event.value}
    elif _is_repeat(event.value, lang):
        return REPEAT
    else:
        key = spoken_key(event.value, lang)
        matches = {o.goto for o in node.options
                   if o.key == key or any(builtins.contains_phrase(event.value, p)
                                          for p in o.phrases.get(lang, ()))}
    return matches.pop() if len(matches) == 1 else None


def language(flow: Flow, state: dict[str, Any], node: LanguageNode, event: Event) -> Any:
    for choice in node.choices:
        said = event.kind == "speech" and (
            any(builtins.contains_phrase(event.value, p) for p in choice.phrases)
            or spoken_key(event.value, choice.language) == choice.key)
        if (event.kind == "digits" and event.value == choice.key) or said:
            state["lang"] = choice.language
            state["vars"]["language"] = choice.language
            return node.next
    if event.kind == "speech" and _is_repeat(event.value, state["lang"]):
        return REPEAT
    return None


def collect(flow: Flow, state: dict[str, Any], node: CollectNode, event: Event) -> Any:
    if state["phase"] == "confirm":
        answer = event.value if event.kind == "digits" else spoken_key(event.value,
                                                                       state["lang"])
        if answer == "1":
            state["vars"][node.variable] = state["pending"]
            return node.next
        if answer == "2":
            state.update(phase="ask", pending="")
            return REPEAT
        return None
    digits = event.value if event.kind == "digits" else _spoken_digits(event.value,
                                                                     state["lang"])
    if not digits or not node.min_length <= len(digits) <= node.max_length:
        return None
    if node.checksum == "luhn" and not luhn_ok(digits):
        return None
    if node.confirm:
        state.update(phase="confirm", pending=digits)
        return REPEAT
    state["vars"][node.variable] = digits
    return node.next


def _spoken_digits(text: str, lang: str) -> str:
    digit_words = builtins.DIGIT_WORDS.get(lang, ())
    out = []
    for word in builtins.normalize(text).split():
        if word.isdigit():
            out.append(word)
        elif word in digit_words:
            out.append(str(digit_words.index(word)))
        else:
            return ""
    return "".join(out)


def luhn_ok(digits: str) -> bool:
    """Whether the last digit is the Luhn check digit of the others."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0

HANDLERS = {"menu": menu, "language": language, "collect": collect}


def understood(flow: Flow, state: dict[str, Any], event: Event) -> bool:
    """Whether the engine would act on this answer at the call's question, rather than count
    it as a wrong one (the state is left as it is)."""
    if event.kind not in ("digits", "speech"):
        return False
    if asks_for_supervisor(flow, event) or is_escape(flow, event):
        return True
    node = flow.nodes[state["node"]]
    handler = HANDLERS.get(node.type)
    return handler is not None and handler(flow, copy.deepcopy(state), node, event) is not None
