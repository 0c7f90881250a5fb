"""What the screens say: one table of words per language with the same keys, a callback
listed once in a caller's history, the wait a caller was told, and hanging up from the
screen."""

from __future__ import annotations

from ivr_app.console import live
from ivr_app.console.text import LANGUAGES, TEXT
from ivr_app.demo.simulator import Call
from ivr_app.line.context import WHISPER
from tests.console.test_agent_actions import ana, ring_ana  # noqa: F401 (a fixture)
from tests.line import PUBLIC, created_calls

CUSTOMER = "+525512345678"


def test_every_language_has_every_word_of_the_console_and_the_whisper():
    for tables in (TEXT, WHISPER):
        keys = {lang: set(tables[lang]) for lang in LANGUAGES}
        assert keys["es"] == keys["en"], {lang: keys[lang] - keys["es"] - keys["en"]
                                          for lang in LANGUAGES} or keys


def waiting_caller(line, number: str = CUSTOMER) -> Call:
    caller = Call(line.app, line.standin.auth_token, base_url=PUBLIC, caller=number)
    line.standin.incoming_call(caller.sid, caller.caller, caller.number)
    return caller.dial()


def test_a_callback_shows_once_in_the_history_of_a_customer_who_calls_again(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    first = waiting_caller(line).press("1").press("0")
    first.press("1").press("1").press("1")  # a callback in turn, to this number
    first.hang_up()  # after the goodbye: Twilio reports the end
    [callback] = line.ivr.callbacks.pending_for(CUSTOMER)
    line.run_jobs()  # the first call is summed up, with its callback
    again = waiting_caller(line).press("0")  # a person now; the callback stays
    assert line.ivr.queues.waiter(again.sid), again.heard
    with line.app.test_request_context():
        story = live.call_view(line.ivr, again.sid)
    assert [row["callback"] for row in story["earlier"]] == [callback.id]
    assert story["callbacks"] == []
    [text] = story["earlier"][0]["texts"]  # the promise in writing, beside the call that asked
    [sent] = line.standin.messages
    assert (sent["to"], sent["body"]) == (CUSTOMER, text["body"])


def test_the_wait_told_to_a_caller_goes_with_their_callback(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    first = waiting_caller(line).press("1").press("0")
    told = line.ivr.wait_stats.given(first.sid)
    assert told and told[0]["estimate_s"] is not None
    first.press("1").press("1").press("1")
    [callback] = line.ivr.callbacks.pending_for(CUSTOMER)
    assert live.told_wait(line.ivr, callback.id) == told


def test_an_agent_hangs_up_their_call_from_the_screen(line, ana):  # noqa: F811
    call = ring_ana(line)
    [(leg, _)] = created_calls(line)
    line.standin.answer(leg)
    ana.post("/console/agent/accept", {"call": call.sid})
    other = line.caller().dial().press("1").press("0")
    assert ana.post("/console/agent/hangup", {"call": other.sid}).status_code == 409
    assert ana.post("/console/agent/hangup", {"call": call.sid}).status_code == 200
    assert line.standin.call(leg)["status"] == "completed"


def test_the_agent_reads_the_wait_as_the_caller_heard_it_in_either_language(line):
    line.agent("ana", ["es"], ["support"], status="wrap-up", since_s=300)  # free any moment
    caller = waiting_caller(line, "+525587654321").press("1").press("0")
    assert "[es-MX] Tiempo estimado de espera: menos de un minuto." in caller.heard
    for lang, heard in (("es", "menos de un minuto"), ("en", "less than a minute")):
        with line.app.test_request_context(headers={"Accept-Language": lang}):
            story = live.call_view(line.ivr, caller.sid)
            [waiting] = live.queue_view(line.ivr, "support")["waiting"]
        assert (story["wait_told_said"], waiting["estimate_said"]) == (heard, heard)
