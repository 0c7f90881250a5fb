"""A supervisor edits a live flow: good edits go live, bad ones never replace it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ivr_app.demo.simulator import Call
from tests.conftest import TOKEN

FLOW = """\
languages:
  en: {voice: Polly.Joanna, locale: en-US}
human:
  queue: support
start: menu
nodes:
  menu:
    type: menu
    prompt: {en: For billing press one.}
    options:
      - {key: 1, goto: billing}
  billing:
    type: transfer
    reason: billing
"""


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    (tmp_path / "main.yaml").write_text(FLOW)
    return tmp_path


@pytest.fixture
def live_app(make_app, flows, redis):
    return make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)


def edit(flows: Path, old: str, new: str) -> None:
    path = flows / "main.yaml"
    path.write_text(path.read_text().replace(old, new))


def test_a_valid_edit_answers_the_next_call_without_a_restart(live_app, flows):
    assert Call(live_app, TOKEN).dial().heard[0] == "[en-US] For billing press one."
    edit(flows, "For billing press one.", "Billing questions. Press one.")
    assert Call(live_app, TOKEN).dial().heard[0] == "[en-US] Billing questions. Press one."


def test_a_broken_edit_is_logged_and_the_last_good_flow_keeps_answering(live_app, flows,
                                                                       caplog):
    edit(flows, "goto: billing", "goto: biling")
    with caplog.at_level(logging.ERROR):
        call = Call(live_app, TOKEN).dial()
    assert call.heard[0] == "[en-US] For billing press one."
    assert "goto target 'biling' is not a node; did you mean 'billing'?" in caplog.text
    assert "keeping the last good version" in caplog.text
    call.press("1")
    assert call.ending.reason == "billing"


def test_a_call_in_progress_finishes_on_the_version_it_started_with(live_app, flows):
    call = Call(live_app, TOKEN).dial()
    edit(flows, "reason: billing", "reason: billing, new version")
    call.press("1")
    assert call.ending.reason == "billing"
    assert Call(live_app, TOKEN).dial().press("1").ending.reason == "billing, new version"


def test_another_web_process_finishes_a_call_on_the_version_it_started_with(make_app, flows,
                                                                           redis):
    first = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    call = Call(first, TOKEN).dial()
    edit(flows, "reason: billing", "reason: billing, new version")
    second = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)  # never saw the old text
    call.client = second.test_client()
    call.press("1")
    assert call.ending.reason == "billing"


def test_a_process_that_starts_with_only_a_broken_flow_still_answers_with_a_person(
        make_app, flows, caplog):
    edit(flows, "en: {voice: Polly.Joanna, locale: en-US}",
         "en: {voice: Polly.Joanna, locale: en-US}\nhours: {office: {timezone: America, "
         "weekly: {mon-fri: 09:00-17:00}}}")
    with caplog.at_level(logging.ERROR):
        app = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    assert "unknown time zone 'America'" in caplog.text
    assert "every caller goes straight to a person" in caplog.text
    call = Call(app, TOKEN).dial()
    assert (call.ending.kind, call.ending.queue) == ("human", "support")


def test_a_restarted_process_serves_the_last_good_version_kept_in_redis(make_app, flows,
                                                                       caplog):
    running = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    assert Call(running, TOKEN).dial().heard[0] == "[en-US] For billing press one."
    edit(flows, "goto: billing", "goto: nowhere")  # broken while that process runs
    with caplog.at_level(logging.ERROR):
        restarted = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    assert "serving its last good version" in caplog.text
    call = Call(restarted, TOKEN).dial()
    assert call.heard[0] == "[en-US] For billing press one."
    assert call.press("1").ending.reason == "billing"
    edit(flows, "For billing press one.", "Billing here. Press one.")  # still broken: not served
    assert Call(restarted, TOKEN).dial().heard[0] == "[en-US] For billing press one."
    edit(flows, "goto: nowhere", "goto: billing")  # fixed: the new text answers
    assert Call(restarted, TOKEN).dial().heard[0] == "[en-US] Billing here. Press one."


def test_every_web_process_serves_the_same_last_good_version_when_the_file_breaks(
        make_app, flows):
    """A good edit lived on disk only long enough for one process to read it; then the file
    broke. The other process never saw the edit, yet callers hear it from both."""
    one = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    other = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    assert Call(other, TOKEN).dial().heard[0] == "[en-US] For billing press one."
    edit(flows, "For billing press one.", "Billing in brief. Press one.")
    assert Call(one, TOKEN).dial().heard[0] == "[en-US] Billing in brief. Press one."
    edit(flows, "goto: billing", "goto: bililng")
    for app in (other, one):
        assert Call(app, TOKEN).dial().heard[0] == "[en-US] Billing in brief. Press one."


def test_apps_built_from_one_text_share_the_flow_checked_once_and_an_edit_is_checked_anew(
        make_app, flows, redis):
    def served():
        return make_app(FLOWS_DIR=str(flows)).extensions["ivr"].registry.current("main")

    first = served()
    assert served() is first  # the second app did not parse the text again
    edit(flows, "For billing press one.", "Billing here. Press one.")
    edited = served()
    assert edited is not first and edited.version != first.version
