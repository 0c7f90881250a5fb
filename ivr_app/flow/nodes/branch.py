"""A branch: goes on without asking, to the first case whose condition holds (opening
hours, or a variable's value), else to `otherwise`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ivr_app.flow.checker import Checker
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes.base import Drawn, Entered, Facts, NodeType, keep, keys_only
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words

CASE_FIELDS = {"when": ("condition", True), "goto": ("node_ref", True)}

CONDITION_FIELDS = {
    "hours": ("hours_ref", False),
    "open": ("bool", False),
    "var": ("name", False),
    "equals": ("scalar_text", False),
    "in": ("text_list", False),
    "is_set": ("bool", False),
}


@dataclass(frozen=True)
class Condition:
    hours: str = ""
    open: bool = True
    var: str = ""
    equals: str | None = None
    one_of: tuple[str, ...] | None = None
    is_set: bool | None = None


@dataclass(frozen=True)
class Case:
    when: Condition
    goto: str


@dataclass(frozen=True)
class BranchNode(Node):
    cases: tuple[Case, ...] = ()
    otherwise: str = ""

    def targets(self) -> list[str]:
        return [c.goto for c in self.cases] + [self.otherwise]


def cases(check: Checker, value: Any, path: Path_) -> tuple[Case, ...] | None:
    if not check.expect(value, list, path, "'cases'"):
        return None
    found = []
    for i, item in enumerate(value):
        checked = check.fields(item, (*path, i), CASE_FIELDS, words("case", "caso"))
        if checked and checked.get("when") and checked.get("goto"):
            found.append(Case(checked["when"], checked["goto"]))
    return tuple(found)


def condition(check: Checker, value: Any, path: Path_) -> Condition | None:
    checked = check.fields(value, path, CONDITION_FIELDS, "'when'")
    if checked is None or None in checked.values():
        return None
    tests = [k for k in ("equals", "in", "is_set") if k in checked]
    if "hours" in checked:
        if "var" in checked or tests:
            check.error(path, words("'when' with 'hours' takes only 'open'",
                                    "'when' con 'hours' solo admite 'open'"), "condition")
            return None
        return Condition(hours=checked["hours"], open=checked.get("open", True))
    if "var" not in checked or len(tests) != 1 or "open" in checked:
        check.error(path, words("'when' needs 'hours' (with optional 'open'), or 'var' with "
                                "exactly one of 'equals', 'in', 'is_set'", "'when' necesita "
                                "'hours' (con 'open' opcional), o 'var' con exactamente uno de "
                                "'equals', 'in', 'is_set'"), "condition")
        return None
    return Condition(var=checked["var"], equals=checked.get("equals"),
                     one_of=checked.get("in"), is_set=checked.get("is_set"))


def enter(flow: Flow, state: dict[str, Any], node: BranchNode, now: dt.datetime) -> Entered:
    for case in node.cases:
        if holds(flow, state, case.when, now):
            return Entered("go", case.goto)
    return Entered("go", node.otherwise)


def holds(flow: Flow, state: dict[str, Any], cond: Condition, now: dt.datetime) -> bool:
    if cond.hours:
        return flow.hours[cond.hours].is_open(now) == cond.open
    value = state["lang"] if cond.var == "language" else state["vars"].get(cond.var)
    if cond.is_set is not None:
        return bool(value) == cond.is_set
    if cond.one_of is not None:
        return value in cond.one_of
    return value == cond.equals


def passes_to(node: BranchNode) -> list[str]:
    return [*(case.goto for case in node.cases), node.otherwise]


def edges(node: BranchNode) -> list[tuple[str, str]]:
    return [(said(c.when), c.goto) for c in node.cases] + [("otherwise", node.otherwise)]


def said(cond: Condition) -> str:
    """A condition as the diagram labels it."""
    if cond.hours:
        return f"{cond.hours} {'open' if cond.open else 'closed'}"
    if cond.is_set is not None:
        return f"{cond.var} {'set' if cond.is_set else 'not set'}"
    if cond.one_of is not None:
        return f"{cond.var} in {', '.join(cond.one_of)}"
    return f"{cond.var} = {cond.equals}"


def facts(node: BranchNode) -> Facts:
    return Facts(hours=tuple(c.when.hours for c in node.cases if c.when.hours))


TYPE = NodeType(
    name="branch", model=BranchNode,
    fields={"cases": ("cases", True), "otherwise": ("node_ref", True)},
    build=keep, enter=enter, passes_to=passes_to,
    drawn=Drawn(("{", "}")), edges=edges,
    facts=facts, listens=keys_only, kinds={"cases": cases, "condition": condition},
)
