"""A step of a call, taken once: what the caller did at step `seq`, applied, with its answer.

Twilio's webhooks (call.voice) and the media stream server (call.stream) both take steps
here. The commit is a compare-and-set on the step number, so a key and a spoken answer
arriving together take one path, and an answer for a question already left changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ivr_app.call import engine, twiml
from ivr_app.call.queueing import enter_queue
from ivr_app.call.turn import Event, Turn
from ivr_app.flow.model import Flow
from ivr_app.services import Services
from ivr_app.state.calls import Committed

log = logging.getLogger(__name__)


def take(ivr: Services, sid: str, seq: int, event_of: Callable[[Flow, dict[str, Any]], Event],
         streaming: bool = False) -> Committed:
    """Apply what the caller did at step `seq` and store the next TwiML, unless another
    request took that step first; the winner puts the caller in line if the turn says so.

    `event_of` reads the caller's answer, given the call's flow and state (a recording is
    recognised against the question being asked); a step already taken never gets there.
    While a media stream of the call is live (its mark in Redis says so, or the stream
    server itself passes `streaming`), the stream hears spoken answers, so the next
    question records nothing after its prompt.
    """
    decided: list[tuple[dict[str, Any], Turn]] = []

    def decide(state: dict[str, Any], stream_live: bool) -> tuple[dict[str, Any], str]:
        flow = ivr.registry.of_call(state)
        turn = engine.handle(flow, state, event_of(flow, state), ivr.clock())
        decided.append((state, turn))
        speech = recorded_languages(ivr, streaming or stream_live)
        return state, twiml.render(flow, turn, seq=seq + 1, speech=speech)

    committed = ivr.store.take(sid, seq, decide)
    if committed.won:  # what was committed: the last decision (an earlier one was stale)
        to_queue(ivr, sid, *decided[-1])
    return committed


def recorded_languages(ivr: Services, streaming: bool) -> frozenset[str]:
    """The languages whose spoken answers are recorded after the prompt (none while a live
    stream hears the caller)."""
    return frozenset() if streaming else ivr.recognizer.languages()


def to_queue(ivr: Services, sid: str, state: dict, turn: Turn) -> None:
    """A turn that ends with a person puts the caller in line for one.

    The TwiML answer already stands (the caller goes to Twilio's queue either
    way), so a failure here is logged rather than turned into a fallback.
    """
    if turn.human is None:
        return
    try:
        enter_queue(ivr, sid, state, turn.human.queue, turn.human.reason,
                    prefer=state.get("earlier", {}).get("agent", ""))
    except Exception:
        log.exception("call %s: could not record its place in queue %s", sid, turn.human.queue)
