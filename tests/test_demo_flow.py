"""The demo support line, called the way customers call it."""

from __future__ import annotations

import datetime as dt

from ivr_app.__main__ import lint_command

GOOD_ACCOUNT = "12345674"  # passes the Luhn check


def test_demo_flow_passes_lint(capsys):
    assert lint_command(["flows/main.yaml"]) == 0
    assert "flows/main.yaml: ok" in capsys.readouterr().out


def test_caller_picks_spanish_then_presses_0_and_reaches_support(call):
    call.dial().press("1").press("0")
    assert call.ending.kind == "human"
    assert call.ending.queue == "support"
    assert call.ending.reason == "asked for a person"
    assert "[es-MX] Le comunicamos con una persona. Un momento, por favor." in call.heard


def test_silent_caller_is_put_through_to_a_person_not_hung_up_on(call):
    call.dial()
    call.stays_silent().stays_silent()
    assert call.waiting, "two silences are retried"
    call.stays_silent()
    assert call.ending.kind == "human"
    assert call.ending.reason == "no input"
    assert "[es-MX] No recibimos su respuesta." in call.heard


def test_cancelling_tv_takes_two_choices_after_the_language(call):
    call.dial().press("1").press("3").press("2")
    assert (call.ending.kind, call.ending.queue, call.ending.reason) == (
        "human", "cancellations", "cancel tv")


def test_account_number_is_asked_once_then_reused_for_billing(call, store):
    call.dial().press("2")  # English
    call.press("1").press(GOOD_ACCOUNT).press("1")  # outage, account, confirm
    call.press("1")  # internet outage
    assert "[en-US] We have logged the internet outage on your account. " \
        "A technician will check it today." in call.heard
    call.press("1").press("2")  # back to the main menu, then billing
    call.press("1")  # dispute a charge
    assert (call.ending.queue, call.ending.reason) == ("billing", "bill dispute")
    assert call.heard.count("[en-US] Enter your eight-digit account number. "
                            "You can find it on your bill.") == 1
    _, state = store.load(call.sid)
    assert state["vars"] == {"language": "en", "account": GOOD_ACCOUNT, "topic": "billing",
                             "service": "internet"}


def test_a_mistyped_account_number_is_asked_again(call):
    call.dial().press("1").press("1")
    call.press("12345678")  # fails the check digit
    assert call.heard[-3:] == [
        "[es-MX] No entendimos su respuesta.",
        "[es-MX] Marque su número de cuenta de ocho dígitos. Lo encuentra en su factura.",
        "[es-MX] Para hablar con una persona, marque cero.",
    ]
    call.press(GOOD_ACCOUNT)
    assert call.heard[-2] == ("[es-MX] Usted marcó 1 2 3 4 5 6 7 4. Si es correcto, marque "
                              "uno. Para corregirlo, marque dos.")


def test_caller_can_correct_the_account_number_at_the_read_back(call, store):
    call.dial().press("1").press("1").press("00000000")
    call.press("2")  # "to change it, press two"
    call.press(GOOD_ACCOUNT).press("1")
    assert call.heard[-2] == ("[es-MX] Si la falla es de internet, marque uno. "
                              "Si es de televisión, marque dos.")
    _, state = store.load(call.sid)
    assert state["vars"]["account"] == GOOD_ACCOUNT


def test_billing_outside_office_hours_still_reaches_a_person(make_call):
    sunday_night = dt.datetime(2026, 11, 29, 23, 0, tzinfo=dt.UTC)
    call = make_call(clock=lambda: sunday_night)
    call.dial().press("1").press("2")
    assert call.ending.kind == "human"
    assert call.ending.reason == "bill dispute (billing closed)"
    assert any("facturación atiende de lunes a viernes" in line for line in call.heard)


def test_caller_who_says_agent_reaches_a_person(call):
    call.dial().press("2").says("I want to talk to an agent please")
    assert (call.ending.kind, call.ending.reason) == ("human", "asked for a person")


def test_spoken_menu_choice_moves_the_call(call):
    call.dial().says("español").says("quiero cancelar un servicio").says("la tele")
    assert call.ending.reason == "cancel tv"


def test_goodbye_is_the_only_way_the_flow_hangs_up(call):
    call.dial().press("1").press("1").press(GOOD_ACCOUNT).press("1").press("2").press("2")
    assert call.ending.kind == "goodbye"
    assert call.last_heard() == "[es-MX] Gracias por llamar a Red Hogar. Hasta luego."
