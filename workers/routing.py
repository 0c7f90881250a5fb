"""Jobs that bring waiting callers and free agents together."""

from __future__ import annotations

import datetime as dt

from ivr_app.callbacks.placing import place
from ivr_app.line import routing
from ivr_app.services import Services
from workers import context


def dispatch_queue(queue: str) -> list[tuple[str, str]]:
    """Offer the callers waiting in `queue` to free agents; returns (caller, agent) offers."""
    return dispatch(context.current(), queue)


def dispatch(ivr: Services, queue: str) -> list[tuple[str, str]]:
    """Routing as the workers run it: a callback's turn places the call to its customer."""
    return routing.dispatch(ivr, queue, place_callback=place)


def end_wrap_up(agent_id: str) -> list[tuple[str, str]]:
    """An agent's wrap-up time is over: make them available and offer them a caller."""
    ivr = context.current()
    agent = ivr.roster.get(agent_id)
    if agent is None or not ivr.roster.follow(agent_id, "", "wrap-up-over", ivr.clock()):
        return []  # they went away, or took a call, meanwhile
    ivr.wait_stats.record_wrap_up_end(agent_id)
    return [offer for queue in agent.queues for offer in dispatch(ivr, queue)]


STUCK_OFFER = dt.timedelta(minutes=3)  # ringing, whisper and a callback's intro take far less


def release_stuck_offers() -> list[str]:
    """Agents left "offered" by a status callback that never came are made available again."""
    ivr = context.current()
    now = ivr.clock()
    released = []
    for agent in ivr.roster.all():
        if agent.status == "offered" and agent.since and \
                now - dt.datetime.fromisoformat(agent.since) > STUCK_OFFER:
            ivr.queues.clear_offer(agent.call, agent.id)
            if not ivr.roster.follow(agent.id, agent.call, "withdrawn", now):
                continue  # the call moved them meanwhile
            released.append(agent.id)
            for queue in agent.queues:
                dispatch(ivr, queue)
    return released
