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
from ivr_app.flow.wording import Wording, joined, words

WRONG_KEYS = "123456789*#"  # tried in order at each question; 0 is the escape
AT = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)  # a Monday at noon: the clock is not a point
SHOWN = 3  # failures named in the evidence; the rest are counted


@dataclasses.dataclass(frozen=True)
class Run:
    """What the engine did at one point: what was tried, how often, and what failed."""

    what: Wording
    tried: int
    failures: tuple[Wording, ...]

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
                                          for said in flow.escape_words.values()
                                          for w in said)]
        for event in inputs:
            tried += 1
            turns, raised = _drive(flow, node_id, lang, [event])
            if raised or not _reached_person(flow, turns[-1]):
                failures.append(words("{input} at {node} ({lang}) -> {what}",
                                      "{input} en {node} ({lang}) -> {what}",
                                      input=_said(event), node=node_id, lang=lang,
                                      what=raised or _what(turns[-1])))
    count = sum(len(w) for w in flow.escape_words.values())
    return Run(words("key 0 and the {n} escape words at {where}",
                     "la tecla 0 y las {n} palabras de salida en {where}", n=count,
                     where=_where(flow)), tried, tuple(failures))


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
                failures.append(words("{input} {n} times at {node} ({lang}) -> {what}",
                                      "{input} {n} veces en {node} ({lang}) -> {what}",
                                      input=_said(event), n=flow.retries + 1, node=node_id,
                                      lang=lang, what=raised or _what(stray or turns[-1])))
    return Run(words("silence and a wrong key, {n} times each, at {where}",
                     "silencio y una tecla equivocada, {n} veces cada uno, en {where}",
                     n=flow.retries + 1, where=_where(flow)), tried, tuple(failures))


def _with_run(point: Point, run: Run) -> Point:
    if not run.tried:
        said = words("on the engine, nothing to try: the flow asks no question",
                     "en el motor, nada que probar: el flujo no hace preguntas")
    elif run.passed:
        said = words("on the engine, {what}: all {n} reached a person, none hung up",
                     "en el motor, {what}: los {n} llegaron a una persona, ninguno colgó",
                     what=run.what, n=run.tried)
    else:
        more = len(run.failures) - SHOWN
        said = words("on the engine, {what}: {failed} of {n} failed: {shown}{more}",
                     "en el motor, {what}: fallaron {failed} de {n}: {shown}{more}",
                     what=run.what, failed=len(run.failures), n=run.tried,
                     shown=joined(list(run.failures[:SHOWN])),
                     more=words("; and {more} more", "; y {more} más", more=more)
                     if more > 0 else "")
    return dataclasses.replace(point, passed=point.passed and run.passed,
                               said=joined([point.said, said]))


def _questions(flow: Flow) -> list[tuple[str, str]]:
    return [(n.id, lang) for n in flow.nodes.values() if n.asks for lang in flow.languages]


def _where(flow: Flow) -> Wording:
    count = sum(1 for n in flow.nodes.values() if n.asks)
    return words("each of {n} questions in {langs}", "cada una de las {n} preguntas en "
                 "{langs}", n=count, langs=", ".join(flow.languages))


def _state_at(flow: Flow, node_id: str, lang: str) -> dict[str, Any]:
    state = engine.new_state(flow, {"CallSid": "audit"}, AT)
    state.update(node=node_id, lang=lang)
    return state


def _drive(flow: Flow, node_id: str, lang: str,
           events: list[Event]) -> tuple[list[Turn], Wording | str]:
    """The turns the engine answers to `events` at a question, up to one that ends the
    questions; and the exception that stopped them, if any (the audit reports it)."""
    state, turns = _state_at(flow, node_id, lang), []
    for event in events:
        try:
            turns.append(engine.handle(flow, state, event, AT))
        except Exception as exc:  # a failing runtime is a finding, not a crash of the audit
            return [*turns, Turn()], words("raised {kind}: {exc}", "lanzó {kind}: {exc}",
                                           kind=type(exc).__name__, exc=exc)
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


def _said(event: Event) -> Wording | str:
    if event.kind == "digits":
        return words("key {key}", "tecla {key}", key=event.value)
    if event.kind == "speech":
        return repr(event.value)
    return {"silence": words("silence", "silencio"),
            "unclear": words("unclear", "no se entendió")}.get(event.kind, event.kind)


def _what(turn: Turn) -> Wording:
    if turn.hangup:
        return words("hung up", "colgó")
    if turn.human is not None:
        return words("a person in {queue}", "una persona en {queue}", queue=turn.human.queue)
    if turn.ask is not None:
        return words("asked again at {node}", "se preguntó de nuevo en {node}",
                     node=turn.ask.node)
    return words("an error, no answer", "un error, sin respuesta")
