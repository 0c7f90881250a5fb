"""A Spanish- or English-speaking agent and supervisor work a shift: every page in their
language, fitting the screens they use, usable by keyboard and by the WCAG 2.1 AA standard.

The day is made of real calls through the running app: one taken, hung up and wrapped up
from the keyboard; a callback scheduled and one missed; the first caller calling again,
ringing the agent, with the first call in their history; another caller waiting.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from ivr_app.callbacks.placing import request_callback
from ivr_app.console.text import TEXT
from ivr_app.state.call_log import CallLog
from tests.browser.conftest import shoot, sign_in
from tests.browser.pages import (
    LAYOUT,
    READ_TEXT,
    WIDTHS,
    axe_source,
    axe_violations,
    foreign_words,
    table_words,
    words,
)
from tests.line import ACCOUNT
from tests.support.workers import wait_for

CUSTOMER = "+15005550021"
PEOPLE = {"ana", "torres", "sol"}  # the names of the agent and the supervisor
NOTE = "llamará de nuevo"  # the wrap-up note Ana types
LOCALES = {"es": "es-MX", "en": "en-US"}


def open_as(browser, stack, lang: str, who: str = ""):
    """A browser window 1280 px wide in `lang`'s locale, signed in as `who` if given."""
    context = browser.new_context(base_url=stack.url, locale=LOCALES[lang],
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    if who:
        sign_in(page, who)
    return page


def take_call_from_the_keyboard(page, stack, local, lang: str):
    """Ana is rung, accepts, hangs up and wraps up with the listed keys only."""
    text = TEXT[lang]
    page.focus("button[data-status=available]")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(text["available"])
    caller = stack.caller(local, caller=CUSTOMER)
    caller.dial().press("1").press("1").press(ACCOUNT).press("1").press("0")
    expect(page.locator("#call-title")).to_contain_text(text["ringing"], timeout=5000)
    expect(page.locator("#shortcuts")).to_contain_text(text["shortcut_accept"])
    page.keyboard.press(text["key_accept"])
    expect(page.locator("#status")).to_have_text(text["busy"], timeout=5000)
    page.keyboard.press(text["key_hangup"])
    expect(page.locator("#status")).to_have_text(text["wrap-up"], timeout=5000)
    page.keyboard.press(text["key_wrap"])
    code = page.locator("#wrap-up-form select")
    expect(code).to_be_focused()
    page.keyboard.press("End")  # the last code: "other"
    page.keyboard.press("Tab")
    page.keyboard.type(NOTE)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#wrap-up-saved")).to_have_text(text["done"])
    caller.hang_up()
    return caller


def test_an_agent_takes_a_call_and_wraps_it_up_without_a_mouse(browser, stack, local):
    page = open_as(browser, stack, "es", "ana")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    try:
        caller = take_call_from_the_keyboard(page, stack, local, "es")
        # each key acts once, however many times the screen was redrawn meanwhile
        for action in ("accept", "hangup", "wrap-up"):
            assert sum(u.endswith(f"/console/agent/{action}") for u in posted) == 1, posted
        log = CallLog(local.extensions["ivr"].redis)
        assert log.wrap_up(caller.sid)["code"] == "other"
        assert log.wrap_up(caller.sid)["note"] == NOTE
        assert local.extensions["ivr"].roster.get("ana").status == "wrap-up"
    finally:
        page.context.close()


def a_busy_day(page, stack, local, lang: str) -> list:
    """The calls of the day (see the module's docstring); returns the simulated callers."""
    ivr = local.extensions["ivr"]
    first = take_call_from_the_keyboard(page, stack, local, lang)
    later = dt.datetime.now().astimezone() + dt.timedelta(hours=2)
    scheduled = stack.caller(local, caller="+15005550023").dial().press("1").press("0")
    request_callback(ivr, scheduled.sid, scheduled.caller, later)
    scheduled.hang_up()
    missed = stack.caller(local, caller="+15005550025").dial().press("2").press("0")
    callback = request_callback(ivr, missed.sid, missed.caller, later)
    missed.hang_up()
    for before, after in (("requested", "waiting"), ("waiting", "dialing"),
                          ("dialing", "missed")):
        ivr.callbacks.move(callback.id, (before,), after, ivr.clock())
    again = stack.caller(local, caller=CUSTOMER).dial().press("1")  # goes on with the first
    assert ivr.queues.waiter(again.sid), again.heard
    page.click("button[data-status=available]")
    expect(page.locator("#call-title")).to_contain_text(f"{TEXT[lang]['ringing']}: {CUSTOMER}",
                                                        timeout=5000)
    waiting = stack.caller(local, caller="+15005550024").dial().press("2").press("0")
    log = CallLog(ivr.redis)
    wait_for(lambda: len(log.between(0, 2e10)) >= 3, 10, "the worker to sum the calls up")
    return [first, scheduled, missed, again, waiting]


def data_words(stack, local, callers: list) -> set[str]:
    """What the day's people and callers brought, shown as they gave it: names, the flow's
    ids (nodes, hours) and variables, and what the demo line's phones hear."""
    ivr = local.extensions["ivr"]
    flow = ivr.registry.last_good("main")
    found = PEOPLE | words(f"main remembered {flow.version} {' '.join(flow.nodes)} "
                           f"{' '.join(flow.hours)}")
    found |= words(NOTE)
    for caller in callers:
        _, state = ivr.store.load(caller.sid)
        for name, value in (state or {}).get("vars", {}).items():
            found |= words(f"{name} {value}")
    for callback in ivr.callbacks.requested_between(0, 2e10):  # what their customers read
        found |= words(" ".join(t["body"] for t in ivr.texts.of(callback.id)))
    return found | heard_on_the_demo_line(stack)


def heard_on_the_demo_line(stack) -> set[str]:
    """What the demo line's phones hear: the line's own words, listed with its calls (from
    every test that placed one before)."""
    return words(" ".join(placed["hears"] for placed in stack.line.placed()))


def check(page, name: str, lang: str, allowed: set[str], axe: str, problems: list[str]) -> None:
    """Every check of one page as it is now, its screenshot at 1280 px, its problems noted."""
    page.wait_for_timeout(1200)  # two polls: the live parts are drawn
    foreign = foreign_words(page.evaluate(READ_TEXT), allowed)
    problems += [f"{name} ({lang}): not in the text tables: {text!r}" for text in foreign]
    problems += [f"{name} ({lang}): {v}" for v in axe_violations(page, axe)]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        problems += [f"{name} ({lang}) at {width} px: {p}" for p in page.evaluate(LAYOUT)]
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot(page, f"{name}-{lang}")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_speaks_the_readers_language_fits_and_passes_axe(browser, stack, local,
                                                                    lang):
    flow = local.extensions["ivr"].registry.last_good("main")
    axe = axe_source()
    problems: list[str] = []
    tables = table_words(lang, flow) | PEOPLE

    signed_out = open_as(browser, stack, lang)
    signed_out.goto("/console/agent")  # not signed in: the login page says why
    expect(signed_out.locator("main")).to_contain_text(TEXT[lang]["login_needed"])
    check(signed_out, "sign-in", lang, tables, axe, problems)
    signed_out.context.close()

    agent = open_as(browser, stack, lang, "ana")
    check(agent, "agent-idle", lang, tables | heard_on_the_demo_line(stack), axe, problems)
    callers = a_busy_day(agent, stack, local, lang)
    allowed = tables | data_words(stack, local, callers)
    check(agent, "agent-ringing", lang, allowed, axe, problems)
    expect(agent.locator("#call")).to_contain_text(TEXT[lang]["code_other"])
    expect(agent.locator("#flash")).to_have_count(0)

    supervisor = open_as(browser, stack, lang, "sol")
    for name, path in (("board", "/console/board"), ("flows", "/console/flows"),
                       ("flow-editor", "/console/flows/main"), ("metrics", "/console/metrics")):
        supervisor.goto(path)
        check(supervisor, name, lang, allowed, axe, problems)
    expect(supervisor.locator("#summary")).not_to_contain_text("—")
    agent.context.close()
    supervisor.context.close()
    assert not problems, "\n".join(problems)


def test_the_login_notice_is_not_left_for_a_later_page(browser, stack, local):
    page = open_as(browser, stack, "es")
    try:
        page.goto("/console/flows")
        expect(page.locator("main")).to_contain_text(TEXT["es"]["login_needed"])
        page.fill("input[name=name]", "sol")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/console/flows$"))
        page.goto("/console/flows/main")
        expect(page.locator("main")).not_to_contain_text(TEXT["es"]["login_needed"])
        expect(page.locator("main")).not_to_contain_text("Please log in")
    finally:
        page.context.close()


def test_the_flow_editor_takes_tab_for_indenting_and_lets_the_keyboard_out(browser, stack,
                                                                          local):
    page = open_as(browser, stack, "es", "sol")
    try:
        page.goto("/console/flows/main")
        expect(page.locator("#editor-keys")).to_have_text(TEXT["es"]["editor_keys"])
        page.focus("#text-input")
        page.keyboard.press("Tab")
        expect(page.locator("#text-input")).to_be_focused()  # two spaces went in
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        expect(page.locator("#save")).to_be_focused()
    finally:
        page.context.close()
