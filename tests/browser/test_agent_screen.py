"""An agent sees who is calling and why, the moment the call rings, without a reload."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot, sign_in

ACCOUNT = "12345674"


def test_the_ringing_call_shows_account_and_reason_within_two_seconds(page, stack, local):
    sign_in(page, "ana")
    expect(page).to_have_url(re.compile(r"/console/agent$"))
    page.click("button[data-status=available]")
    expect(page.locator("#status")).to_have_text("Available")

    caller = stack.caller(local)
    caller.dial().press("1").press("1").press(ACCOUNT).press("1").press("0")
    # the rq worker offers the caller to Ana (the demo line rings her); no reload here
    expect(page.locator("#call-title")).to_contain_text("Incoming call", timeout=2000)
    call = page.locator("#call")
    expect(call).to_contain_text(ACCOUNT, timeout=2000)
    expect(call).to_contain_text("asked for a person")
    expect(call).to_contain_text("outage")
    shoot(page, "agent")

    page.click("#accept")
    expect(page.locator("#status")).to_have_text("On a call")
    assert local.extensions["ivr"].queues.waiter(caller.sid).room


def test_an_empty_list_says_none_in_the_gender_of_what_it_lists(browser, stack, local):
    context = browser.new_context(base_url=stack.url, locale="es-MX",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, "ana")
    page.click("button[data-status=available]")
    caller = stack.caller(local, caller="+15005550031")
    caller.dial().press("1").press("0")  # a person at once: no details, no voice message
    expect(page.locator("#call-title")).to_contain_text("Llamada entrante", timeout=5000)
    expect(page.locator("#call h3:text-is('Datos') + p")).to_have_text("Ninguno")
    expect(page.locator("#messages")).to_have_text("Ninguno")  # mensajes de voz
    expect(page.locator("#callbacks")).to_have_text("Ninguna")  # devoluciones
    expect(page.locator("#call h3:text-is('Lo que dijo') + p")).to_have_text("Nada")
    context.close()
