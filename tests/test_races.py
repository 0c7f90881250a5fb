"""Races and moves: one request wins a step, a caller is in one line at a time, and a
customer has one callback per number."""

from __future__ import annotations


def test_the_request_that_loses_a_race_for_a_step_puts_nobody_in_line(call, store, monkeypatch):
    call.dial()
    load = store.load

    def overtaken(sid):  # the first request reads the call, then another one wins the step
        found = load(sid)
        monkeypatch.setattr(store, "load", load)
        call.post("/voice/step?seq=0", {"Digits": "1"})  # Spanish: on to the main menu
        return found

    monkeypatch.setattr(store, "load", overtaken)
    answer = call.post("/voice/step?seq=0", {"Digits": "0"})  # a person, but too late
    assert "Para reportar una falla" in answer and "<Enqueue" not in answer
    ivr = call.app.extensions["ivr"]
    assert ivr.queues.waiter(call.sid) is None
    assert ivr.queues.waiting("support") == []
    assert store.load(call.sid)[1]["node"] == "main_menu"
