"""Who is offered the next caller: agents of the queue who speak their language, the one
idle longest first; anyone of the queue when nobody speaks it; never an agent away."""

from __future__ import annotations

from ivr_app.line.routing import pick_agent
from ivr_app.state.agents import Agent


def agent(agent_id: str, since: str, langs: tuple[str, ...] = ("es",),
          queues: tuple[str, ...] = ("support",), status: str = "available") -> Agent:
    return Agent(id=agent_id, name=agent_id.title(), languages=list(langs),
                 queues=list(queues), status=status, since=since)


def test_the_agent_idle_longest_who_speaks_the_callers_language_is_chosen():
    agents = [agent("ana", "2026-11-25T10:05:00"), agent("bea", "2026-11-25T10:01:00"),
              agent("joe", "2026-11-25T09:00:00", langs=("en",)),
              agent("lia", "2026-11-25T08:00:00", queues=("billing",)),
              agent("max", "2026-11-25T07:00:00", status="busy")]
    assert pick_agent(agents, "support", "es") == (agents[1], False)
    assert pick_agent(agents, "support", "en") == (agents[2], False)
