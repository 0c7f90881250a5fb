"""One call, one story, with real processes (gunicorn, the rq worker and its scheduler, the
demo line playing Twilio, Chromium for the screens): a callback that falls due is answered
and accepted on the agent's screen (before or after the customer answers); a Try a call
that reaches a person and ends leaves nobody ringing; Twilio's reports out of order, or a
step after the end, bring nobody back."""

from __future__ import annotations

import datetime as dt
import re

import requests
from playwright.sync_api import expect

from ivr_app.callbacks.placing import request_callback
from tests.browser.conftest import sign_in
from tests.browser.stack import ROOT
from tests.support.workers import wait_for


def available(page, name: str) -> None:
    sign_in(page, name)
    expect(page).to_have_url(re.compile(r"/console/agent$"))
    page.click("button[data-status=available]")
    expect(page.locator("#status")).to_have_text("Available")


def posts(page, path: str, body: dict) -> dict:
    """A JSON post from the signed-in page, with its CSRF token, as its scripts send them."""
    return page.evaluate("""async ([path, body]) => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const answer = await fetch(path, {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
            body: JSON.stringify(body)});
        return {status: answer.status, body: await answer.json()};
    }""", [path, body])


def on_the_phone(stack, sid: str, action: str, digits: str = "") -> None:
    """The person a placed call rings does something, through the demo line's routes."""
    done = requests.post(f"{stack.line.url}/demo/calls/{sid}/{action}", timeout=5,
                         data={"Digits": digits})
    assert done.status_code == 202, done.text


def in_room(stack, sid: str) -> tuple[str, bool]:
    """The room a placed call is in, and whether it talks there (else it waits)."""
    [found] = [c for c in stack.line.placed() if c["sid"] == sid]
    return found["room"], found["talking"]


def placed_to(stack, number: str) -> str:
    return wait_for(lambda: next((c["sid"] for c in stack.line.created_calls
                                  if c["to"] == number), ""), 5, f"a call to {number}")


def callback_due(page, stack, local, number: str) -> tuple[str, str]:
    """A holding caller asks to be called back; Ana comes back from a break and the
    callback falls due: the line calls the customer. The callback's room, the call."""
    available(page, "ana")
    page.click("button[data-status=away]")  # on a break while the caller holds
    caller = stack.caller(local)
    caller.dial().press("1").press("0")
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    callback = request_callback(local.extensions["ivr"], caller.sid, number, due=due)
    caller.hang_up()  # "we will call you back"
    page.click("button[data-status=available]")
    return f"call-{callback.id}", placed_to(stack, number)


def talks_now(stack, customer: str) -> None:
    """The customer answers the callback and presses 1 to talk to a person now."""
    on_the_phone(stack, customer, "answer")
    wait_for(lambda: "<Gather" in stack.line.heard.get(customer, ""), 5, "the greeting")
    on_the_phone(stack, customer, "press", "1")


def test_a_callback_falls_due_the_customer_answers_and_the_agent_accepts_on_screen(
        page, stack, local):
    ivr = local.extensions["ivr"]
    room, customer = callback_due(page, stack, local, "+525512340031")
    talks_now(stack, customer)
    wait_for(lambda: in_room(stack, customer) == (room, False), 3, "the customer on hold")
    expect(page.locator("#status")).to_have_text("Ringing", timeout=3000)
    page.click("#accept")
    expect(page.locator("#status")).to_have_text("On a call", timeout=2000)
    leg = ivr.roster.get("ana").leg
    wait_for(lambda: in_room(stack, leg) == (room, True), 3, "Ana's phone in the room")
    assert in_room(stack, customer) == (room, True)  # the agent started the room

    on_the_phone(stack, customer, "hangup")  # the customer is done: the room ends
    wait_for(lambda: stack.line.call(leg)["status"] == "completed", 3, "Ana's call to end")
    expect(page.locator("#status")).to_have_text("Wrap-up", timeout=2000)
    assert ivr.callbacks.get(room.removeprefix("call-")).state == "completed"


def test_a_callback_accepted_while_the_customers_phone_rings_connects_when_they_answer(
        page, stack, local):
    ivr = local.extensions["ivr"]
    room, customer = callback_due(page, stack, local, "+525512340032")
    expect(page.locator("#status")).to_have_text("Ringing", timeout=3000)
    page.click("#accept")  # before her own phone rings: it is picked up when it does
    expect(page.locator("#status")).to_have_text("On a call", timeout=2000)
    talks_now(stack, customer)
    leg = wait_for(lambda: ivr.roster.get("ana").leg, 3, "Ana's phone to ring")
    wait_for(lambda: in_room(stack, leg) == (room, True), 3, "Ana's phone in the room")


def test_a_try_a_call_that_reaches_a_person_and_ends_leaves_nobody_ringing(
        page, browser, stack, local):
    available(page, "ana")
    sol = browser.new_context(base_url=stack.url, locale="en-US").new_page()
    sign_in(sol, "sol")
    text = (ROOT / "flows" / "main.yaml").read_text(encoding="utf-8")
    started = posts(sol, "/console/try/main", {"text": text})
    assert started["status"] == 200, started
    sid = started["body"]["sid"]
    for key in ("1", "0"):
        posts(sol, f"/console/try/call/{sid}", {"action": "press", "value": key})
    expect(page.locator("#status")).to_have_text("Ringing", timeout=3000)
    leg = ivr_leg(local, "ana")
    posts(sol, f"/console/try/call/{sid}", {"action": "hangup"})
    expect(page.locator("#status")).to_have_text("Available", timeout=2000)
    wait_for(lambda: stack.line.call(leg)["status"] == "canceled", 2, "her phone to stop")
    sol.context.close()


def ivr_leg(local, agent: str) -> str:
    roster = local.extensions["ivr"].roster
    return wait_for(lambda: roster.get(agent).leg, 3, f"{agent}'s phone to ring")


def test_status_callbacks_shuffled_leave_the_call_completed_and_nobody_lined_up(
        stack, local):
    ivr = local.extensions["ivr"]
    call = stack.caller(local)
    call.dial().press("1").press("0")  # nobody is available: the caller holds
    for status, sequence in (("completed", 3), ("in-progress", 1), ("ringing", 0)):
        call.post("/voice/status", {"CallStatus": status, "SequenceNumber": str(sequence),
                                    "CallDuration": "30" if status == "completed" else ""})
    assert ivr.store.status(call.sid)["call"] == "completed"
    assert call.sid not in list(ivr.queues.in_order("support"))


def test_a_step_after_completed_gets_hangup_and_nobody_is_lined_up(page, stack, local):
    ivr = local.extensions["ivr"]
    available(page, "ana")
    rung_before = len(stack.line.created_calls)
    call = stack.caller(local)
    call.dial().press("1")  # at the main menu
    seq, _ = ivr.store.load(call.sid)
    call.post("/voice/status", {"CallStatus": "completed", "SequenceNumber": "2",
                                "CallDuration": "12"})
    late = call.post(f"/voice/step?seq={seq}", {"Digits": "0"})  # 0 arrives after the end
    assert late.endswith("<Response><Hangup /></Response>")
    page.wait_for_timeout(1000)  # time enough for the worker to ring her, were she rung
    assert ivr.queues.waiter(call.sid) is None
    assert len(stack.line.created_calls) == rung_before
    expect(page.locator("#status")).to_have_text("Available")
