"""What a node type is made of, and the plain data its parts hand to their readers.

A node type is one module under flow/nodes/ that makes one NodeType: its fields
and how they are checked and built (validate.py), what entering it and answering
it do (the engine, which carries out the Entered a type returns: the flow package
never imports the call package), how it is drawn (diagram.py and the console),
what it tells the audit (audit.py) and the phrases it listens for (vocabulary.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ivr_app.flow.checker import Checker, FieldTable, Kind
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.source import Path_

REPEAT = object()  # an answer meaning: ask the same question again, not a wrong answer
READ_BACK = "read back"  # a call's phase while a spoken answer is read back for a yes


class Input(Protocol):
    """What the caller did at a question (the call package's Event)."""

    @property
    def kind(self) -> str: ...  # "digits" or "speech"

    @property
    def value(self) -> str: ...


@dataclass(frozen=True)
class Entered:
    """What entering a node does, for the engine to carry out: say the node's prompt first
    when `says`, then go on to node `to`, ask the node's question, hand the caller to a
    person at queue `to` (for `reason`), or hang up."""

    then: Literal["go", "ask", "person", "hang up"]
    to: str = ""
    reason: str = ""
    says: bool = False


ASK = Entered("ask")


@dataclass(frozen=True)
class Question:
    """How a node asks: whose prompts are said (each followed by the escape note), how many
    keys it takes, whether an answer may be spoken, and whether typed digits are read back
    for a yes (1) or no (2) first."""

    languages: tuple[str, ...]
    max_digits: int = 1
    spoken: bool = False
    confirms: bool = False


@dataclass(frozen=True)
class Listening:
    """The phrases a spoken question acts on in one language, each with where the node's
    own mapping writes it (as a path below the node), and the keys that may be said."""

    phrases: tuple[tuple[str, Path_], ...]
    keys: tuple[str, ...]
    named: tuple[tuple[str, str], ...] = ()  # (key, a phrase it stands for): the keys read out


@dataclass(frozen=True)
class Choice:
    """One thing a caller may pick: its key, what it picks, and whether it may be said."""

    key: str
    label: str
    spoken: bool


@dataclass(frozen=True)
class Drawn:
    """How a node's box looks: Mermaid's brackets around it (flow/diagram.py), and its fill
    and corners in the console's drawing (console/diagram.py)."""

    brackets: tuple[str, str]
    fill: str = "#f2f4f7"
    rounded: bool = False


@dataclass(frozen=True)
class Facts:
    """What a node tells the audit (flow/audit.py) of the GetHuman points."""

    statement: bool = False  # says its prompt and always goes on to its one next node
    chosen: bool = False  # where it leads is the caller's choice
    goodbye: bool = False  # it ends the call
    collects: str = ""  # the variable it asks for
    asks_again: bool = False  # it asks even when that variable is known
    hours: tuple[str, ...] = ()  # opening hours it decides by
    choices: tuple[Choice, ...] = ()  # options the caller picks among
    language_choices: tuple[Choice, ...] | None = None  # languages, if it chooses one


Answer = Callable[[Flow, dict[str, Any], Any, Input], object]  # node id, REPEAT or None


def keep(check: Checker, checked: dict[str, Any], path: Path_) -> dict[str, Any] | None:
    """The build of a type whose checked fields are its dataclass's arguments as they are."""
    return checked


def nowhere(node: Any) -> list[str]:
    """Where a type that always asks, or ends the turn, passes a caller on without asking."""
    return []


def keys_only(node: Any, lang: str) -> Listening | None:
    """The vocabulary of a type that listens for no spoken words."""
    return None


def never_skips(raw: Mapping[str, Any]) -> bool:
    """Whether a raw node may pass the caller on without asking: never, for most types."""
    return False


def plain_edges(node: Node) -> list[tuple[str, str]]:
    """Edges drawn without labels, one per target."""
    return [("", t) for t in node.targets()]


@dataclass(frozen=True)
class NodeType:
    """Everything the line knows of one node type; see flow/nodes/__init__.py."""

    name: str
    model: type[Node]  # the dataclass a checked node is built into
    fields: FieldTable  # its own fields (besides `type` and `set`)
    build: Callable[[Checker, dict[str, Any], Path_], dict[str, Any] | None]
    enter: Callable[[Flow, dict[str, Any], Any, dt.datetime], Entered]
    passes_to: Callable[[Any], list[str]]  # where a turn may go on without asking
    drawn: Drawn  # how its box looks
    edges: Callable[[Any], list[tuple[str, str]]]  # (label, target) arrows it draws
    facts: Callable[[Any], Facts]
    listens: Callable[[Any, str], Listening | None]
    question: Callable[[Any, str], Question] | None = None  # for types that ask
    answer: Answer | None = None  # the node to go to, REPEAT, or None: not understood
    ends: bool = False  # hands the caller to a person or hangs up
    skips: Callable[[Mapping[str, Any]], bool] = never_skips
    kinds: Mapping[str, Kind] = field(default_factory=dict)  # kinds its fields use

    @property
    def asks(self) -> bool:
        return self.model.asks
