"""What a turn of the call is made of: the caller's input, and what they hear next.

The engine takes an Event and returns a Turn; twiml.py renders the Turn. The
reasons name why a caller ended up with a person, as agents see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REASON_ASKED = "asked for a person"
REASON_SUPERVISOR = "asked for a supervisor"
REASON_NO_INPUT = "no input"
REASON_NOT_UNDERSTOOD = "not understood"
REASON_UNHEARD = "speech not recognised in time"
REASON_ERROR = "our error"  # our code or Redis failed; the caller went to a person
REASON_ESCALATED = "escalated by {agent}"  # an agent moved the call (the note goes apart)
REASON_AGAIN = "calling again: {reason}"  # a caller who goes on with an earlier call


# the kinds of Event, as a call's path records them
INPUT_KINDS = ("digits", "speech", "silence", "unclear", "unheard")


@dataclass(frozen=True)
class Event:
    """What the caller did at an input node."""

    # "digits", "speech", "silence", "unclear" (speech heard but not sure enough to act on,
    # or keys that are not keys) or "unheard" (a recording not recognised in time)
    kind: str
    value: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class Speech:
    """One thing the caller hears: text in a language, or a recording."""

    lang: str
    text: str = ""
    play: str = ""


@dataclass
class Turn:
    """What the caller hears now and how this turn ends."""

    speech: list[Speech] = field(default_factory=list)
    ask: Ask | None = None
    human: Human | None = None
    hangup: bool = False


@dataclass(frozen=True)
class Ask:
    node: str
    max_digits: int  # 1 for menus
    timeout: int
    voice: str = ""  # the language an answer may be spoken in; "" for keys only


@dataclass(frozen=True)
class Human:
    queue: str
    reason: str
