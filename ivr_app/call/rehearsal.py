"""The audit on the runtime: the GetHuman points that the engine keeps, proved by driving it.

The graph audit (flow/audit.py) reads what the flow promises; this drives the engine
itself (engine.handle, pure over state and flow) at every question, in every language,
with each input a caller may give: key 0, each escape word of each language, silence and
a wrong key, as often as it takes. What happened goes into the point's evidence, and a
point holds only if the runtime kept it too, so a broken escape on 0 fails the audit
even though the flow is fine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ivr_app.call import answers, engine
from ivr_app.call.turn import Event, Turn
from ivr_app.flow.audit import Point, audit
from ivr_app.flow.model import Flow

WRONG_KEYS = "123456789*#"  # tried in order at each question; 0 is the escape
AT = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)  # a Monday at noon: the clock is not a point
SHOWN = 3  # failures named in the evidence; the rest are counted


@dataclasses.dataclass(frozen=True)
class Run:
    """What the engine did at one point: what was tried, how often, and what failed."""

    what: str
    tried: int
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def scorecard(flow: Flow) -> list[Point]:
    """The nine points, each proved on the graph and, where the engine keeps it, on the
    runtime as well."""
    runs = {1: escape_run(flow), 8: never_hung_up_run(flow)}
    return [_with_run(p, runs[p.point]) if p.point in runs else p for p in audit(flow)]


def escape_run(flow: Flow) -> Run:
    """Key 0 and every escape word, at every question in every language, reach a person."""
    tried, failures = 0, []
    for node_id, lang in _questions(flow):
        inputs = [Event("digits", "0"), *(Event("speech", w)
                                          for words in flow.escape_words.values()
                                          for w in words)]
        for event in inputs:
            tried += 1
            turns, raised = _drive(flow, node_id, lang, [event])
            if raised or not _reached_person(flow, turns[-1]):
                failures.append(f"{_said(event)} at {node_id} ({lang}) -> "
                                f"{raised or _what(turns[-1])}")
    words = sum(len(w) for w in flow.escape_words.values())
    return Run(f"key 0 and the {words} escape words at {_where(flow)}", tried, tuple(failures))


def never_hung_up_run(flow: Flow) -> Run:
    """Silence and a wrong key, repeated past the retries at every question in every
    language, ask again each time and then reach a person; never a hang-up."""
    tried, failures = 0, []
    for node_id, lang in _questions(flow):
        for event in (Event("silence"), _wrong_key(flow, node_id, lang)):
            tried += 1
            turns, raised = _drive(flow, node_id, lang, [event] * (flow.retries + 1))
            stray = next((t for t in turns[:-1] if t.hangup or t.ask is None), None)
            if raised or stray is not None or not _reached_person(flow, turns[-1]):
                failures.append(f"{_said(event)} {flow.retries + 1} times at {node_id} "
                                f"({lang}) -> {raised or _what(stray or turns[-1])}")
    return Run(f"silence and a wrong key, {flow.retries + 1} times each, at {_where(flow)}",
               tried, tuple(failures))


def _with_run(point: Point, run: Run) -> Point:
    if not run.tried:
        said = "on the engine, nothing to try: the flow asks no question"
    elif run.passed:
        said = f"on the engine, {run.what}: all {run.tried} reached a person, none hung up"
    else:
        more = len(run.failures) - SHOWN
        said = (f"on the engine, {run.what}: {len(run.failures)} of {run.tried} failed: "
                + "; ".join(run.failures[:SHOWN]) + (f"; and {more} more" if more > 0 else ""))
    return dataclasses.replace(point, passed=point.passed and run.passed,
                               evidence=f"{point.evidence}; {said}")


def _questions(flow: Flow) -> list[tuple[str, str]]:
    return [(n.id, lang) for n in flow.nodes.values() if n.asks for lang in flow.languages]


def _where(flow: Flow) -> str:
    count = sum(1 for n in flow.nodes.values() if n.asks)
    return f"each of {count} questions in {', '.join(flow.languages)}"


def _state_at(flow: Flow, node_id: str, lang: str) -> dict[str, Any]:
    state = engine.new_state(flow, {"CallSid": "audit"}, AT)
    state.update(node=node_id, lang=lang)
    return state


def _drive(flow: Flow, node_id: str, lang: str,
           events: list[Event]) -> tuple[list[Turn], str]:
    """The turns the engine answers to `events` at a question, up to one that ends the
    questions; and the exception that stopped them, if any (the audit reports it)."""
    state, turns = _state_at(flow, node_id, lang), []
    for event in events:
        try:
            turns.append(engine.handle(flow, state, event, AT))
        except Exception as exc:  # a failing runtime is a finding, not a crash of the audit
            return [*turns, Turn()], f"raised {type(exc).__name__}: {exc}"
        if turns[-1].human or turns[-1].hangup:
            break
    return turns, ""


def _wrong_key(flow: Flow, node_id: str, lang: str) -> Event:
    """A key this question does not take; keys that are not keys when it takes them all."""
    state = _state_at(flow, node_id, lang)
    keys = (Event("digits", k) for k in WRONG_KEYS)
    return next((e for e in keys if not answers.understood(flow, state, e)), Event("unclear"))


def _reached_person(flow: Flow, turn: Turn) -> bool:
    return turn.human is not None and not turn.hangup and turn.human.queue == flow.human.queue


def _said(event: Event) -> str:
    return {"digits": f"key {event.value}", "speech": repr(event.value)}.get(event.kind,
                                                                            event.kind)


def _what(turn: Turn) -> str:
    if turn.hangup:
        return "hung up"
    if turn.human is not None:
        return f"a person in {turn.human.queue}"
    if turn.ask is not None:
        return f"asked again at {turn.ask.node}"
    return "an error, no answer"
