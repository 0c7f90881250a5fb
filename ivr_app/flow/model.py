"""A validated call flow: plain immutable data the runtime interprets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar
from zoneinfo import ZoneInfo

from ivr_app.flow import builtins


@dataclass(frozen=True)
class Voice:
    voice: str
    locale: str


@dataclass(frozen=True)
class Utterance:
    """What one prompt says (or plays) in one language."""

    text: str = ""
    play: str = ""


Prompt = dict[str, Utterance]  # language -> utterance


@dataclass(frozen=True)
class Human:
    queue: str
    supervisor_queue: str = ""
    reason: str = "caller asked for a person"
    fallback_number: str = ""
    supervisor_key: str = "9"  # pressed while waiting: move to the supervisor queue


@dataclass(frozen=True)
class CallbackSettings:
    """When callbacks are offered and how hard we try to reach the customer."""

    offer_after: int = 120  # seconds of estimated wait before a callback is offered
    offer_after_by_queue: dict[str, int] = field(default_factory=dict)
    max_hold: int = 900  # seconds on hold after which a callback is offered whatever the estimate
    attempts: int = 3
    spacing: int = 600  # seconds between tries
    hours: str = ""  # tries only while these hours are open (empty: any time)
    region: str = "MX"  # how a number typed without its country code is read
    countries: tuple[str, ...] = ("MX", "US")  # where a callback number may be
    sms: dict[str, str] = field(default_factory=dict)  # sent when a callback is missed
    texts: bool = True  # text the customer when it is booked or moved (callbacks/texts.py)

    def threshold(self, queue: str) -> int:
        return self.offer_after_by_queue.get(queue, self.offer_after)


@dataclass(frozen=True)
class ReturningSettings:
    """Callers who call again soon are offered to go on with their earlier call."""

    ask: dict[str, str]  # language -> the question, with {when} and {topic}
    topics: dict[str, dict[str, str]]  # vars.topic (or "other") -> language -> words
    within_hours: int = 48
    open_issues: tuple[str, ...] = ()  # topics remembered even without a person

    def topic_words(self, topic: str, lang: str) -> str | None:
        """How the earlier call's topic is said; None if the flow does not name it."""
        names = self.topics.get(topic) or self.topics.get("other")
        return names.get(lang) if names else None


@dataclass(frozen=True)
class SurveySettings:
    """The questions a caller hears when their agent hangs up (survey/questions.py)."""

    resolved: dict[str, str]  # language -> "was it solved? 1 yes, 2 no"
    thanks: dict[str, str]  # language -> the goodbye
    rating: dict[str, str] = field(default_factory=dict)  # language -> "1 to 5"; none: not asked
    callback: bool = True  # a "no" offers a callback
    seconds: int = 30  # the survey's longest

    def questions(self) -> tuple[str, ...]:
        return ("resolved", "rating") if self.rating else ("resolved",)


@dataclass(frozen=True)
class Hours:
    """Weekly opening hours in a time zone, minus holidays."""

    timezone: ZoneInfo
    weekly: dict[int, tuple[tuple[dt.time, dt.time], ...]]  # weekday 0=Mon -> spans
    holidays: frozenset[dt.date] = frozenset()

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.timezone)
        if local.date() in self.holidays:
            return False
        moment = local.time()
        return any(start <= moment < end for start, end in self.weekly.get(local.weekday(), ()))

    def next_open(self, after: dt.datetime) -> dt.datetime:
        """`after` if open then, else the next opening (within two weeks; else `after`)."""
        if self.is_open(after):
            return after
        local = after.astimezone(self.timezone)
        for days in range(15):
            day = local.date() + dt.timedelta(days=days)
            if day in self.holidays:
                continue
            for start, _ in sorted(self.weekly.get(day.weekday(), ())):
                opening = dt.datetime.combine(day, start, self.timezone)
                if opening > local:
                    return opening
        return after


@dataclass(frozen=True)
class Node:
    """What every node has; each node type (flow/nodes/) adds its own fields."""

    id: str
    type: str
    prompt: Prompt = field(default_factory=dict)
    set: dict[str, str] = field(default_factory=dict)
    asks: ClassVar[bool] = False  # the caller is asked for input here (and gets the escape)

    def targets(self) -> list[str]:
        """Ids of the nodes this one can lead to (not counting the escape)."""
        return []

    def transfers_to(self) -> str | None:
        """The queue this node hands the caller to ("" for the flow's human queue, or
        "supervisor"); None if it does not."""
        return None


@dataclass(frozen=True)
class Bands:
    """What a spoken answer's confidence earns it: acted on at `accept` or above, read back
    for a yes from `confirm`, asked again below (call/bands.py)."""

    accept: float
    confirm: float


@dataclass(frozen=True)
class Flow:
    """A flow that passed every check; `version` identifies its exact text."""

    name: str
    version: str
    languages: dict[str, Voice]
    human: Human
    start: str
    nodes: dict[str, Node]
    messages: dict[str, dict[str, str]]  # language -> message key -> text
    escape_words: dict[str, tuple[str, ...]]  # language -> words
    hours: dict[str, Hours] = field(default_factory=dict)
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)
    returning: ReturningSettings | None = None
    survey: SurveySettings | None = None
    queue_names: dict[str, dict[str, str]] = field(default_factory=dict)  # queue, lang
    reason_names: dict[str, dict[str, str]] = field(default_factory=dict)  # reason, lang
    retries: int = 2
    timeout: int = 5
    speech_bands: dict[str, Bands] = field(default_factory=dict)  # language -> its bands

    def bands(self, lang: str) -> Bands:
        """The speech bands of `lang`: the flow's own, or the line's default for it."""
        given = self.speech_bands.get(lang)
        return given or Bands(*builtins.SPEECH_BANDS.get(lang, builtins.DEFAULT_BANDS))

    @property
    def default_language(self) -> str:
        return next(iter(self.languages))

    def queue_for(self, node: Node) -> str:
        """The queue a node that hands the caller to a person sends them to."""
        queue = node.transfers_to()
        if queue == "supervisor":
            return self.human.supervisor_queue or self.human.queue
        return queue or self.human.queue

    def queues(self) -> frozenset[str]:
        """Every queue the flow sends callers to: the human and supervisor queues, and
        each transfer's."""
        transfers = {self.queue_for(n) for n in self.nodes.values()
                     if n.transfers_to() is not None}
        return frozenset({self.human.queue, self.human.supervisor_queue, *transfers} - {""})

    def queue_said(self, queue: str, lang: str) -> str:
        """A queue's name as said to an agent in `lang`: its display name there, or itself."""
        return self.queue_names.get(queue, {}).get(lang, queue)

    def reasons(self) -> frozenset[str]:
        """Every reason the flow gives an agent: the human one and each transfer's."""
        transfers = {getattr(n, "reason", "") for n in self.nodes.values()
                     if n.transfers_to() is not None}
        return frozenset({self.human.reason, *transfers} - {""})

    def reason_said(self, reason: str, lang: str) -> str:
        """One of the flow's reasons as shown to an agent in `lang`, or as written."""
        return self.reason_names.get(reason, {}).get(lang, reason)
