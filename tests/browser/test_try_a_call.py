"""A supervisor tries a call from the flow editor as a caller on a phone would: one key
answers a menu, a number ends with #, words answer where the flow takes speech, and the
page follows the call to an agent and back to its end (gunicorn, the rq worker, the demo
line and Chromium; Ana works her own screen in a second window)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ivr_app.console.text import TEXT
from tests.browser.conftest import shoot, sign_in
from tests.browser.pages import (
    READ_TEXT,
    axe_source,
    axe_violations,
    foreign_words,
    table_words,
    words,
)
from tests.line import ACCOUNT

EN = TEXT["en"]
LOCALES = {"es": "es-MX", "en": "en-US"}
MAIN_MENU = "Para reportar una falla de internet o televisión, marque uno."
CANCEL_MENU = "Para cancelar internet, marque uno."
ACCOUNT_QUESTION = "Marque su número de cuenta de ocho dígitos."
OUTAGE_MENU = "Si la falla es de internet, marque uno."
TV_LOGGED = "Registramos la falla de televisión de su cuenta."
GATHER_TIMEOUT_MS = 5000  # the flow's: Twilio sends the keys typed so far after it


def call_from_the_editor(page, text: str | None = None, lang: str = "en") -> str:
    """Sol opens the main flow, maybe changes its text, and calls it from the page; the
    call's sid."""
    sign_in(page, "sol")
    page.goto("/console/flows/main")
    if text is not None:
        page.fill("#text-input", text)
    expect(page.locator("#trial-start")).to_be_enabled(timeout=5000)  # the text was checked
    with page.expect_response(re.compile(r"/console/try/main$")) as started:
        page.click("#trial-start")
    expect(page.locator("#trial-state")).to_have_text(TEXT[lang]["try_state_flow"])
    return started.value.json()["sid"]


def press(page, keys: str) -> None:
    for key in keys:
        page.click(f"#keypad [data-key='{key}']")


def looked_at(page, axe: str, allowed: set[str]) -> list[str]:
    """axe-core's verdict on the page, and any word of the panel not in the text tables."""
    return axe_violations(page, axe) + [
        f"not in the text tables: {text!r}"
        for text in foreign_words(page.evaluate(READ_TEXT, "#trial"), allowed)]


def transcript(page):
    return page.locator("#transcript")


def test_a_key_on_a_one_key_menu_moves_the_call_at_once(page, local):
    call_from_the_editor(page)
    expect(page.locator("#trial-hint")).to_have_text(
        f"{EN['try_hint_one_key']} {EN['try_hint_speech']}")
    press(page, "1")  # Spanish: no # and no other button, and no waiting for the timeout
    expect(transcript(page)).to_contain_text(MAIN_MENU, timeout=GATHER_TIMEOUT_MS / 2)
    page.focus("#keypad [data-key='1']")
    page.keyboard.press("3")  # from the keyboard too
    expect(transcript(page)).to_contain_text(CANCEL_MENU, timeout=GATHER_TIMEOUT_MS / 2)
    expect(page.locator("#trial-start")).to_be_disabled()  # one call at a time, as on a phone
    page.click("#trial-hangup")
    expect(page.locator("#trial-state")).to_have_text(EN["try_ended_caller"])
    expect(page.locator("#keypad button").first).to_be_disabled()
    expect(page.locator("#trial-start")).to_be_enabled()


def test_a_number_typed_with_the_finishing_key_is_taken(page, local):
    text = local.extensions["ivr"].registry.source(
        local.extensions["ivr"].registry.current("main"))
    call_from_the_editor(page, text.replace("length: 8", "length: {min: 6, max: 12}", 1))
    press(page, "11")
    expect(transcript(page)).to_contain_text(ACCOUNT_QUESTION)
    expect(page.locator("#trial-hint")).to_have_text(
        EN["try_hint_number"].format(key="#", seconds=GATHER_TIMEOUT_MS // 1000))
    heard = transcript(page).inner_text()
    press(page, ACCOUNT)
    expect(page.locator("#trial-keys")).to_have_text(EN["try_keys"].format(keys=ACCOUNT))
    page.wait_for_timeout(1000)
    assert transcript(page).inner_text() == heard, "the number is not sent before its #"
    press(page, "#")  # read back for a yes, at once
    expect(transcript(page)).to_contain_text(" ".join(ACCOUNT), timeout=GATHER_TIMEOUT_MS / 2)
    press(page, "1")
    expect(transcript(page)).to_contain_text(OUTAGE_MENU)


def test_typed_words_answer_where_the_flow_takes_speech(page, local):
    sid = call_from_the_editor(page)
    press(page, "11")
    expect(transcript(page)).to_contain_text(ACCOUNT_QUESTION)
    expect(page.locator("#trial-words")).to_be_hidden()  # an account number takes keys only
    press(page, ACCOUNT + "1")
    expect(transcript(page)).to_contain_text(OUTAGE_MENU)
    page.fill("#trial-input", "televisión")
    page.click("#trial-say")
    expect(transcript(page)).to_contain_text(TV_LOGGED)
    _, state = local.extensions["ivr"].store.load(sid)
    assert state["vars"]["service"] == "tv"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_caller_who_presses_0_is_rung_through_to_ana_until_she_hangs_up(
        browser, stack, local, lang):
    said = TEXT[lang]
    windows = [browser.new_context(base_url=stack.url, locale=LOCALES[lang],
                                   viewport={"width": 1280, "height": 900}) for _ in "12"]
    ana, sol = (window.new_page() for window in windows)
    axe = axe_source()
    flow = local.extensions["ivr"].registry.current("main")
    allowed = table_words(lang, flow) | words(f"ana {flow.version}")
    try:
        sign_in(ana, "ana")
        ana.click("button[data-status=available]")
        expect(ana.locator("#status")).to_have_text(said["available"])
        call_from_the_editor(sol, lang=lang)
        press(sol, "10")
        state = sol.locator("#trial-state")
        expect(state).to_have_text(said["try_state_ringing"].format(agent="ana"),
                                   timeout=5000)
        problems = looked_at(sol, axe, allowed)
        ana.click("#accept")  # her demo phone is picked up: into the caller's conference
        expect(state).to_have_text(said["try_connected"].format(agent="ana"), timeout=15000)
        expect(sol.locator("#keypad button").first).to_be_disabled()
        problems += looked_at(sol, axe, allowed)
        shoot(sol, f"try-a-call-connected-{lang}")
        ana.click("#hangup")  # the demo flow's survey follows, for the caller
        # the room's end, the caller's <Dial> action and the page's next look: a few hops
        expect(transcript(sol)).to_contain_text(flow.survey.resolved["es"], timeout=15000)
        expect(state).to_have_text(said["try_state_flow"])
        sol.click("#trial-hangup")
        expect(state).to_have_text(said["try_ended_caller"], timeout=5000)
        expect(sol.locator("#trial-hangup")).to_be_disabled()
        problems += looked_at(sol, axe, allowed)
        assert not problems, "\n".join(problems)
    finally:
        for window in windows:
            window.close()
