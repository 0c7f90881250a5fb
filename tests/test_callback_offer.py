"""A caller facing a long wait is offered a callback that keeps their place, and keeps it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rq.registry import ScheduledJobRegistry

from ivr_app.callbacks.numbers import callable_number
from ivr_app.callbacks.placing import request_callback
from ivr_app.demo.recordings import RecordingServer, wav_seconds
from ivr_app.demo.simulator import Call
from ivr_app.flow.model import CallbackSettings
from tests.conftest import OFFICE_HOURS
from tests.console.conftest import Browser, add_people
from tests.line import PUBLIC, Clock, Line

CUSTOMER = "+525512345678"  # a Mexico City number, said back as 5 5 1 2 3 4 5 6 7 8
NO_CALLER_ID = "+15005550006"  # Twilio's test number: a personal number, never called back
MESSAGE = Path("tests/audio/es-internet-175.wav").read_bytes()  # "internet", 8 kHz μ-law
NIGHT = OFFICE_HOURS.replace(hour=22)  # Wednesday 22:00: support opens again at 8:00

OFFER = ("[es-MX] Si prefiere que le llamemos cuando sea su turno, sin perder su lugar, "
         "marque uno.")
KEEP_WAITING = "[es-MX] Para seguir esperando en la fila, marque cero."
BACK_IN_LINE = "[es-MX] Le regresamos a la fila, en el mismo lugar."


@pytest.fixture
def dial(line: Line):
    """A caller from `number` who asks for a person in Spanish and waits in the support line."""

    def waiting(number: str = CUSTOMER, **call) -> Call:
        caller = Call(line.app, line.standin.auth_token, base_url=PUBLIC, caller=number, **call)
        line.standin.incoming_call(caller.sid, caller.caller, caller.number)
        return caller.dial().press("1").press("0")

    return waiting


def said_after(call: Call, heard_before: int) -> list[str]:
    return call.heard[heard_before:]


def test_a_caller_facing_a_long_wait_is_called_back_at_their_place(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)  # a call, a wrap-up: 5.5 min
    stored_when_confirmed = []

    def listen(said: str) -> None:  # what Redis holds at the moment the caller hears it
        if "Listo." in said:
            stored_when_confirmed.extend(line.ivr.callbacks.pending_for(CUSTOMER))

    caller = dial(echo=listen)
    behind = dial(NO_CALLER_ID)
    assert caller.heard[-6:-3] == ["[es-MX] Usted es el número 1 en la fila.",
                                   "[es-MX] Tiempo estimado de espera: 6 minutos.", OFFER]
    place = line.ivr.queues.waiter(caller.sid).place

    heard = len(caller.heard)
    caller.press("1")
    assert said_after(caller, heard) == [
        "[es-MX] Le llamaremos al 5 5 1 2 3 4 5 6 7 8. Si es correcto, marque uno. "
        "Para dar otro número, marque dos.", KEEP_WAITING]
    caller.press("1")
    assert caller.last_heard() == KEEP_WAITING
    assert caller.heard[-2] == ("[es-MX] Para que le llamemos en cuanto sea su turno, marque "
                                "uno. Para que le llamemos mañana a las 8:00, marque dos.")
    heard = len(caller.heard)
    caller.press("1")
    assert said_after(caller, heard) == [
        "[es-MX] Listo. Le llamaremos al 5 5 1 2 3 4 5 6 7 8 cuando sea su turno.",
        "[es-MX] Tiempo estimado de espera: 6 minutos.",
        "[es-MX] Gracias por llamar. Hasta luego."]
    assert caller.ending.kind == "goodbye"

    [callback] = stored_when_confirmed
    assert (callback.state, callback.number, callback.place) == ("waiting", CUSTOMER, place)
    assert list(line.ivr.queues.in_order("support")) == [callback.id, behind.sid]
    assert callback.context["caller"] == CUSTOMER and callback.context["language"] == "es"


def test_a_caller_gives_another_number_and_chooses_the_next_morning(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = dial()
    caller.press("1").press("2")
    assert caller.heard[-2] == ("[es-MX] Marque el número al que le llamaremos, con su lada, y "
                                "después la tecla de gato.")
    caller.press("5587654321")
    assert caller.heard[-2].startswith("[es-MX] Le llamaremos al 5 5 8 7 6 5 4 3 2 1.")
    caller.press("1").press("2")  # that number, tomorrow at the opening
    assert caller.heard[-2] == "[es-MX] Listo. Le llamaremos al 5 5 8 7 6 5 4 3 2 1 mañana a " \
                               "las 8:00."

    [callback] = line.ivr.callbacks.pending_for("+525587654321")
    assert callback.state == "requested"
    assert dt.datetime.fromisoformat(callback.due_at) == dt.datetime(
        2026, 11, 26, 8, 0, tzinfo=OFFICE_HOURS.tzinfo)
    assert list(line.ivr.queues.in_order("support")) == []  # it joins the line at 8:00
    assert ScheduledJobRegistry(queue=line.ivr.jobs).get_job_ids() == [
        f"callback-{callback.id}-0"]


def test_premium_foreign_and_toll_free_numbers_are_refused_then_the_caller_is_back(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = dial(NO_CALLER_ID)  # no caller ID we would call: straight to typing one
    caller.press("1")
    assert caller.heard[-2].startswith("[es-MX] Marque el número al que le llamaremos")
    for refused in ("9001234567", "00447911123456"):  # premium rate; a British mobile
        caller.press(refused)
        assert caller.heard[-3] == "[es-MX] No podemos devolver la llamada a ese número."
        assert caller.heard[-2].startswith("[es-MX] Marque el número al que le llamaremos")
    heard = len(caller.heard)
    caller.press("8001234567")  # toll free, and the last try
    assert said_after(caller, heard)[:3] == [
        "[es-MX] Le regresamos a la fila, en el mismo lugar.",
        "[es-MX] Usted es el número 1 en la fila.",
        "[es-MX] Tiempo estimado de espera: 6 minutos."]
    assert caller.ending.queue == "support"
    assert line.ivr.queues.position("support", caller.sid) == 1
    assert line.ivr.callbacks.active() == []


@pytest.mark.parametrize(("typed", "called"), [
    ("5512345678", "+525512345678"),  # a national number, read in the flow's region
    ("0012025550123", "+12025550123"),  # the United States, dialled from Mexico
    ("+5215512345678", None),  # the old mobile prefix: no longer a valid number
    ("8001234567", None),  # toll free
    ("9001234567", None),  # premium rate
    ("3001234567", None),  # shared cost
    ("+18765550123", None),  # Jamaica: +1, but not an allowed country
    ("+14165550123", None),  # Canada, likewise
    ("12", None),
])
def test_only_ordinary_numbers_in_the_allowed_countries_are_called_back(typed, called):
    assert callable_number(typed, CallbackSettings(region="MX", countries=("MX", "US"))) == called


def test_zero_during_the_dialog_puts_the_caller_back_at_the_same_place(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    ahead, caller, behind = dial(), dial(), dial()
    caller.press("1").press("2")  # another number? no: 0
    heard = len(caller.heard)
    caller.press("0")
    assert said_after(caller, heard)[:2] == [BACK_IN_LINE,
                                             "[es-MX] Usted es el número 2 en la fila."]
    assert list(line.ivr.queues.in_order("support")) == [ahead.sid, caller.sid, behind.sid]
    assert caller.ending.queue == "support"
    caller.press("1")  # and they may still ask for the callback later
    assert caller.heard[-2].startswith("[es-MX] Le llamaremos al 5 5 1 2 3 4 5 6 7 8.")


def test_saying_agente_at_the_callback_number_puts_the_caller_back_at_their_place(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    ahead, caller, behind = dial(), dial(), dial()
    caller.press("1")  # a callback: "we will call you at 5 5 1 2..."
    assert caller.heard[-2].startswith("[es-MX] Le llamaremos al 5 5 1 2 3 4 5 6 7 8.")
    heard = len(caller.heard)
    caller.says("agente")  # as at any question: the way out
    assert said_after(caller, heard)[0] == BACK_IN_LINE
    assert list(line.ivr.queues.in_order("support")) == [ahead.sid, caller.sid, behind.sid]
    assert (caller.ending.kind, caller.ending.queue) == ("human", "support")


def test_saying_the_key_as_a_word_at_the_callback_number_is_that_key(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = dial()
    caller.press("1").says("dos")  # another number
    assert caller.heard[-2].startswith("[es-MX] Marque el número")


def test_silence_never_hangs_up_it_puts_the_caller_back_in_line(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    caller = dial()
    caller.press("1")
    heard = len(caller.heard)
    caller.stays_silent().stays_silent()
    assert said_after(caller, heard).count("[es-MX] No recibimos su respuesta.") == 2
    caller.stays_silent()
    assert BACK_IN_LINE in caller.heard
    assert (caller.ending.kind, caller.ending.queue) == ("human", "support")
    assert line.ivr.queues.position("support", caller.sid) == 1


def test_a_callback_that_cannot_be_stored_is_never_confirmed(line, dial, monkeypatch):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    ahead, caller = dial(), dial()

    def broken(**_):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(line.ivr.callbacks, "create", broken)
    caller.press("1").press("1").press("1")
    assert not any("Listo." in said for said in caller.heard)
    assert BACK_IN_LINE in caller.heard
    assert list(line.ivr.queues.in_order("support")) == [ahead.sid, caller.sid]


def test_at_night_with_nobody_signed_in_the_caller_is_called_at_the_opening(line, dial):
    line.clock.now = NIGHT
    caller = dial()
    assert caller.heard[-6:-3] == [
        "[es-MX] Usted es el número 1 en la fila.",
        "[es-MX] En este momento estamos fuera de horario. Volvemos a atender mañana a las "
        "8:00.",
        "[es-MX] Si prefiere que le llamemos más tarde, o dejarnos un mensaje, marque uno."]
    caller.press("1")
    assert caller.heard[-2] == ("[es-MX] Para que le devolvamos la llamada, marque uno. Para "
                                "dejarnos un mensaje de voz, marque dos.")
    caller.press("1").press("1")
    assert caller.heard[-2] == ("[es-MX] Listo. Le llamaremos al 5 5 1 2 3 4 5 6 7 8 mañana a "
                                "las 8:00.")
    [callback] = line.ivr.callbacks.pending_for(CUSTOMER)
    assert callback.due_at == "2026-11-26T08:00:00-06:00"


def test_at_night_a_voice_message_becomes_a_callback_request(make_app, redis, twilio_standin):
    """The message is kept as Twilio recorded it, and the agent next morning hears it."""
    recordings = RecordingServer(twilio_standin.account_sid, twilio_standin.auth_token).start()
    try:
        line = Line(make_app, twilio_standin, clock=Clock(NIGHT),
                    TWILIO_API_BASE=recordings.base)  # recordings are fetched from Twilio
        line.agent("ana", ["es"], ["support"], status="away")
        caller = line.caller(CUSTOMER)
        caller.recordings = recordings
        caller.dial().press("1").press("0").press("1").press("2").press("1")  # a message
        assert caller.heard[-2:] == [
            "[es-MX] Deje su mensaje después del tono. Al terminar, marque la tecla de gato.",
            KEEP_WAITING]
        caller.stays_silent()  # nothing recorded: asked again, never hung up
        assert caller.heard[-3] == "[es-MX] No recibimos su respuesta."
        caller.speaks(MESSAGE)
        assert caller.heard[-3:] == [
            "[es-MX] Recibimos su mensaje.",
            "[es-MX] Listo. Le llamaremos al 5 5 1 2 3 4 5 6 7 8 mañana a las 8:00.",
            "[es-MX] Gracias por llamar. Hasta luego."]
        [callback] = line.ivr.callbacks.pending_for(CUSTOMER)
        assert callback.context["voice_message"]["seconds"] == wav_seconds(MESSAGE)

        add_people(line.app)
        ana = Browser(line.app)
        ana.sign_in("ana")
        [listed] = ana.get("/console/agent/live").get_json()["messages"]
        assert (listed["id"], listed["number"]) == (callback.id, CUSTOMER)
        played = ana.get(f"/console/agent/messages/{callback.id}")
        assert (played.status_code, played.data) == (200, MESSAGE), "the caller's own words"
    finally:
        recordings.stop()


def test_with_nobody_signed_in_by_day_the_callback_waits_at_the_callers_place(line, dial):
    caller = dial()
    assert "[es-MX] En este momento no hay personas conectadas para atenderle. Le atenderemos " \
           "en cuanto alguien se conecte." in caller.heard
    caller.press("1").press("1").press("1")
    assert caller.heard[-3:-1] == [
        "[es-MX] Listo. Le llamaremos al 5 5 1 2 3 4 5 6 7 8 cuando sea su turno.",
        "[es-MX] En este momento no hay personas conectadas para atenderle. Le atenderemos en "
        "cuanto alguien se conecte."]
    [callback] = line.ivr.callbacks.pending_for(CUSTOMER)
    assert list(line.ivr.queues.in_order("support")) == [callback.id]


# -- calling back in ---------------------------------------------------------------------

def scheduled_callback(line: Line, dial, due: dt.datetime | None):
    """A customer who asked to be called back (at `due`, or in turn) and hung up."""
    waiting = dial()
    callback = request_callback(line.ivr, waiting.sid, CUSTOMER, due)
    waiting.hang_up()
    return callback


def calls_again(line: Line) -> Call:
    call = Call(line.app, line.standin.auth_token, base_url=PUBLIC, caller=CUSTOMER)
    line.standin.incoming_call(call.sid, call.caller, call.number)
    return call.dial()


def test_calling_back_in_the_customer_hears_the_callback_and_keeps_it(line, dial):
    callback = scheduled_callback(line, dial, OFFICE_HOURS + dt.timedelta(minutes=30))
    call = calls_again(line)
    assert call.heard == [
        "[es-MX] Tiene una devolución de llamada programada para hoy a las 10:30.",
        "[es-MX] Para conservarla, marque uno. Para cancelarla, marque dos. Para hablar con "
        "una persona ahora, marque cero."]
    call.press("1")
    assert call.last_heard() == "[es-MX] Conservamos su devolución de llamada. Hasta luego."
    assert call.ending.kind == "goodbye"
    assert line.ivr.callbacks.get(callback.id).state == "requested"


def test_calling_back_in_the_customer_cancels_it_and_goes_on_into_the_menu(line, dial):
    callback = scheduled_callback(line, dial, None)  # waiting in line for its turn
    call = calls_again(line)
    assert call.heard[0] == ("[es-MX] Tiene una devolución de llamada pendiente: le llamaremos "
                             "cuando sea su turno.")
    call.press("2")
    assert call.heard[2] == "[es-MX] Cancelamos su devolución de llamada."
    # the menus, in the language the number chose when it booked
    assert call.heard[3].startswith("[es-MX] Para reportar una falla")
    assert line.ivr.callbacks.get(callback.id).state == "cancelled"
    assert line.ivr.callbacks.history(callback.id)[-1]["note"] == \
        "cancelled by the customer, calling in"
    assert list(line.ivr.queues.in_order("support")) == []
    call.press("0")  # the flow goes on as for anyone
    assert call.ending.queue == "support"


@pytest.mark.parametrize(("answers", "what"), [("press", "0"), ("says", "agente")])
def test_calling_back_in_zero_is_a_person_now_and_the_callback_stays(line, dial, answers, what):
    callback = scheduled_callback(line, dial, OFFICE_HOURS + dt.timedelta(minutes=30))
    call = calls_again(line)
    getattr(call, answers)(what)  # the key 0, or the escape word: as at any question
    assert "[es-MX] Le comunicamos con una persona. Un momento, por favor." in call.heard
    assert (call.ending.queue, call.ending.reason) == ("support", "asked for a person")
    assert line.ivr.callbacks.get(callback.id).state == "requested"


def test_calling_back_in_silence_starts_the_menu_with_the_callback_kept(line, dial):
    callback = scheduled_callback(line, dial, OFFICE_HOURS + dt.timedelta(minutes=30))
    call = calls_again(line)
    call.stays_silent().stays_silent().stays_silent()
    assert call.heard.count("[es-MX] No recibimos su respuesta.") == 2
    assert call.heard[-3].startswith("[es-MX] Para reportar una falla")  # its language
    assert call.waiting
    assert line.ivr.callbacks.get(callback.id).state == "requested"


def test_a_caller_who_has_held_past_the_maximum_is_offered_a_callback_anyway(line, dial):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=240)  # one minute to go
    caller = dial()
    assert OFFER not in caller.heard, "a short estimate makes no offer at first"
    line.clock.advance(16 * 60)  # the estimate was wrong: Ana's call goes on and on
    caller.stays_silent()
    assert OFFER in caller.heard
