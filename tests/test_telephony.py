"""What the app asks of Twilio's REST API, and how it copes when Twilio fails or is slow.

The app is driven as Twilio and the rq worker drive it (signed webhooks, jobs run here);
the assertions are on the requests the app made to the REST stand-in."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from flask import Flask
from twilio.rest import Client
from werkzeug.serving import make_server

from ivr_app.platform.telephony import HTTP_LOG, client_from_config, make_client, rebase
from tests.line import LINE_NUMBER, PUBLIC, Line, created_calls


def waiting_for_ana(line: Line, *, agents: tuple[str, ...] = ("ana",)) -> str:
    """Agents signed in for support (the first idle longest), and a caller who asked for a
    person; returns the caller's sid."""
    for n, agent in enumerate(agents):
        line.agent(agent, ["es"], ["support"], since_s=600 - n)
    return line.caller().dial().press("1").press("0").sid


def ring_requests(line: Line) -> list:
    """The call creations the app sent, accepted or not."""
    return [r for r in line.standin.requests if r.method == "POST"
            and r.path == f"/2010-04-01/Accounts/{line.standin.account_sid}/Calls.json"]


# -- ringing an agent ------------------------------------------------------------------


def test_ringing_an_agent_asks_twilio_for_the_whisper_and_the_legs_outcome(line):
    caller = waiting_for_ana(line)
    line.run_jobs()
    [sent] = ring_requests(line)
    query = f"caller={caller}&agent=ana"
    assert (sent.form["To"], sent.form["From"]) == (line.phone("ana"), LINE_NUMBER)
    assert (sent.form["Url"], sent.form["Method"]) == (f"{PUBLIC}/agent/whisper?{query}", "POST")
    assert (sent.form["StatusCallback"], sent.form["StatusCallbackMethod"]) == (
        f"{PUBLIC}/agent/status?{query}", "POST")
    assert sent.form.getlist("StatusCallbackEvent") == ["answered", "completed"]
    assert sent.form["Timeout"] == "20"  # AGENT_RING_SECONDS
    assert line.ivr.roster.get("ana").leg == created_calls(line)[0][0]


def test_twilios_signed_webhooks_about_the_agents_leg_are_accepted(line):
    waiting_for_ana(line)
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    assert "Para aceptar la llamada, marque uno." in line.standin.answer(leg)
    line.standin.hang_up(leg)
    assert [(urlsplit(h.url).path, h.status) for h in line.standin.webhooks] == [
        ("/agent/status", 204), ("/agent/whisper", 200), ("/agent/status", 204)]


@pytest.mark.parametrize("outcome", ["busy", "no-answer", "failed"])
def test_an_agent_who_does_not_take_the_call_is_set_away_and_the_next_is_rung(line, outcome):
    caller = waiting_for_ana(line, agents=("ana", "bea"))
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    assert line.standin.fail_call(leg, outcome).status == 204
    assert line.ivr.roster.get("ana").status == "away"
    assert line.ivr.queues.position("support", caller) == 1
    line.run_jobs()
    assert [to for _, to in created_calls(line)] == [line.phone("ana"), line.phone("bea")]


# -- when Twilio fails -----------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 401, 429])
def test_a_ring_twilio_refuses_goes_to_the_next_agent_next_time(line, status):
    first = waiting_for_ana(line, agents=("ana", "bea"))
    line.standin.fail_next(status=status, path="/Calls.json")
    line.run_jobs()
    assert len(ring_requests(line)) == 1 and created_calls(line) == []
    assert line.ivr.roster.get("ana").status == "away"  # not offered calls she cannot get
    assert line.ivr.queues.position("support", first) == 1
    line.caller().dial().press("1").press("0")  # the line looks again when someone arrives
    line.run_jobs()
    ring = ring_requests(line)[-1].form
    assert (ring["To"], ring["Url"]) == (
        line.phone("bea"), f"{PUBLIC}/agent/whisper?caller={first}&agent=bea")


def test_a_hanging_twilio_holds_the_worker_no_longer_than_the_timeout(make_app, line):
    slow = Line(make_app, line.standin, TWILIO_TIMEOUT=0.5)
    caller = waiting_for_ana(slow)
    slow.standin.hang_next(10, path="/Calls.json")
    started = time.monotonic()
    slow.run_jobs()
    assert time.monotonic() - started < 2
    assert slow.ivr.queues.position("support", caller) == 1


# -- over real HTTP --------------------------------------------------------------------


def test_webhooks_over_http_are_signed_for_the_apps_own_url_and_port(make_app, line):
    """Twilio signs the URL with its port: the app's check must accept that over a socket."""
    with serving() as (base, app_slot):
        served = Line(make_app, line.standin, PUBLIC_BASE_URL=base)
        app_slot.append(served.app)
        served.standin.app = None  # webhooks go over HTTP, as from Twilio
        waiting_for_ana(served)
        served.run_jobs()
        [(leg, _)] = created_calls(served)
        assert "Para aceptar la llamada, marque uno." in served.standin.answer(leg)
        assert [h.status for h in served.standin.webhooks] == [204, 200]


@contextmanager
def serving() -> Iterator[tuple[str, list[Flask]]]:
    """A real HTTP server on a free port of 127.0.0.1 for the app put in the list."""
    slot: list[Flask] = []
    server = make_server("127.0.0.1", 0, lambda env, start: slot[0](env, start), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", slot
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@contextmanager
def opened(client: Client) -> Iterator[Client]:
    """The client, its pooled connections closed afterwards."""
    try:
        yield client
    finally:
        client.http_client.session.close()  # type: ignore[attr-defined]


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


def test_no_header_or_credential_of_a_rest_request_reaches_the_log(twilio_standin, caplog):
    caplog.set_level(logging.DEBUG)  # as verbose as anyone might run the line
    client = client_from_config(twilio_standin.config())
    sid = "CA" + "1" * 32
    twilio_standin.incoming_call(sid, "+15005550006", "+15005550001")
    client.calls(sid).update(url="https://ivr.example.com/voice/step?seq=0", method="POST")
    assert twilio_standin.requests[-1].path.endswith(f"/Calls/{sid}.json")  # it checks the auth
    logged = "\n".join(r.getMessage() for r in caplog.records)
    credentials = base64.b64encode(
        f"{twilio_standin.account_sid}:{twilio_standin.auth_token}".encode()).decode()
    for secret in ("Authorization", credentials, twilio_standin.auth_token):
        assert secret not in logged
    assert [r.getMessage() for r in caplog.records
            if r.name == HTTP_LOG and r.levelno < logging.WARNING] == []
