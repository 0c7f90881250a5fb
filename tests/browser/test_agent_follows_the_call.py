"""The agent's screen follows the call: it stops ringing when the caller hangs up, and
leaves "On a call" for wrap-up when either side hangs up (gunicorn, the rq worker, the demo
line and Chromium)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.support.workers import wait_for


def ana_available(page) -> None:
    sign_in(page, "ana")
    expect(page).to_have_url(re.compile(r"/console/agent$"))
    page.click("button[data-status=available]")
    expect(page.locator("#status")).to_have_text("Available")


def test_the_screen_stops_ringing_within_two_seconds_when_the_caller_hangs_up(
        page, stack, local):
    ana_available(page)
    caller = stack.caller(local)
    caller.dial().press("1").press("0")
    expect(page.locator("#status")).to_have_text("Ringing", timeout=3000)
    caller.hang_up()
    expect(page.locator("#status")).to_have_text("Available", timeout=2000)
    expect(page.locator("#accept")).to_be_hidden()


def test_accepted_on_screen_then_the_caller_hangs_up_the_agent_wraps_up(page, stack, local):
    ana_available(page)
    caller = stack.caller(local)
    caller.dial().press("1").press("0")
    expect(page.locator("#status")).to_have_text("Ringing", timeout=3000)
    page.click("#accept")
    expect(page.locator("#status")).to_have_text("On a call")
    leg = local.extensions["ivr"].roster.get("ana").leg  # Accept picked up her demo phone
    wait_for(lambda: "<Conference" in stack.line.heard.get(leg, ""), 2, "her phone in the room")
    caller.hang_up()
    expect(page.locator("#status")).to_have_text("Wrap-up", timeout=2000)
    wait_for(lambda: stack.line.call(leg)["status"] == "completed", 2, "her phone to hang up")
