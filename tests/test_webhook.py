"""The Twilio webhook contract: signatures, retries, malformed requests, failures."""

from __future__ import annotations

import logging
import re

import pytest
import redis as redis_py
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from ivr_app.demo.simulator import Call
from ivr_app.platform.security import valid_signature
from tests.conftest import TOKEN

SID = "CA" + "1" * 32
FORM = {"CallSid": SID, "AccountSid": "AC" + "0" * 32, "From": "+15005550006",
        "To": "+15005550001", "CallStatus": "ringing", "Direction": "inbound"}


def signed_post(client, path, form, token=TOKEN, base="http://localhost"):
    signature = RequestValidator(token).compute_signature(base + path, form)
    return client.post(path, data=form, base_url=base,
                       headers={"X-Twilio-Signature": signature})


def test_unsigned_request_to_voice_is_refused(app):
    response = app.test_client().post("/voice", data=FORM)
    assert response.status_code == 403


def test_request_signed_with_another_token_is_refused(app):
    response = signed_post(app.test_client(), "/voice", FORM, token="not-our-token")
    assert response.status_code == 403


def test_signature_over_other_parameters_is_refused(app):
    signature = RequestValidator(TOKEN).compute_signature("http://localhost/voice", FORM)
    tampered = FORM | {"From": "+15005550009"}
    response = app.test_client().post("/voice", data=tampered,
                                      headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_without_a_token_every_webhook_is_refused_unless_dev_mode_is_explicit(make_app):
    locked = make_app(TWILIO_AUTH_TOKEN="")
    assert locked.test_client().post("/voice", data=FORM).status_code == 403
    dev = make_app(TWILIO_AUTH_TOKEN="", INSECURE_DEV=True)
    assert dev.test_client().post("/voice", data=FORM).status_code == 200


def test_behind_a_proxy_the_public_url_is_what_is_signed(make_app):
    app = make_app(PUBLIC_BASE_URL="https://ivr.example.com")
    client = app.test_client()
    assert signed_post(client, "/voice", FORM).status_code == 403
    signature = RequestValidator(TOKEN).compute_signature("https://ivr.example.com/voice", FORM)
    response = client.post("/voice", data=FORM, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200


def test_trusted_proxy_headers_rebuild_the_signed_url(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    signature = RequestValidator(TOKEN).compute_signature("https://ivr.example.com/voice", FORM)
    response = app.test_client().post(
        "/voice", data=FORM, headers={"X-Twilio-Signature": signature,
                                      "X-Forwarded-Proto": "https",
                                      "X-Forwarded-Host": "ivr.example.com"})
    assert response.status_code == 200


@pytest.mark.parametrize(("received", "signed"), [
    ("https://ivr.example.com/voice", "https://ivr.example.com:443/voice"),
    ("https://ivr.example.com:443/voice", "https://ivr.example.com/voice"),
    ("http://ivr.example.com/voice", "http://ivr.example.com:80/voice"),
    ("https://twilio:s3cret@ivr.example.com:443/voice", "https://twilio:s3cret@ivr.example.com/voice"),
    ("https://[2001:db8::1]:443/voice", "https://[2001:db8::1]/voice"),
    ("wss://ivr.example.com/stream", "wss://ivr.example.com:443/stream"),
])
def test_twilio_may_sign_a_url_with_or_without_its_default_port(received, signed):
    given = RequestValidator(TOKEN).compute_signature(signed, FORM)
    assert valid_signature(TOKEN, received, MultiDict(FORM), given)
    assert not valid_signature(TOKEN, received.replace("ivr", "evil").replace("db8", "db9"),
                               MultiDict(FORM), given)


def test_incoming_call_gets_a_gather_with_silence_handled_after_it(app):
    body = signed_post(app.test_client(), "/voice", FORM).get_data(as_text=True)
    gather_at = body.index("<Gather")
    redirect_at = body.index('<Redirect method="POST">/voice/step?seq=0&amp;silence=1</Redirect>')
    assert gather_at < body.index("</Gather>") < redirect_at
    assert 'action="/voice/step?seq=0"' in body
    assert 'input="dtmf"' in body and 'numDigits="1"' in body


def test_twilio_retrying_a_step_gets_the_same_answer_and_does_not_count_twice(call, store):
    call.dial()
    form = FORM | {"CallSid": call.sid}
    first = signed_post(call.client, "/voice/step?seq=0&silence=1", form).get_data(as_text=True)
    again = signed_post(call.client, "/voice/step?seq=0&silence=1", form).get_data(as_text=True)
    assert first == again
    seq, state = store.load(call.sid)
    assert seq == 1 and state["tries"] == 1


def test_a_caller_whose_steps_twilio_retries_hears_each_ones_own_answer_and_nothing_changes(
        call, store, app):
    first = call.dial().post("/voice/step?seq=0", {"Digits": "1"})  # Spanish: the main menu
    second = call.post("/voice/step?seq=1", {"Digits": "2"})  # billing
    other = Call(app, TOKEN).dial()  # another caller, at their first step
    at_first = other.post("/voice/step?seq=0", {"Digits": "2"})  # English
    before = store.load(call.sid)
    assert call.post("/voice/step?seq=0", {"Digits": "1"}) == first
    assert call.post("/voice/step?seq=1", {"Digits": "2"}) == second
    assert other.post("/voice/step?seq=0", {"Digits": "2"}) == at_first != first
    assert store.load(call.sid) == before


def test_a_step_after_the_caller_was_put_through_changes_nothing(call, store, caplog):
    call.dial().press("1").press("0")  # Spanish, then a person: in line at step 2
    before = store.load(call.sid)
    with caplog.at_level(logging.WARNING):
        answer = call.post("/voice/step?seq=2", {"Digits": "1"})
    assert ">support</Enqueue>" in answer
    assert store.load(call.sid) == before
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "no step 2 for this call" in record.getMessage() and record.exc_info is None


def test_twilio_retrying_the_incoming_call_does_not_restart_it(app, store):
    client = app.test_client()
    first = signed_post(client, "/voice", FORM).get_data(as_text=True)
    signed_post(client, "/voice/step?seq=0", FORM | {"Digits": "1"})
    again = signed_post(client, "/voice", FORM).get_data(as_text=True)
    assert again == first
    seq, state = store.load(SID)
    assert (seq, state["node"], state["lang"]) == (1, "main_menu", "es")


def test_a_step_from_the_future_sends_the_caller_to_a_person(call):
    call.dial()
    body = signed_post(call.client, "/voice/step?seq=7", FORM | {"CallSid": call.sid,
                                                                 "Digits": "1"})
    assert body.status_code == 200
    assert "<Enqueue" in body.get_data(as_text=True)


@pytest.mark.slow  # seconds of connection timeouts to a Redis that is not there
def test_redis_down_mid_call_still_sends_the_caller_to_a_person(make_app, redis_url, caplog):
    app = make_app()
    client = app.test_client()
    assert signed_post(client, "/voice", FORM).status_code == 200
    dead = redis_py.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    ivr = app.extensions["ivr"]
    ivr.store.redis = dead
    body = signed_post(client, "/voice/step?seq=0", FORM | {"Digits": "1"}).get_data(
        as_text=True)
    assert "<Enqueue" in body and ">support</Enqueue>" in body
    assert "Le comunicamos con una persona" in body
    assert SID in caplog.text


def test_a_crash_in_our_code_sends_the_caller_to_a_person(app, monkeypatch):
    from ivr_app.call import engine

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "handle", broken)
    client = app.test_client()
    signed_post(client, "/voice", FORM)
    body = signed_post(client, "/voice/step?seq=0", FORM | {"Digits": "1"}).get_data(
        as_text=True)
    assert ">support</Enqueue>" in body


def test_a_broken_flow_from_the_start_still_reaches_the_fallback_number(make_app, tmp_path):
    (tmp_path / "main.yaml").write_text("nodes: [")
    app = make_app(FLOWS_DIR=str(tmp_path), FALLBACK_NUMBER="+15005550002",
                   FALLBACK_QUEUE="")
    body = signed_post(app.test_client(), "/voice", FORM).get_data(as_text=True)
    assert "<Dial>+15005550002</Dial>" in body


def test_queue_exit_after_a_served_call_hangs_up_and_a_full_queue_tries_again(app):
    client = app.test_client()
    served = signed_post(client, "/voice/queue-exit?queue=support",
                         FORM | {"QueueResult": "bridged", "QueueTime": "30"})
    assert "<Hangup />" in served.get_data(as_text=True)
    full = signed_post(client, "/voice/queue-exit?queue=support",
                       FORM | {"QueueResult": "queue-full"}).get_data(as_text=True)
    assert "<Pause" in full and ">support</Enqueue>" in full and "Hangup" not in full


def test_status_callback_records_how_the_call_ended(call, store):
    call.dial().press("1").press("0")
    call.hang_up()
    status = store.status(call.sid)
    assert (status["call"], status["duration"]) == ("completed", "30")
    assert sorted(status) == ["at", "call", "duration"], "what Twilio reported, and when"


def test_each_webhook_is_logged_in_one_line_with_call_route_status_and_time(app, caplog):
    with caplog.at_level(logging.INFO, logger="ivr_app.access"):
        signed_post(app.test_client(), "/voice", FORM)
    [line] = [r.getMessage() for r in caplog.records if r.name == "ivr_app.access"]
    assert re.fullmatch(rf"{SID} POST /voice 200 \d+\.\d ms", line), line


def test_a_step_the_call_never_had_is_logged_in_one_line_without_a_traceback(app, caplog):
    client = app.test_client()
    signed_post(client, "/voice", FORM)
    with caplog.at_level(logging.WARNING):
        body = signed_post(client, "/voice/step?seq=7", FORM | {"Digits": "1"}).get_data()
    assert b">support</Enqueue>" in body
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "no step 7 for this call (now at 0)" in record.getMessage()
    assert record.exc_info is None


def test_a_signed_request_with_no_call_sid_at_all_reaches_a_person_and_one_log_line(app, caplog):
    form = {k: v for k, v in FORM.items() if k != "CallSid"}
    with caplog.at_level(logging.WARNING):
        body = signed_post(app.test_client(), "/voice", form).get_data(as_text=True)
    assert ">support</Enqueue>" in body
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "CallSid is missing" in record.getMessage() and record.exc_info is None


def test_without_a_public_base_url_the_app_warns_what_it_checks_signatures_against(
        make_app, caplog):
    make_app()
    assert "PUBLIC_BASE_URL is not set" in caplog.text
    caplog.clear()
    make_app(PUBLIC_BASE_URL="https://ivr.example.com")
    assert "PUBLIC_BASE_URL" not in caplog.text


class Ear:
    """Speech in Spanish and English that notes every recording it is asked to hear."""

    def __init__(self):
        self.heard: list[str] = []

    def languages(self) -> frozenset[str]:
        return frozenset({"es", "en"})

    def hear(self, recording, lang, phrases):
        self.heard.append(recording)

    def close(self) -> None:
        pass


def test_a_caller_may_answer_the_first_question_by_voice_where_the_line_hears_speech(app):
    ivr = app.extensions["ivr"]
    ivr.recognizer = ivr.listener = Ear()
    body = signed_post(app.test_client(), "/voice", FORM).get_data(as_text=True)
    assert '<Record action="/voice/heard?seq=0"' in body


def test_a_step_that_is_not_the_current_one_gets_the_earlier_answer_and_changes_nothing(app):
    ivr = app.extensions["ivr"]
    ivr.recognizer = ivr.listener = ear = Ear()
    client = app.test_client()
    signed_post(client, "/voice", FORM)
    answered = signed_post(client, "/voice/step?seq=0", FORM | {"Digits": "1"}).data
    after = ivr.store.load(SID)
    late = [("/voice/step?seq=0", {"Digits": "0"}),  # a person, had it been the question
            ("/voice/step?seq=0&silence=1", {}),
            ("/voice/heard?seq=0", {"RecordingSid": "RE" + "2" * 32,
                                    "RecordingUrl": "https://api.twilio.com/rec"})]
    for path, form in late:
        assert signed_post(client, path, FORM | form).data == answered, path
        assert ivr.store.load(SID) == after, path
    assert ivr.queues.waiter(SID) is None
    assert ear.heard == [], "a recording for a question already left is not even fetched"


def test_words_typed_into_a_request_on_the_line_are_heard_as_nothing_said(make_app):
    """On the phone line spoken answers are recorded: SpeechResult is read only by the
    simulator's app, so typed words move no call there, not even the escape word."""
    app = make_app(typed_speech=False)  # built as wsgi.py builds it
    call = Call(app, TOKEN).dial().press("1")
    heard = len(call.heard)
    call.says("cancelar un servicio")
    assert call.heard[heard] == "[es-MX] No recibimos su respuesta."
    assert call.waiting and call.ending is None
    _, state = app.extensions["ivr"].store.load(call.sid)
    assert state["node"] == "main_menu" and state["path"][-1]["event"] == "silence"
    assert call.says("agente").ending is None
