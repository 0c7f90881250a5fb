"""Who is offered the next caller: agents of the queue who speak their language, the one
idle longest first; anyone of the queue when nobody speaks it; never an agent away."""

from __future__ import annotations

from ivr_app.call.fallback import line_up
from ivr_app.line.routing import pick_agent
from ivr_app.state.agents import Agent
from tests.line import Line
from tests.test_webhook import FORM


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


def lined_up_late(line: Line, *, hung_up: bool):
    """A caller our fallback sent to a person while Redis was down, lined up once it is back
    (they may have hung up meanwhile, which Redis never heard of)."""
    call = line.caller()
    if hung_up:
        line.standin.hang_up(call.sid)
    line_up(line.ivr, call.sid, FORM | {"CallSid": call.sid}, line.ivr.registry.current("main"),
            line.clock())
    return call


def test_a_caller_lined_up_late_who_hung_up_meanwhile_rings_no_agent(line):
    line.agent("ana", ["es"], ["support"])
    gone, live = lined_up_late(line, hung_up=True), lined_up_late(line, hung_up=False)
    line.run_jobs()
    assert line.ivr.queues.position("support", gone.sid) is None
    assert [c["to"] for c in line.standin.created_calls] == [line.phone("ana")]
    assert line.ivr.queues.waiter(live.sid).offered == "ana"


def test_a_caller_lined_up_late_is_offered_when_twilio_cannot_say_if_they_are_there(line):
    line.agent("ana", ["es"], ["support"])
    call = lined_up_late(line, hung_up=False)
    line.standin.fail_next(path=f"/Calls/{call.sid}.json")
    line.run_jobs()
    assert line.ivr.queues.waiter(call.sid).offered == "ana"
