"""What the metrics count, from calls that really went through the line."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr_app.line.measures import callback_kind, csv_row, measure, percentile
from ivr_app.state.call_log import CallLog
from ivr_app.state.callbacks import Callback
from tests.console.conftest import Browser, add_people
from tests.line import created_calls


def summaries(line) -> list[dict]:
    return CallLog(line.ivr.redis).between(0, 2e10)


def caller(line, number: str):
    """A new caller: a number that called before would be offered its earlier case first."""
    call = line.caller()
    call.caller = number
    return call


def test_each_finished_call_is_summed_up_with_where_the_caller_asked_for_a_person(line):
    line.agent("ana", ["es"], ["support"])
    gave_up = caller(line, "+15005550011").dial().press("1").press("0")  # at the main menu
    line.clock.advance(30)
    gave_up.hang_up()
    line.run_jobs()  # Ana is rung for the caller meanwhile, but they are gone
    reached = caller(line, "+15005550012").dial().press("1").press("0")
    line.clock.advance(20)
    line.run_jobs()
    leg = created_calls(line)[-1][0]
    line.agent_presses(line.standin.answer(leg), "1")
    reached.hang_up()
    served = caller(line, "+15005550013").dial().press("1").press("1").press("12345674")
    served.press("1")
    served.press("1").press("2")  # internet outage logged; "that is all"
    served.hang_up()
    line.run_jobs()
    by_sid = {s["sid"]: s for s in summaries(line)}
    assert by_sid[gave_up.sid] | {"started": 0, "ended": 0} == by_sid[gave_up.sid] | {
        "outcome": "in-line", "zero_out": "main_menu", "queue": "support", "waited_s": 30.0,
        "to_person_s": None, "agent": "", "trial": False, "started": 0, "ended": 0}
    assert by_sid[reached.sid]["outcome"] == "person"
    assert by_sid[reached.sid]["to_person_s"] == 20.0 and by_sid[reached.sid]["agent"] == "ana"
    assert by_sid[served.sid]["outcome"] == "self-service"
    assert by_sid[served.sid]["zero_out"] == ""


def test_percentiles_are_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([30, 10, 20, 40], 0.5) == 20
    assert percentile(list(range(1, 11)), 0.9) == 9


def callback(state: str, attempts: int = 1, due_at: str = "") -> Callback:
    return Callback(id="CB1", number="+1", lang="es", queue="support", reason="", flow="main",
                    place=1, requested_at="2026-11-25T10:00:00-06:00", due_at=due_at,
                    state=state, attempts=attempts)


def test_callbacks_are_on_time_late_or_missed():
    dialled = [{"state": "dialing", "at": "2026-11-25T12:05:00-06:00"}]
    assert callback_kind(callback("completed"), dialled) == "on-time"
    assert callback_kind(callback("completed", attempts=2), dialled) == "late"
    assert callback_kind(callback("completed", due_at="2026-11-25T12:00:00-06:00"),
                         dialled) == "on-time"
    assert callback_kind(callback("completed", due_at="2026-11-25T11:50:00-06:00"),
                         dialled) == "late"
    assert callback_kind(callback("missed", attempts=3), []) == "missed"
    assert callback_kind(callback("retry-wait"), []) == "pending"


def test_the_day_is_measured_in_one_pass():
    base = dt.datetime(2026, 11, 25, 10).timestamp()
    calls = [{"started": base, "outcome": "person", "zero_out": "main_menu",
              "reason": "asked for a person", "to_person_s": 50.0, "waited_s": 40.0,
              "told_s": 60.0},
             {"started": base + 3600, "outcome": "in-line", "zero_out": "main_menu",
              "reason": "asked for a person", "to_person_s": None, "waited_s": 90.0,
              "told_s": 30.0},
             {"started": base + 3600, "outcome": "self-service", "zero_out": "",
              "to_person_s": None, "waited_s": None, "told_s": None}]
    numbers = measure(calls, [(callback("missed"), [])])
    assert numbers["per_hour"][10:12] == [1, 2]
    assert numbers["zero_outs"] == [("main_menu", 2)]
    to_person = numbers["to_person"]
    assert (to_person["count"], to_person["p50"], to_person["p90"]) == (1, 50.0, 50.0)
    assert to_person["hung_up_first"] == 1 and to_person["asked"]["count"] == 1
    assert numbers["line"] == {"waited": 2, "abandoned": 1, "rate": 0.5}
    assert numbers["waits"] == [(60.0, 40.0)] and numbers["wait_error_s"] == 20.0
    assert dict(numbers["callbacks"])["missed"] == 1


def test_a_note_that_looks_like_a_formula_stays_text_in_the_csv():
    row = csv_row({"sid": "CA1", "started": 0, "reason": "=HYPERLINK(\"x\")"})
    assert "'=HYPERLINK(\"x\")" in row


@pytest.mark.parametrize(("cell", "written"), [
    ("+15005550006", "+15005550006"),  # a phone number stays a number
    ("+441632960961", "+441632960961"),
    ("+1500555000612345678", "'+1500555000612345678"),  # too long for E.164
    ("+1 500 555 0006", "'+1 500 555 0006"),
    ("+1500555+SUM(A1)", "'+1500555+SUM(A1)"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("=1", "'=1"),
    ("support", "support"),
])
def test_only_cells_that_begin_like_a_formula_are_quoted_not_phone_numbers(cell, written):
    assert csv_row({"sid": "CA1", "started": 0, "from": cell, "reason": cell})[4:9:4] == [
        written, written]


@pytest.mark.parametrize("flow", ["nosuch", "main\r\nSet-Cookie: x=1", "../main"])
def test_the_csv_of_an_unknown_flow_is_a_400_not_a_500(line, flow):
    add_people(line.app)
    sol = Browser(line.app)
    sol.sign_in("sol")
    answer = sol.client.get("/console/metrics/calls.csv", query_string={"flow": flow})
    assert answer.status_code == 400
    assert "Set-Cookie" not in answer.headers or "x=1" not in answer.headers["Set-Cookie"]
    assert sol.client.get("/console/metrics/calls.csv", query_string={"flow": "main"}
                          ).status_code == 200


def test_the_page_and_its_csv_for_a_day_and_a_flow(line):
    add_people(line.app)
    line.caller().dial().press("1").press("0").hang_up()
    line.run_jobs()
    sol = Browser(line.app)
    sol.sign_in("sol")
    day = dt.datetime.fromtimestamp(summaries(line)[0]["started"]).date().isoformat()
    page = sol.get(f"/console/metrics?day={day}&flow=main").get_data(as_text=True)
    assert '<g data-bar="main_menu" data-value="1">' in page
    other = sol.get(f"/console/metrics?day={day}&flow=other").get_data(as_text=True)
    assert "data-bar=\"main_menu\"" not in other
    csv = sol.get(f"/console/metrics/calls.csv?day={day}").get_data(as_text=True).splitlines()
    assert len(csv) == 2 and ",main_menu," in csv[1]
    assert sol.get("/console/metrics?day=yesterday").status_code == 400
