"""The supervisor sees where callers give up on the menus: the 0 presses, per menu."""

from __future__ import annotations

from playwright.sync_api import expect

from ivr_app.state.call_log import CallLog
from tests.browser.conftest import shoot, sign_in
from tests.support.workers import wait_for


def test_the_zero_out_count_of_the_menu_used_and_a_csv(page, stack, local):
    for number in ("+15005550011", "+15005550012"):  # new callers: none is remembered
        call = stack.caller(local, caller=number).dial().press("1").press("0")  # main menu
        call.hang_up()
    stack.caller(local, caller="+15005550013").dial().press("1").press("1").press("0").hang_up()
    log = CallLog(local.extensions["ivr"].redis)
    wait_for(lambda: len(log.between(0, 2e10)) == 3, 10, "the worker to sum the calls up")

    sign_in(page, "sol")
    page.goto("/console/metrics?flow=main")
    zero_outs = page.locator("#zero-outs")
    expect(zero_outs.locator("g[data-bar=main_menu]")).to_have_attribute("data-value", "2")
    expect(zero_outs.locator("g[data-bar=outage_account]")).to_have_attribute("data-value", "1")
    expect(page.locator("#summary")).to_contain_text("3")
    shoot(page, "metrics")

    with page.expect_download() as got:
        page.click("#csv")
    rows = got.value.path().read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("sid,started,flow,")
    assert sorted(r.split(",")[7] for r in rows[1:]) == ["main_menu", "main_menu",
                                                         "outage_account"]
