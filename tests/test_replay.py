"""A supervisor tries a draft flow on yesterday's calls before it goes live: every recorded
call's answers are played again on the draft, and the report puts where each call would
have ended beside where it really did, touching nothing of the live line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_app.__main__ import main
from ivr_app.call.replay import (
    GREETED,
    HUNG_UP,
    PERSON,
    SELF_SERVICE,
    TRIED,
    UNANSWERED,
    replay_day,
)
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from ivr_app.state.call_log import CallLog
from ivr_app.state.trials import Trials
from tests.conftest import OFFICE_HOURS
from tests.console.conftest import Browser, add_people

DAY = OFFICE_HOURS.date()
MAIN = Path("flows/main.yaml").read_text(encoding="utf-8")
# the draft: keys 3 (cancel a service) and 4 (a technician visit) swapped in the main menu
SWAPPED = MAIN.replace("      - key: 3\n        say: {es: [cancelar un servicio",
                       "      - key: 4\n        say: {es: [cancelar un servicio").replace(
    "      - key: 4\n        say: {es: [visita", "      - key: 3\n        say: {es: [visita")


def a_day_of_calls(line) -> dict[str, str]:
    """Seven callers of the demo line, each ending somewhere else; their sids by story."""
    line.agent("ana", ["es"], ["support", "cancellations"], status="away")
    stories = {
        "outage logged": ["1", "1", "12345674", "1", "1", "2"],  # account read back: 1
        "asked for a person": ["1", "0"],
        "silent": ["1", "", "", ""],
        "wrong key then 0": ["1", "7", "0"],
        "cancel internet": ["1", "3", "1"],
        "said billing": ["1", "say: factura", "12345674", "1", "2"],
        "hung up at the menu": ["1"],
    }
    sids = {}
    for story, answers in stories.items():
        call = line.caller().dial()
        for answer in answers:
            line.clock.advance(4)
            if answer.startswith("say: "):
                call.says(answer.removeprefix("say: "), confidence=0.95)
            elif answer:
                call.press(answer)
            else:
                call.stays_silent()
        line.clock.advance(7)
        call.hang_up()
        sids[story] = call.sid
    line.run_jobs()
    return sids


def endings(line, draft_text: str) -> dict[str, object]:
    draft = validate(parse(draft_text, "main"), "main")
    calls = CallLog(line.ivr.redis).of_day(DAY)
    return replay_day(draft, calls, DAY)


def test_the_unchanged_flow_ends_every_recorded_call_where_it_really_ended(line):
    sids = a_day_of_calls(line)
    day = endings(line, MAIN)
    assert [e.sid for e in day.draft] == list(sids.values())
    assert day.draft == day.happened
    by_sid = {e.sid: e for e in day.draft}
    assert by_sid[sids["outage logged"]].ending == SELF_SERVICE
    assert by_sid[sids["hung up at the menu"]].ending == HUNG_UP
    zero = by_sid[sids["asked for a person"]]
    assert (zero.ending, zero.node, zero.queue, zero.questions) == (
        PERSON, "main_menu", "support", 2)
    assert zero.seconds == 8  # the caller's own pace: an answer every 4 s
    assert by_sid[sids["wrong key then 0"]].refused == 1
    assert by_sid[sids["said billing"]].ending == PERSON
    assert day.as_dict()["changed"] == []


def test_a_draft_with_two_keys_swapped_shows_who_would_have_ended_elsewhere(line):
    sids = a_day_of_calls(line)
    day = endings(line, SWAPPED)
    changed = {c["sid"]: (c["happened"], c["draft"]) for c in day.as_dict()["changed"]}
    # pressing 3 now starts a technician visit, which asks for an account: "1" is refused
    assert changed == {sids["cancel internet"]: ({"ending": PERSON, "node": "cancel_internet"},
                                                 {"ending": UNANSWERED, "node": ""})}
    moved = next(e for e in day.draft if e.sid == sids["cancel internet"])
    assert moved.refused == 1
    figures = day.as_dict()
    assert figures["draft"]["endings"][UNANSWERED] == 1
    assert figures["happened"]["endings"][PERSON] - figures["draft"]["endings"][PERSON] == 1


def test_speech_is_judged_again_by_the_drafts_own_bands(line):
    unsure = line.caller().dial().press("1")
    line.clock.advance(5)
    unsure.says("factura", confidence=0.35)  # below the day's bands: asked again
    line.clock.advance(5)
    unsure.press("0")
    unsure.hang_up()
    line.run_jobs()
    assert endings(line, MAIN).as_dict()["changed"] == []
    trusting = MAIN.replace("start: language",
                            "speech_bands: {es: {accept: 0.3, confirm: 0.2}}\nstart: language")
    changed = endings(line, trusting).as_dict()["changed"]
    assert changed == [{"sid": unsure.sid, "happened": {"ending": PERSON, "node": "main_menu"},
                        "draft": {"ending": PERSON, "node": "billing_account"}}]


def test_a_caller_greeted_in_a_remembered_language_is_replayed_without_the_question(line):
    number = "+15005550031"
    first = line.caller(number).dial().press("2").press("4")  # English, a technician visit
    first.hang_up()
    again = line.caller(number).dial()  # greeted in English: no language question
    line.clock.advance(5)
    again.press("3").press("1")  # cancel a service, internet
    again.hang_up()
    line.run_jobs()
    day = endings(line, MAIN)
    replayed = next(e for e in day.draft if e.sid == again.sid)
    assert (replayed.ending, replayed.node, replayed.questions) == (
        PERSON, "cancel_internet", 2)
    assert day.as_dict()["changed"] == []


def test_a_caller_who_answered_the_earlier_call_question_first_is_left_out(line):
    number = "+15005550032"
    first = line.caller(number).dial().press("1").press("1").press("12345674").press("1")
    first.press("0")  # a person, about an outage: asked about it when calling again
    first.hang_up()
    again = line.caller(number).dial()
    assert "su llamada de hoy" in " ".join(again.heard)
    again.press("0")  # a person now, from the question before the flow
    again.hang_up()
    line.run_jobs()
    day = endings(line, MAIN)
    assert (len(day.draft), dict(day.left_out)) == (1, {GREETED: 1})
    assert day.as_dict()["changed"] == []


def test_replay_leaves_out_tried_calls_and_changes_nothing_in_redis(line):
    a_day_of_calls(line)
    tried = line.caller()
    Trials(line.ivr.redis).start(tried.sid, "main", "any", "admin")
    tried.dial().press("1").press("0")
    tried.hang_up()
    line.run_jobs()
    dumped = {key: line.ivr.redis.dump(key) for key in line.ivr.redis.scan_iter()}
    day = endings(line, SWAPPED)
    assert (len(day.draft), dict(day.left_out)) == (7, {TRIED: 1})
    assert {key: line.ivr.redis.dump(key) for key in line.ivr.redis.scan_iter()} == dumped


def test_the_command_prints_what_happened_beside_the_draft(line, redis_url, tmp_path,
                                                           monkeypatch, capsys):
    sids = a_day_of_calls(line)
    draft = tmp_path / "main.yaml"
    draft.write_text(SWAPPED, encoding="utf-8")
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert main(["replay", str(draft), "--day", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "flow main, 2026-11-25: 7 calls replayed" in out
    assert f"{sids['cancel internet']}: a person at cancel_internet -> unanswered" in out
    assert main(["replay", str(draft), "--day", "2026-11-24"]) == 0
    assert "0 calls replayed" in capsys.readouterr().out
    draft.write_text(SWAPPED.replace("start: language", "start: nowhere"), encoding="utf-8")
    assert main(["replay", str(draft), "--day", DAY.isoformat()]) == 1
    assert "nowhere" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _at_the_repository_root(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


def test_the_editor_replays_its_text_and_refuses_a_broken_one_or_no_day(line):
    sids = a_day_of_calls(line)
    add_people(line.app)
    sol = Browser(line.app)
    sol.sign_in("sol")
    day = sol.post("/console/flows/main/replay", {"text": SWAPPED, "day": DAY.isoformat()})
    assert day.status_code == 200
    assert [c["sid"] for c in day.get_json()["changed"]] == [sids["cancel internet"]]
    broken = sol.post("/console/flows/main/replay", {"text": "start: nowhere\n",
                                                    "day": DAY.isoformat()})
    assert broken.status_code == 400 and "problem" in broken.get_json()["error"]
    assert sol.post("/console/flows/main/replay", {"text": MAIN, "day": "yesterday"}
                    ).status_code == 400
    assert Browser(line.app).post("/console/flows/main/replay", {"text": MAIN}
                                  ).status_code in (302, 401, 403)
