"""The REST client from config, driven by the real twilio library against the stand-in."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask, request
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.serving import make_server

from ivr_app.platform.telephony import client_from_config, make_client, rebase
from ivr_app.testing.twilio_rest import TwilioStandin

AGENT, LINE = "+15005550006", "+15005550001"
CALL_SID = re.compile(r"CA[0-9a-f]{32}")


@contextmanager
def opened(client: Client) -> Iterator[Client]:
    """The client, its pooled connections closed afterwards."""
    try:
        yield client
    finally:
        client.http_client.session.close()  # type: ignore[attr-defined]


@pytest.fixture
def client(twilio_standin: TwilioStandin) -> Iterator[Client]:
    with opened(client_from_config(twilio_standin.config() | {"TWILIO_TIMEOUT": 2})) as built:
        yield built


def webhook_app(token: str) -> Flask:
    """A small app that answers TwiML and keeps every status callback with its verdict."""
    app = Flask(__name__)
    app.config["seen"] = []

    @app.post("/agent")
    def agent() -> str:
        app.config["seen"].append(("agent", dict(request.form), _valid(token)))
        return "<Response><Say>Caller waiting</Say></Response>"

    @app.post("/status")
    def status() -> tuple[str, int]:
        app.config["seen"].append((request.form["CallStatus"], dict(request.form), _valid(token)))
        return "", 204

    return app


def _valid(token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    return RequestValidator(token).validate(request.url, request.form, signature)


# -- the client goes where the config says ---------------------------------------------


def test_create_call_sends_what_the_app_asked_for(twilio_standin, client):
    call = client.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent",
                               status_callback="http://localhost/status",
                               status_callback_event=["ringing", "answered", "completed"],
                               timeout=20)

    assert CALL_SID.fullmatch(call.sid) and call.status == "queued"
    assert (call.to, call._from, call.direction) == (AGENT, LINE, "outbound-api")
    assert call.date_created is not None
    [sent] = twilio_standin.requests
    assert (sent.method, sent.path) == (
        "POST", f"/2010-04-01/Accounts/{twilio_standin.account_sid}/Calls.json")
    assert sent.form["To"] == AGENT and sent.form["From"] == LINE
    assert sent.form["Url"] == "http://localhost/agent"
    assert sent.form["StatusCallback"] == "http://localhost/status"
    assert sent.form.getlist("StatusCallbackEvent") == ["ringing", "answered", "completed"]
    assert sent.form["Timeout"] == "20"


def test_fetch_redirect_and_end_a_call(twilio_standin, client):
    twilio_standin.app = webhook_app(twilio_standin.auth_token)
    sid = client.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent").sid
    twilio_standin.answer(sid)
    assert client.calls(sid).fetch().status == "in-progress"

    client.calls(sid).update(twiml="<Response><Hangup/></Response>")
    assert twilio_standin.fetch_twiml(sid) == "<Response><Hangup/></Response>"
    client.calls(sid).update(url="http://localhost/agent")
    assert "Caller waiting" in twilio_standin.fetch_twiml(sid)

    ended = client.calls(sid).update(status="completed")
    assert ended.status == "completed" == client.calls(sid).fetch().status
    assert twilio_standin.requests[-2].form["Status"] == "completed"
    with pytest.raises(TwilioRestException) as refused:
        client.calls(sid).update(url="http://localhost/agent")
    assert (refused.value.status, refused.value.code) == (400, 21220)
    with pytest.raises(ValueError, match="is completed: only a queued call can answer"):
        twilio_standin.answer(sid)


def test_send_an_sms(twilio_standin, client):
    message = client.messages.create(to=AGENT, from_=LINE, body="We will call you back")

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid) and message.status == "queued"
    assert message.body == "We will call you back"
    sent = twilio_standin.requests[-1]
    assert sent.path.endswith("/Messages.json") and sent.form["Body"] == "We will call you back"


def test_an_incoming_call_can_be_redirected_like_on_twilio(twilio_standin, client):
    caller = "CA" + "7" * 32
    twilio_standin.incoming_call(caller, from_=AGENT, to=LINE)
    client.calls(caller).update(twiml="<Response><Leave/></Response>")

    assert twilio_standin.fetch_twiml(caller) == "<Response><Leave/></Response>"
    assert client.calls(caller).fetch().direction == "inbound"
    assert twilio_standin.created_calls == []  # only calls the app placed


def test_unknown_call_is_a_404(client):
    with pytest.raises(TwilioRestException) as missing:
        client.calls("CA" + "0" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)


# -- failures the app must survive -------------------------------------------------------


def test_wrong_credentials_are_a_401(twilio_standin):
    with opened(make_client(twilio_standin.account_sid, "not-the-token",
                            twilio_standin.url)) as wrong:
        with pytest.raises(TwilioRestException) as refused:
            wrong.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent")
        assert (refused.value.status, refused.value.code) == (401, 20003)


def test_injected_500_fails_one_request(twilio_standin, client):
    twilio_standin.fail_next(path="/Calls.json")
    with pytest.raises(TwilioRestException) as failed:
        client.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent")
    assert failed.value.status == 500 and "Unable to create record" in failed.value.msg
    assert client.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent").sid
    assert len(twilio_standin.requests) == 2  # the library does not retry by itself


def test_a_hanging_twilio_times_out_within_the_configured_timeout(twilio_standin):
    twilio_standin.hang_next(10)
    with opened(client_from_config(twilio_standin.config() | {"TWILIO_TIMEOUT": 0.5})) as impatient:
        started = time.monotonic()
        with pytest.raises(requests.exceptions.Timeout):
            impatient.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent")
        assert time.monotonic() - started < 2


# -- what Twilio does after the call is created ----------------------------------------


def test_answered_call_posts_signed_callbacks_and_fetches_twiml(twilio_standin, client):
    app = twilio_standin.app = webhook_app(twilio_standin.auth_token)
    sid = client.calls.create(to=AGENT, from_=LINE, url="https://ivr.example.com/agent",
                              status_callback="https://ivr.example.com/status?leg=agent",
                              status_callback_event=["ringing", "answered", "completed"]).sid

    assert "Caller waiting" in twilio_standin.answer(sid)
    twilio_standin.hang_up(sid, duration=42)

    seen = app.config["seen"]
    assert [(what, valid) for what, _, valid in seen] == [
        ("ringing", True), ("in-progress", True), ("agent", True), ("completed", True)]
    assert [form.get("SequenceNumber") for _, form, _ in seen] == ["0", "1", None, "2"]
    assert seen[-1][1]["CallDuration"] == "42" and seen[-1][1]["CallSid"] == sid
    hook = twilio_standin.webhooks[1]
    assert hook.url == "https://ivr.example.com/status?leg=agent"
    assert not RequestValidator("another-token").validate(hook.url, hook.params, hook.signature)
    assert client.calls(sid).fetch().status == "completed"


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
def test_unanswered_call_reports_only_the_subscribed_events(twilio_standin, client, outcome):
    app = twilio_standin.app = webhook_app(twilio_standin.auth_token)
    sid = client.calls.create(to=AGENT, from_=LINE, url="http://localhost/agent",
                              status_callback="http://localhost/status").sid

    twilio_standin.fail_call(sid, outcome)

    assert [(what, valid) for what, _, valid in app.config["seen"]] == [(outcome, True)]


def test_callbacks_over_http_to_a_real_server(twilio_standin, client):
    with serving(webhook_app(twilio_standin.auth_token)) as base:
        sid = client.calls.create(to=AGENT, from_=LINE, url=f"{base}/agent",
                                  status_callback=f"{base}/status").sid
        assert "Caller waiting" in twilio_standin.answer(sid)
        hook = twilio_standin.hang_up(sid)
        assert hook is not None and hook.status == 204
        assert [h.status for h in twilio_standin.webhooks] == [200, 204]


def test_callbacks_over_http_stay_on_loopback(twilio_standin, client):
    sid = client.calls.create(to=AGENT, from_=LINE, url="https://ivr.example.com/agent").sid
    with pytest.raises(ValueError, match="not on 127.0.0.1: give the stand-in the Flask app"):
        twilio_standin.answer(sid)


def test_the_apps_own_signature_check_accepts_the_callbacks(twilio_standin, client,
                                                            make_app: Callable[..., Flask]):
    twilio_standin.app = make_app(**twilio_standin.config())
    sid = client.calls.create(to=AGENT, from_=LINE, url="http://localhost/voice",
                              status_callback="http://localhost/voice/status").sid

    assert "<Response>" in twilio_standin.answer(sid)
    assert twilio_standin.hang_up(sid).status == 204  # 403 if the signature were refused


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """`app` on a real HTTP server on a free port of 127.0.0.1, for as long as the block."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


# -- building the client ---------------------------------------------------------------


def test_rebase_moves_only_twilio_hosts():
    base = urlsplit("http://127.0.0.1:8765/twilio")
    assert rebase("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?x=1", base) == (
        "http://127.0.0.1:8765/twilio/2010-04-01/Accounts/AC1/Calls.json?x=1")
    assert rebase("https://api.dublin.ie1.twilio.com/2010-04-01/", base).startswith(
        "http://127.0.0.1:8765/twilio/2010-04-01/")
    assert rebase("https://example.com/twilio.com", base) == "https://example.com/twilio.com"


def test_client_from_config_and_its_errors(monkeypatch):
    monkeypatch.setenv("TWILIO_REGION", "au1")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "from-the-environment")
    config = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "t",
              "TWILIO_API_BASE": "http://127.0.0.1:9", "TWILIO_TIMEOUT": "3"}
    with opened(client_from_config(config)) as built:
        assert built.http_client.timeout == 3.0
        assert (built.region, built.edge, built.password) == ("", "", "t")
    with pytest.raises(ValueError, match="TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must"):
        make_client("AC" + "1" * 32, "")
    with pytest.raises(ValueError, match="TWILIO_API_BASE must look like http://127.0.0.1:8765"):
        make_client("AC" + "1" * 32, "t", "127.0.0.1:8765")
