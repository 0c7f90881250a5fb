"""Was it solved? The surveys and the numbers that call again, on the API and the page."""

from __future__ import annotations

import pytest

from ivr_app.demo.twilio_rest import TwilioStandin
from tests.console.conftest import Browser, add_people
from tests.line import Line
from tests.survey import helped_by, with_survey

TESTER = "+525512340299"  # our own test phone (TEST_CALLERS)


@pytest.fixture
def line(make_app, redis, tmp_path):
    with_survey(tmp_path)
    standin = TwilioStandin().start()
    try:
        yield Line(make_app, standin, FLOWS_DIR=str(tmp_path), TEST_CALLERS=TESTER)
    finally:
        standin.stop()


def ends(line: Line, call) -> None:
    """The caller's side ends and Twilio reports it: the call is summed up."""
    call.hang_up()
    line.run_jobs()


def calls_again(line: Line, number: str, hours_later: float, *keys: str) -> None:
    line.clock.advance(hours_later * 3600)
    call = line.caller(number).dial()
    for key in keys:
        call.press(key)
    ends(line, call)


def a_day_of_calls(line: Line) -> None:
    """Four callers helped on one day; two of them, and the test phone, call again."""
    ana_solved = helped_by(line, "ana", "1", "3", "0", number="+525512340201")  # cancel
    ana_solved.press("1").press("5")  # solved, and a 5: but they call again within 72 h
    ends(line, ana_solved)
    bea_not = helped_by(line, "bea", number="+525512340202")
    bea_not.press("2").press("2")  # not solved, a 2; then the callback offer
    ends(line, bea_not)
    ana_skipped = helped_by(line, "ana", number="+525512340203")
    ana_skipped.stays_silent()  # no answer: and no repeat within 72 h either
    ends(line, ana_skipped)
    tester = helped_by(line, "ana", number=TESTER)
    tester.press("2")
    ends(line, tester)
    calls_again(line, TESTER, 1)  # a test call: never counted
    calls_again(line, "+525512340201", 20, "2")  # within the window; something else
    calls_again(line, "+525512340203", 80)  # outside it


def test_the_api_gives_the_surveys_the_repeats_and_first_contact_resolution(line):
    a_day_of_calls(line)
    body = line.get("/api/metrics?day=2026-11-25").get_json()
    assert body["calls"] == 5  # the test phone's first call is a call like any other
    assert body["survey"] == {"asked": 3, "answered": 2, "resolved_share": 0.5,
                              "rating_mean": 3.5}
    assert body["repeat_72h_share"] == pytest.approx(1 / 3)
    assert body["repeats_by_topic"] == {"cancel": 1.0}
    fcr = body["first_contact"]
    assert (fcr["count"], fcr["resolved"]) == (3, 1)  # only the silent one: no no, no repeat
    assert fcr["by_agent"] == {"ana": {"count": 2, "resolved": 1, "share": 0.5},
                               "bea": {"count": 1, "resolved": 0, "share": 0.0}}
    assert fcr["by_queue"]["support"]["count"] == 3
    assert fcr["by_flow"]["main"]["resolved"] == 1
    assert body["by_flow"]["main"] == {"survey": body["survey"],
                                       "repeat_72h_share": body["repeat_72h_share"]}


def test_a_shorter_window_leaves_a_call_twenty_hours_later_uncounted(make_app, redis,
                                                                      tmp_path):
    with_survey(tmp_path)
    standin = TwilioStandin().start()
    try:
        line = Line(make_app, standin, FLOWS_DIR=str(tmp_path), REPEAT_WINDOW_HOURS=12)
        first = helped_by(line, "ana", number="+525512340211")
        first.press("1")
        ends(line, first)
        calls_again(line, "+525512340211", 20, "2")
        body = line.get("/api/metrics?day=2026-11-25").get_json()
    finally:
        standin.stop()
    assert body["repeat_72h_share"] == 0.0
    assert body["first_contact"]["resolved"] == 1


def test_the_metrics_page_shows_resolution_per_queue_agent_flow_and_day(line):
    a_day_of_calls(line)
    add_people(line.app)
    sol = Browser(line.app)
    sol.sign_in("sol")
    page = sol.get("/console/metrics?day=2026-11-25").get_data(as_text=True)
    assert "33% (1 / 3)" in page and "Resolved at first contact" in page
    assert '<g data-bar="ana" data-value="50% (1/2)">' in page
    assert '<g data-bar="bea" data-value="0% (0/1)">' in page
    assert '<g data-bar="support" data-value="33% (1/3)">' in page
    assert '<g data-bar="main" data-value="33% (1/3)">' in page
    assert '<g data-bar="2026-11-25" data-value="33% (1/3)">' in page
    assert '<g data-bar="2026-11-24" data-value="–">' in page
    assert "3.5" in page and "Called again within 72 h" in page
    sol.form("/console/language", {"lang": "es", "back": "/console/metrics"})
    page = sol.get("/console/metrics?day=2026-11-25").get_data(as_text=True)
    assert '<g data-bar="soporte" data-value="33% (1/3)">' in page  # the flow's name for it


def test_calls_from_a_withheld_number_are_no_repeats_of_each_other(line):
    for _ in range(2):
        ends(line, line.caller("anonymous").dial().press("1"))
        line.clock.advance(600)
    body = line.get("/api/metrics?day=2026-11-25").get_json()
    assert (body["calls"], body["repeat_72h_share"]) == (2, 0.0)
