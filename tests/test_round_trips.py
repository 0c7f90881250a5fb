"""A step waits on Redis once: the process that took a call's last step knows its state, and
one script checks that state is still current and commits the next one."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from redis.connection import AbstractConnection

from ivr_app.demo.simulator import Call
from ivr_app.state import recent
from ivr_app.state.calls import CALL_KEY
from ivr_app.state.recent import SLOT, RecentSteps, SharedSteps
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
    assert not any(b"$4\r\nWAIT\r\n" in sent for sent in round_trips), "no replica asked for"


def test_a_step_another_process_took_the_last_one_of_reads_first(call, store, round_trips):
    call.dial()
    store.recent = RecentSteps()  # as in another worker: this call's state is not known here
    round_trips.clear()
    call.press("1")
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert len(round_trips) == 2  # the state, then the commit


def test_a_step_another_worker_of_the_host_took_the_last_one_of_is_one_round_trip(
        make_app, monkeypatch, round_trips):
    monkeypatch.setattr(recent, "_shared", SharedSteps())  # as gunicorn.conf.py, before forking
    first, second = make_app(), make_app()  # two workers of one host
    call = Call(first, TOKEN, caller=distinct_number()).dial()
    call.client = second.test_client()  # Twilio sends the next step to the other
    round_trips.clear()
    call.press("1")
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert len(round_trips) == 1


def test_what_one_worker_took_another_forked_beside_it_knows():
    shared = SharedSteps(size=8)
    sid = "CA" + "7" * 32
    child = os.fork()
    if child == 0:  # another worker, forked from the same master
        shared.put(sid, 3, '{"node": "billing"}', True, "1765000000.000003")
        os._exit(0)
    os.waitpid(child, 0)
    assert shared.get(sid, 3) == ('{"node": "billing"}', True, "1765000000.000003")
    assert shared.get(sid, 4) is None  # another step: not known


def test_a_shared_entry_half_written_or_taken_by_another_call_is_not_known():
    shared = SharedSteps(size=1)  # one slot: every call takes turns in it
    first, second = "CA" + "1" * 32, "CA" + "2" * 32
    shared.put(first, 1, '{"lang": "es"}', False, "1765000000.000004")
    shared.put(second, 1, '{"lang": "en"}', False, "1765000000.000005")
    assert shared.get(first, 1) is None
    assert shared.get(second, 1) == ('{"lang": "en"}', False, "1765000000.000005")
    shared._memory[shared._memory.find(b'"en"') + 2] ^= 0x20  # "eN": as another worker writes
    assert shared.get(second, 1) is None
    shared.put(first, 2, '"' + "x" * SLOT + '"', False, "1765000000.000006")
    assert shared.get(first, 2) is None  # too large to keep: read from Redis instead


def test_two_calls_hashed_to_the_same_slot_are_both_known():
    shared = SharedSteps(size=8)
    sids = [f"CA{n:032x}" for n in range(100)]
    first = sids[0]
    second = next(s for s in sids[1:] if list(shared._slots(s))[0] == list(shared._slots(first))[0]
                  and shared._slots(s) != shared._slots(first))
    shared.put(first, 1, "{}", False, "1765000000.000008")
    shared.put(second, 5, "{}", True, "1765000000.000009")
    assert shared.get(first, 1) == ("{}", False, "1765000000.000008")
    assert shared.get(second, 5) == ("{}", True, "1765000000.000009")


def test_a_host_holding_calls_in_half_its_shared_slots_still_knows_nearly_all_of_them():
    """As at the line's measured capacity (docs/capacity.md): each call's next step, whichever
    worker takes it, is one round trip for all but a few calls in a hundred."""
    shared = SharedSteps(size=1024)
    sids = ["CA" + hashlib.md5(f"host-{n}".encode()).hexdigest() for n in range(512)]
    for n, sid in enumerate(sids):
        shared.put(sid, 2, '{"node": "menu"}', False, f"1765000100.{n:06d}")
    known = sum(shared.get(sid, 2) is not None for sid in sids)
    assert known >= 0.97 * len(sids)


def test_a_step_lost_in_a_failover_and_taken_again_is_decided_from_what_redis_holds(
        call, store, redis):
    call.dial().press("1")  # Spanish: this process keeps the call at step 1
    _, state = store.load(call.sid)
    state["lang"] = "en"  # the step lost, and taken again in English on the new master
    redis.hset(CALL_KEY.format(sid=call.sid),
               mapping={"data": json.dumps(state), "asked": "1765000000.000007"})
    call.press("2")  # billing: asked in the language Redis holds, not the one kept here
    assert call.heard[-2] == "[en-US] Enter your eight-digit account number."


def test_state_kept_here_is_never_decided_from_once_another_process_moved_on(call, store):
    call.dial().press("1")  # Spanish: this process keeps the call at step 1, the main menu
    kept = store.recent.get(call.sid, 1)
    standing = call.post("/voice/step?seq=1", {"Digits": "2"})  # billing
    store.recent.put(call.sid, 1, *kept)  # as if another process had taken that step
    assert call.post("/voice/step?seq=1", {"Digits": "3"}) == standing  # an answer too late
    assert store.load(call.sid)[1]["node"] == "billing_account"


@pytest.mark.parametrize(("keys", "seq", "now_at"), [("10", 2, 2), ("1", 7, 1)])
def test_a_step_not_ours_is_refused_at_the_first_read_in_any_process(
        call, store, round_trips, caplog, keys, seq, now_at):
    """Late for a caller already put through (Spanish, then a person), or from the future."""
    call.dial()
    for key in keys:
        call.press(key)
    before = store.load(call.sid)
    store.recent = RecentSteps()  # another process: it reads the call first
    round_trips.clear()
    answer = call.post(f"/voice/step?seq={seq}", {"Digits": "1"})
    assert ">support</Enqueue>" in answer and store.load(call.sid) == before  # a person
    assert f"no step {seq} for this call (now at {now_at})" in caplog.text
    assert sum(store._take.sha.encode() in sent for sent in round_trips) == 1  # one read


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
        recent.put(sid, 1, "{}", False, "1765000000.000001")
    assert recent.get("CA1", 1) is None
    assert recent.get("CA3", 1) == ("{}", False, "1765000000.000001")
    assert recent.get("CA3", 2) is None


def test_a_call_never_opens_a_console_session(call, redis):
    """Sessions are the console's: a call's webhooks neither read cookies nor need the
    key that signs them (made in Redis by the first request that opens a session)."""
    call.dial().press("1")
    assert "[es-MX] Para reportar una falla" in " ".join(call.heard)
    assert not redis.exists(SECRET_KEY)
