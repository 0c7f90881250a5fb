"""A line costs the same to serve whether ten or two thousand callers wait in it: the caller
at the back hears an estimate, the agent's screen polls and routing offers the next caller
without any of them reading the whole line."""

from __future__ import annotations

import datetime as dt

import pytest
from redis.connection import AbstractConnection

from ivr_app.line.routing import dispatch
from ivr_app.line.wait import PLAYED, Handling, Staff, drain, estimate_wait
from tests.console.conftest import Browser, add_people
from tests.line import created_calls


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[list[bytes]]:
    """Every command this process sends Redis from now on, split into its words."""
    commands: list[list[bytes]] = []
    send = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        packed = command if isinstance(command, bytes) else b"".join(command)
        commands.append(packed.split(b"\r\n")[2::2])
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return commands


def a_line_of(line, count: int, queue: str = "support") -> None:
    """`count` callers already waiting, in arrival order, each with a number of their own."""
    start = line.clock()
    for n in range(count):
        line.ivr.queues.join(f"CA{count:05d}{n:027d}", queue, "es", "asked for a person",
                             start - dt.timedelta(seconds=count - n))


def whole_line_reads(commands: list[list[bytes]]) -> list[list[bytes]]:
    """Commands that read a line of callers from its head to its end."""
    return [c for c in commands if c and c[0].upper() in (b"ZRANGE", b"ZRANGEBYSCORE")
            and b":waiting" in c[1] and b"LIMIT" not in [w.upper() for w in c]
            and c[-1] in (b"-1", b"+inf")]


def waiters_read(commands: list[list[bytes]]) -> list[list[bytes]]:
    return [c for c in commands if c[0].upper() == b"HGETALL" and c[1].startswith(b"ivr:waiter:")]


@pytest.mark.parametrize("waiting", [10, 2000])
def test_the_caller_at_the_back_hears_an_estimate_without_the_line_being_read(line, sent,
                                                                               waiting):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=60)
    a_line_of(line, waiting)
    caller = line.caller().dial().press("1").press("0")
    assert caller.waiting
    line.clock.advance(61)  # the place and the wait are said again every minute
    sent.clear()
    heard = caller.post("/voice/wait?queue=support", {"QueuePosition": str(waiting + 1)})
    assert f"{waiting + 1}" in heard  # the place, read from Redis
    assert whole_line_reads(sent) == []
    assert len(sent) <= 12


def test_the_agent_screen_shows_the_head_of_a_long_line_and_counts_the_rest(line, sent):
    add_people(line.app)
    line.agent("ana", ["es"], ["support"], status="away")
    a_line_of(line, 2000)
    ana = Browser(line.app)
    ana.sign_in("ana")
    sent.clear()
    view = ana.get("/console/agent/live").get_json()
    queue = view["queues"][0]
    assert (queue["count"], len(queue["waiting"])) == (2000, 25)
    assert [w["position"] for w in queue["waiting"]] == list(range(1, 26))
    assert whole_line_reads(sent) == []
    assert line.get("/api/queues?limit=3").get_json()["support"]["count"] == 2000


def test_routing_offers_the_head_of_a_long_line_and_reads_no_further(line, sent):
    line.agent("ana", ["es"], ["support"], status="away")
    a_line_of(line, 2000)
    sent.clear()
    assert dispatch(line.ivr, "support", lambda *_: None) == []  # nobody free: nobody read
    assert not waiters_read(sent)
    line.ivr.roster.set_status("ana", "available", line.clock())
    offers = dispatch(line.ivr, "support", lambda *_: None)
    assert offers == [(f"CA02000{0:027d}", "ana")]
    assert len(created_calls(line)) == 1  # ana's phone rang, for the first caller
    assert whole_line_reads(sent) == []
    assert len(waiters_read(sent)) < 5


def test_a_caller_far_back_waits_for_the_line_ahead_to_drain_then_as_the_head_would():
    handling = Handling([300.0] * 6, [0.0] * 6, 300.0, 0.0)
    agents = [Staff("busy", 10.0)] * 5  # five agents, a caller every 60 s between them
    assert drain(PLAYED, 5, handling, 0.0) == 0
    assert drain(PLAYED + 1, 5, handling, 0.0) == pytest.approx(60)
    assert drain(PLAYED + 100, 5, handling, 0.0) == pytest.approx(100 * 60)
    with_hang_ups = drain(PLAYED + 100, 5, handling, 1 / 600)
    assert 0 < with_hang_ups < 100 * 60  # callers ahead who give up shorten it
    assert with_hang_ups == pytest.approx(_drained_in_small_steps(PLAYED + 100, 1 / 60, 1 / 600),
                                          rel=1e-3)
    assert drain(PLAYED + 100, 2, handling, 1 / 600) == pytest.approx(
        _drained_in_small_steps(PLAYED + 100, 2 / 300, 1 / 600), rel=1e-3)
    far = estimate_wait(PLAYED + 1000, agents, handling)
    assert 1000 * 60 <= far <= 1000 * 60 + estimate_wait(PLAYED, agents, handling) * 2


def _drained_in_small_steps(position: int, answered: float, hang_up_rate: float) -> float:
    """Seconds until fewer than PLAYED - 1 callers are ahead of `position`, played a
    hundredth of a second at a time: agents answer `answered` callers a second, and each
    caller ahead hangs up at `hang_up_rate`."""
    ahead, seconds, step = float(position - 1), 0.0, 0.01
    while ahead > PLAYED - 1:
        ahead -= (answered + hang_up_rate * ahead) * step
        seconds += step
    return seconds
