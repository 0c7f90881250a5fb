"""Who takes the next call: the longest-idle available agent for the queue and language.

If nobody signed in for a queue speaks the caller's language, any agent of the
queue is offered the call rather than leave the caller stranded (and the
agent is told). An agent who does not accept within the ring time is set
away, and the next agent is tried; the caller keeps their place meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from ivr_app.call.turn import REASON_ERROR
from ivr_app.platform.telephony import missing_for_rest, public_url
from ivr_app.services import Services
from ivr_app.state.agents import Agent
from ivr_app.state.callbacks import Callback

log = logging.getLogger(__name__)
FINISHED_CALL = ("completed", "busy", "failed", "no-answer", "canceled")
# Calls the customer of a callback for the agent reserved for it; None if already placed.
PlaceCallback = Callable[[Services, Callback, Agent], "str | None"]


def pick_agent(agents: list[Agent], queue: str, lang: str, passed: tuple[str, ...] = (),
               prefer: str = "") -> tuple[Agent | None, bool]:
    """The agent to offer a caller, and whether they lack the caller's language.

    `prefer` (the agent a returning caller spoke to last time) wins when free."""
    signed_in = [a for a in agents if a.serves(queue) and a.status != "away"]
    speakers = [a for a in signed_in if a.speaks(lang)]
    pool = speakers or signed_in
    free = [a for a in pool if a.status == "available" and a.id not in passed]
    if not free:
        return None, False
    chosen = next((a for a in free if a.id == prefer), None) or \
        min(free, key=lambda a: (a.since, a.id))  # the longest idle
    return chosen, not speakers


def dispatch(ivr: Services, queue: str,
             place_callback: PlaceCallback) -> list[tuple[str, str]]:
    """Offer waiting callers of a queue to free agents, in line order; returns the offers.

    A callback at the head of the line is handed to `place_callback` with its agent
    (callbacks/placing.py place(), passed in by the worker: callbacks build on the line).
    """
    missing = missing_for_rest(ivr.config, "TWILIO_CALLER_ID")
    if missing:
        log.warning("cannot ring agents for queue %s: %s not set; callers keep holding, "
                    "with their place announced", queue, ", ".join(missing))
        return []
    offers = []
    agents = ivr.roster.all()
    for sid in ivr.queues.in_order(queue):
        if not any(a.serves(queue) and a.status == "available" for a in agents):
            break  # nobody left to offer anyone: the rest of the line is not read
        waiter = ivr.queues.waiter(sid)
        if waiter is None or waiter.offered or not _ready(ivr, sid):
            continue
        if waiter.reason == REASON_ERROR and not _still_on_the_line(ivr, sid):
            ivr.queues.end(sid)  # lined up late, after a hang-up that Redis never heard of
            continue
        now = ivr.clock()
        while True:  # ends: each agent another worker took first is not free at the next read
            agent, fallback = pick_agent(agents, queue, waiter.lang, waiter.passed, waiter.prefer)
            if agent is None or ivr.roster.reserve(agent.id, sid, now):
                break
            agents = ivr.roster.all()  # another worker took them first: this caller's next best
        if agent is None:
            continue
        if not ivr.queues.offer(sid, agent.id, fallback):
            ivr.roster.follow(agent.id, sid, "withdrawn", now)  # another worker was first
            continue
        agent.status = "offered"
        if _offer(ivr, agent, sid, now, place_callback):
            offers.append((sid, agent.id))
    return offers


def _still_on_the_line(ivr: Services, sid: str) -> bool:
    """Whether Twilio says the call is live (asked only of callers our fallback sent to a
    person, whose hang-up may have come while Redis was down); yes when it cannot say."""
    try:
        return ivr.twilio.calls(sid).fetch().status not in FINISHED_CALL
    except Exception:
        log.warning("call %s: Twilio could not say whether it is live; offering it", sid)
        return True


def _ready(ivr: Services, sid: str) -> bool:
    """A caller on the line is always ready; a callback only before or after its dialling."""
    if not sid.startswith("CB"):
        return True
    callback = ivr.callbacks.get(sid)
    return callback is not None and callback.state in ("waiting", "connected")


def _offer(ivr: Services, agent: Agent, sid: str, now: dt.datetime,
           place_callback: PlaceCallback) -> bool:
    """Ring the agent for a caller on the line; for a callback, call the customer first."""
    callback = ivr.callbacks.get(sid) if sid.startswith("CB") else None
    try:
        if callback is not None and callback.state == "waiting":
            if place_callback(ivr, callback, agent) is None:
                raise RuntimeError(f"callback {sid} was not placed (already tried)")
            return True
        ring(ivr, agent, sid)
        return True
    except Exception:
        log.exception("could not offer %s to agent %s; trying again later", sid, agent.id)
        if callback is None:  # the agent's phone could not be rung: try another agent
            ivr.queues.offer_failed(sid, agent.id)
            ivr.roster.follow(agent.id, sid, "not-taken", now)
        else:  # the customer could not be called: not the agent's doing
            ivr.queues.clear_offer(sid, agent.id)
            ivr.roster.follow(agent.id, sid, "withdrawn", now)
        return False


def ring(ivr: Services, agent: Agent, caller_sid: str) -> str:
    """Call an agent; when they answer, Twilio fetches the whisper. Returns the call sid."""
    query = urlencode({"caller": caller_sid, "agent": agent.id})
    call = ivr.twilio.calls.create(
        to=agent.address, from_=ivr.config["TWILIO_CALLER_ID"],
        url=public_url(ivr.config, f"/agent/whisper?{query}"), method="POST",
        timeout=ivr.config["AGENT_RING_SECONDS"],
        status_callback=public_url(ivr.config, f"/agent/status?{query}"),
        status_callback_method="POST", status_callback_event=["answered", "completed"])
    ivr.roster.set_leg(agent.id, call.sid)
    log.info("ringing agent %s (%s) for call %s", agent.id, call.sid, caller_sid)
    return call.sid
