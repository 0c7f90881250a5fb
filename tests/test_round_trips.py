"""A step waits on Redis once: the process that took a call's last step knows its state, and
one script checks that state is still current and commits the next one."""

from __future__ import annotations

import pytest
from redis.connection import AbstractConnection

from ivr_app.demo.simulator import Call
from ivr_app.state.recent import RecentSteps
from ivr_app.state.users import SECRET_KEY
from tests.conftest import TOKEN, distinct_number


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch, store) -> list[bytes]:
    """Every request this process sends Redis (a pipeline is one), from now on; the step's
    script already loaded, as it is after a server's first step (a server that has never
    run it answers NOSCRIPT once, and redis-py sends the script itself)."""
    store.redis.script_load(store._take.script)
    sent: list[bytes] = []
    send = AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command if isinstance(command, bytes) else b"".join(command))
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


def test_a_step_after_this_process_took_the_last_one_is_one_round_trip(call, round_trips):
    call.dial()
    round_trips.clear()
    call.press("1")  # Spanish
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert len(round_trips) == 1
    call.press("2")  # the next menu too: the state this step left is the one kept
    assert len(round_trips) == 2


def test_a_step_another_process_took_the_last_one_of_reads_first(call, store, round_trips):
    call.dial()
    store.recent = RecentSteps()  # as in another worker: this call's state is not known here
    round_trips.clear()
    call.press("1")
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert len(round_trips) == 2  # the state, then the commit


def test_state_kept_here_is_never_decided_from_once_another_process_moved_on(call, store):
    call.dial().press("1")  # Spanish: this process keeps the call at step 1, the main menu
    kept = store.recent.get(call.sid, 1)
    standing = call.post("/voice/step?seq=1", {"Digits": "2"})  # billing
    store.recent.put(call.sid, 1, *kept)  # as if another process had taken that step
    assert call.post("/voice/step?seq=1", {"Digits": "3"}) == standing  # an answer too late
    assert store.load(call.sid)[1]["node"] == "billing_account"


def test_a_retried_step_gets_the_answer_that_stands_in_one_round_trip(call, round_trips):
    call.dial()
    first = call.post("/voice/step?seq=0", {"Digits": "1"})
    round_trips.clear()
    assert call.post("/voice/step?seq=0", {"Digits": "1"}) == first
    assert len(round_trips) == 1


def test_a_call_comes_in_in_two_round_trips_what_its_number_left_then_its_first_answer(
        app, call, round_trips):
    call.dial()  # the first call this process answers also reads the key numbers are hashed by
    round_trips.clear()
    Call(app, TOKEN, caller=distinct_number()).dial()
    assert len(round_trips) == 2


def test_remembers_a_bounded_number_of_calls():
    recent = RecentSteps(size=2)
    for sid in ("CA1", "CA2", "CA3"):
        recent.put(sid, 1, "{}", False)
    assert recent.get("CA1", 1) is None
    assert recent.get("CA3", 1) == ("{}", False)
    assert recent.get("CA3", 2) is None


def test_a_call_never_opens_a_console_session(call, redis):
    """Sessions are the console's: a call's webhooks neither read cookies nor need the
    key that signs them (made in Redis by the first request that opens a session)."""
    call.dial().press("1")
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert not redis.exists(SECRET_KEY)
