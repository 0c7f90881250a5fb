"""Time to a person is the headline: how long callers who asked for one, or were sent to
one, waited from the start of their call until an agent answered."""

from __future__ import annotations

from tests.line import created_calls


def answered_after(line, call, seconds: float) -> None:
    line.clock.advance(seconds)
    line.run_jobs()
    line.agent_presses(line.standin.answer(created_calls(line)[-1][0]), "1")
    call.hang_up()
    line.standin.hang_up(created_calls(line)[-1][0])
    line.ivr.roster.set_status("ana", "available", line.clock())


def test_the_api_leads_with_time_to_a_person_for_callers_who_asked_or_were_sent(line):
    line.agent("ana", ["es"], ["support", "cancellations"])
    asked = line.caller("+15005550021").dial().press("1").press("0")  # at the main menu
    answered_after(line, asked, 20)
    silent = line.caller("+15005550022").dial().press("1")
    silent.stays_silent().stays_silent().stays_silent()  # no input: sent to a person
    assert silent.ending.reason == "no input"
    answered_after(line, silent, 50)
    gave_up = line.caller("+15005550023").dial().press("1").press("0")
    line.clock.advance(40)
    gave_up.hang_up()
    chose = line.caller("+15005550024").dial().press("1").press("3").press("1")
    assert chose.ending.reason == "cancel internet"  # a flow transfer: not counted
    answered_after(line, chose, 5)
    done = line.caller("+15005550025").dial().press("1").press("1").press("12345674")
    done.press("1").press("1").press("2")
    done.hang_up()
    line.run_jobs()

    body = line.get("/api/metrics").get_json()
    headline = body["time_to_person"]
    assert (headline["count"], headline["p50"], headline["p90"]) == (2, 20.0, 50.0)
    assert headline["hung_up_first"] == 1
    assert (headline["asked"]["count"], headline["asked"]["hung_up_first"]) == (1, 1)
    assert (headline["sent"]["count"], headline["sent"]["p50"]) == (1, 50.0)
    assert headline["by_menu"]["main_menu"]["count"] == 2
    assert headline["by_queue"]["support"] == headline["by_flow"]["main"] | {
        "count": 2, "p50": 20.0, "p90": 50.0, "hung_up_first": 1}
    assert "cancellations" not in headline["by_queue"]
    assert (body["calls"], body["containment"]) == (5, 1 / 5)
    assert line.get("/api/metrics", token="wrong").status_code == 401
