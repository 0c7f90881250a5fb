"""Collect: the caller types (or says) a number, read back for a yes when `confirm`; it is
kept in a variable, and the question is skipped once that variable is known."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ivr_app.flow import builtins, checker, spec
from ivr_app.flow.checker import Checker
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import (
    ASK,
    REPEAT,
    Drawn,
    Entered,
    Facts,
    Input,
    NodeType,
    Question,
    keys_only,
    plain_edges,
)
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words

LENGTH_FIELDS = {"min": ("int", True), "max": ("int", True)}
CHECKSUMS = ("luhn",)


@dataclass(frozen=True)
class CollectNode(Node):
    variable: str = ""
    min_length: int = 2
    max_length: int = 2
    checksum: str = ""
    confirm: bool = True
    skip_if_set: bool = True
    next: str = ""
    asks: ClassVar[bool] = True

    def targets(self) -> list[str]:
        return [self.next]


def checksum(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in CHECKSUMS:
        check.error(path, words("unknown checksum {text!r}; expected one of {known}",
                                "suma de verificación desconocida {text!r}; se espera una de "
                                "{known}", text=text, known=", ".join(CHECKSUMS)), "type")
        return None
    return text


def length(check: Checker, value: Any, path: Path_) -> tuple[int, int] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        low = high = value
    else:
        checked = check.fields(value, path, LENGTH_FIELDS, "'length'")
        if not checked or None in checked.values() or len(checked) < 2:
            return None
        low, high = checked["min"], checked["max"]
    if not 2 <= low <= high <= spec.MAX_DIGITS:
        check.error(path, words("length must satisfy 2 <= min <= max <= {most} (a lone 0 "
                                "is the escape)", "la longitud debe cumplir 2 <= min <= max <= "
                                "{most} (un 0 solo es la salida)", most=spec.MAX_DIGITS),
                    "range")
        return None
    return low, high


def build(check: Checker, checked: dict[str, Any], path: Path_) -> dict[str, Any] | None:
    if checked.get("length") is None:
        return None
    checked["min_length"], checked["max_length"] = checked.pop("length")
    return checked


def enter(flow: Flow, state: dict[str, Any], node: CollectNode, now: dt.datetime) -> Entered:
    if node.skip_if_set and state["vars"].get(node.variable):
        return Entered("go", node.next)
    return ASK


def passes_to(node: CollectNode) -> list[str]:
    return [node.next] if node.skip_if_set else []


def skips(raw: Mapping[str, Any]) -> bool:
    return raw.get("skip_if_set", True) is not False


def question(node: CollectNode, lang: str) -> Question:
    return Question((lang,), max_digits=node.max_length, confirms=True)


def answer(flow: Flow, state: dict[str, Any], node: CollectNode, event: Input) -> object:
    if state["phase"] == "confirm":
        said = event.value if event.kind == "digits" else builtins.spoken_key(event.value,
                                                                             state["lang"])
        if said == "1":
            state["vars"][node.variable] = state["pending"]
            return node.next
        if said == "2":
            state.update(phase="ask", pending="")
            return REPEAT
        return None
    digits = event.value if event.kind == "digits" else builtins.digits_said(event.value,
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


def luhn_ok(digits: str) -> bool:
    """Whether the last digit is the Luhn check digit of the others."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def facts(node: CollectNode) -> Facts:
    return Facts(collects=node.variable, asks_again=not node.skip_if_set)


TYPE = NodeType(
    name="collect", model=CollectNode,
    fields={
        "prompt": ("prompt", True),
        "variable": ("name", True),
        "length": ("length", True),
        "checksum": ("checksum", False),
        "confirm": ("bool", False),
        "skip_if_set": ("bool", False),
        "next": ("node_ref", True),
    },
    build=build, enter=enter, passes_to=passes_to,
    drawn=Drawn(("[/", "/]"), fill="#ebe9fe"), edges=plain_edges,
    facts=facts, listens=keys_only, question=question, answer=answer, skips=skips,
    kinds={"length": length, "checksum": checksum},
)
