"""When Redis stalls or dies, every caller still reaches a person, and our line catches up.

Each test runs a Redis of its own (tests/support/servers.py) and stalls it with SIGSTOP
or kills it with SIGKILL, as a real outage would; the app talks to it as in production.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import logging
import os
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import RedisError
from twilio.request_validator import RequestValidator

from ivr_app.console.text import TEXT
from ivr_app.platform.launcher import free_port
from tests.conftest import TOKEN
from tests.console.conftest import Browser, add_people
from tests.support.servers import DrillRedis, OverHttp, gunicorn
from tests.support.workers import wait_for
from tests.test_webhook import FORM, signed_post

# What a wait URL answers to keep a caller in Twilio's queue. <Leave> (only when the caller
# asks to go) and <Hangup> take them out of it: never an answer to a failure of ours.
HOLDING_VERBS = {"Play", "Say", "Pause", "Gather", "Redirect"}
MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"


@pytest.fixture
def drill_redis(tmp_path: Path) -> Iterator[DrillRedis]:
    server = DrillRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def sid(n: int) -> str:
    return f"CA{n:032x}"


def verbs(body: bytes | str) -> set[str]:
    root = ET.fromstring(body)
    return {element.tag for element in root.iter()} - {"Response"}


@pytest.mark.drill
def test_twenty_callers_arriving_during_a_stall_each_reach_a_person_within_5_s(
        drill_redis, tmp_path):
    env = {**os.environ, "REDIS_URL": drill_redis.url, "TWILIO_AUTH_TOKEN": TOKEN,
           "FLOWS_DIR": "flows", "IVR_FLOW": "main", "PUBLIC_BASE_URL": "",
           "REDIS_TIMEOUT": "1.0", "REDIS_COOLDOWN_SECONDS": "5"}
    with gunicorn("ivr", "wsgi:app", env, tmp_path) as server:
        url = server.base_url + "/voice"
        validator = RequestValidator(TOKEN)

        def call(n: int) -> tuple[float, int, bytes]:
            form = FORM | {"CallSid": sid(1000 + n), "From": f"+1500555{n:04d}"}
            body = urllib.parse.urlencode(form)
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
            conn.request("POST", "/voice", body, {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(url, form)})
            response = conn.getresponse()
            answer = response.read()
            conn.close()
            return time.monotonic() - started, response.status, answer

        drill_redis.stall()
        try:
            with concurrent.futures.ThreadPoolExecutor(20) as pool:
                results = list(pool.map(call, range(20)))
        finally:
            drill_redis.resume()
    for seconds, status, answer in results:
        assert status == 200
        assert b">support</Enqueue>" in answer  # the demo flow's queue for a person
        assert seconds < 5, f"a caller waited {seconds:.1f} s"


@pytest.mark.drill
def test_a_caller_sent_to_a_person_while_redis_was_down_joins_our_line_when_it_is_back(
        make_app, drill_redis):
    app = make_app(REDIS_URL=drill_redis.url, REDIS_COOLDOWN_SECONDS=0.2)
    client = app.test_client()
    ivr = app.extensions["ivr"]
    drill_redis.kill()
    arrived = ivr.clock()
    answer = signed_post(client, "/voice", FORM).get_data(as_text=True)
    assert ">support</Enqueue>" in answer and 'waitUrl="/voice/wait?queue=support"' in answer
    hold = signed_post(client, "/voice/wait?queue=support", FORM | {"QueueTime": "0"})
    assert hold.status_code == 200 and verbs(hold.data) <= HOLDING_VERBS, hold.data
    assert client.get("/health").status_code == 503
    drill_redis.start()
    # once the breaker's cooldown is over, any request lines them up
    wait_for(lambda: client.get("/health").status_code == 200, 5, "Redis back for the app")
    waiter = ivr.queues.waiter(FORM["CallSid"])
    assert (waiter.queue, waiter.reason) == ("support", "our error")
    assert waiter.entered == arrived.timestamp()
    assert ivr.queues.position("support", FORM["CallSid"]) == 1


@pytest.mark.drill
def test_a_caller_on_hold_during_a_redis_outage_hears_music_and_stays(make_app, drill_redis):
    app = make_app(REDIS_URL=drill_redis.url, HOLD_MUSIC_URL=MUSIC)
    client = app.test_client()
    signed_post(client, "/voice", FORM)
    signed_post(client, "/voice/step?seq=0", FORM | {"Digits": "0"})  # waiting for a person
    drill_redis.kill()
    hears_music_and_stays(client)


def hears_music_and_stays(client) -> None:
    """The music ends and Twilio asks again; the caller presses 0 (where am I?), then 1:
    each answer is the music again, and nothing that ends the call."""
    for path, form in (("/voice/wait?queue=support", {"QueueTime": "40"}),
                       ("/voice/wait-key", {"Digits": "0"}),
                       ("/voice/wait-key", {"Digits": "1"})):
        hold = signed_post(client, path, FORM | form)
        assert hold.status_code == 200
        assert verbs(hold.data) <= HOLDING_VERBS, hold.data
        assert [e.text for e in ET.fromstring(hold.data).iter("Play")] == [MUSIC], hold.data


def test_a_caller_on_hold_when_our_line_cannot_reach_redis_hears_music_and_stays(
        make_app, redis):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", HOLD_MUSIC_URL=MUSIC)
    hears_music_and_stays(app.test_client())  # nothing listens there: every request fails


def test_the_wait_url_lines_up_a_caller_our_line_never_knew_at_their_real_arrival(
        make_app, redis):
    app = make_app()
    ivr = app.extensions["ivr"]
    client = app.test_client()
    earlier = FORM | {"CallSid": sid(7)}
    signed_post(client, "/voice", earlier)
    signed_post(client, "/voice/step?seq=0", earlier | {"Digits": "0"})  # in line, normally
    unknown = FORM | {"CallSid": sid(8), "From": "+15005550077", "QueueTime": "95"}
    hold = signed_post(client, "/voice/wait?queue=support", unknown).get_data(as_text=True)
    assert verbs(hold) <= HOLDING_VERBS
    assert "Usted es el número 1 en la fila." in hold  # in the flow's language, like anyone
    waiter = ivr.queues.waiter(sid(8))
    assert (waiter.queue, waiter.reason) == ("support", "our error")
    assert waiter.entered == ivr.clock().timestamp() - 95
    assert ivr.queues.position("support", sid(8)) == 1  # arrived before the other caller
    assert ivr.queues.position("support", sid(7)) == 2
    context = client.get(f"/api/calls/{sid(8)}/context")
    assert context.status_code in (401, 403)  # the API wants its token; the state is kept:
    _, state = ivr.store.load(sid(8))
    assert state["from"] == "+15005550077" and state["outcome"]["reason"] == "our error"


@pytest.mark.parametrize("query, queue", [("?queue=supervisors", "supervisors"), ("", "support")])
def test_a_caller_our_line_never_knew_joins_the_line_of_the_queue_twilio_holds_them_in(
        make_app, redis, query, queue):
    """Twilio's supervisors' queue holds them: ours too; a wait URL naming no queue: the
    flow's own."""
    app = make_app()
    signed_post(app.test_client(), f"/voice/wait{query}", FORM | {"QueueTime": "5"})
    waiter = app.extensions["ivr"].queues.waiter(FORM["CallSid"])
    assert (waiter.queue, waiter.reason) == (queue, "our error")


@pytest.mark.parametrize("queue_time, waited", [
    ("0", 0), (None, 0), ("", 0), ("-30", 0), ("soon", 0), ("100000", 86400)])
def test_a_queue_time_twilio_sends_oddly_puts_the_caller_at_most_a_day_back_never_ahead(
        make_app, redis, queue_time, waited):
    """Twilio's QueueTime dates an unknown caller's arrival: missing or unreadable, they
    arrived just now; never in the future, nor more than a day ago."""
    app = make_app()
    ivr = app.extensions["ivr"]
    form = FORM | ({} if queue_time is None else {"QueueTime": queue_time})
    signed_post(app.test_client(), "/voice/wait?queue=support", form)
    assert ivr.queues.waiter(FORM["CallSid"]).entered == ivr.clock().timestamp() - waited


@pytest.mark.drill
def test_the_other_legs_answer_sanely_while_redis_is_down(make_app, drill_redis):
    app = make_app(REDIS_URL=drill_redis.url, AGENT_API_TOKEN="t0ken")
    client = app.test_client()
    drill_redis.kill()
    caller = sid(9)
    whisper = signed_post(client, f"/agent/whisper?caller={caller}&agent=ana", FORM)
    assert whisper.status_code == 200 and b"No podemos leer los datos" in whisper.data
    assert b"<Hangup" in whisper.data
    accept = signed_post(client, f"/agent/accept?caller={caller}&agent=ana",
                         FORM | {"Digits": "1"})
    assert accept.status_code == 200 and b"<Hangup" in accept.data
    answer = signed_post(client, "/callback/answer?id=CB" + "1" * 32, FORM)
    assert answer.status_code == 200 and b"Le volveremos a llamar" in answer.data
    for path in ("/voice/status", f"/agent/status?caller={caller}&agent=ana",
                 "/callback/status?id=CB" + "1" * 32):
        assert signed_post(client, path, FORM | {"CallStatus": "completed"}).status_code == 204
    api = client.get("/api/queues", headers={"Authorization": "Bearer t0ken"})
    assert api.status_code == 503 and "Redis" in api.get_json()["error"]
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json() == {"redis": False, "flow": True}


def test_a_request_body_larger_than_any_webhook_is_refused_before_parsing(app):
    big = FORM | {"Padding": "x" * 70_000}
    assert signed_post(app.test_client(), "/voice", big).status_code == 413
    api = app.test_client().put("/api/agents/ana", data="[" * 70_000, headers={
        "Content-Type": "application/json"})
    assert api.status_code == 413


@pytest.mark.parametrize("body, problem", [
    ({"name": "Ana", "queues": [[[[["support"]]]]]}, "JSON nested more than"),
    ({"name": "A" * 1001, "queues": ["support"]}, "a text of 1001 characters"),
])
def test_the_api_refuses_deep_or_long_json(make_app, redis, body, problem):
    client = make_app(AGENT_API_TOKEN="t0ken").test_client()
    answer = client.put("/api/agents/ana", json=body, headers={"Authorization": "Bearer t0ken"})
    assert answer.status_code == 400 and problem in answer.get_data(as_text=True)


@pytest.mark.drill
def test_a_line_started_while_redis_is_down_puts_callers_through_and_recovers_by_itself(
        drill_redis, tmp_path):
    """A restart during an outage: gunicorn boots (no `Worker failed to boot`), callers go
    to a person, the console says it waits for Redis, and both serve normally as soon as
    Redis answers, without a restart."""
    drill_redis.kill()
    env = {**os.environ, "REDIS_URL": drill_redis.url, "TWILIO_AUTH_TOKEN": TOKEN,
           "FLOWS_DIR": "flows", "IVR_FLOW": "main", "PUBLIC_BASE_URL": "", "SECRET_KEY": ""}
    with gunicorn("ivr", "wsgi:app", env, tmp_path, options=["--preload"]) as server:
        http, base = OverHttp(), server.base_url
        during = signed_post(http, "/voice", FORM | {"CallSid": sid(1)}, base=base)
        assert during.status_code == 200 and {"Enqueue"} <= verbs(during.content), during.text
        console = http.session.get(base + "/console/login", timeout=15)
        assert console.status_code == 503 and "Redis" in console.text
        drill_redis.start()
        wait_for(lambda: http.session.get(base + "/health", timeout=15).status_code == 200, 10,
                 "the line answering again")
        after = signed_post(http, "/voice", FORM | {"CallSid": sid(2)}, base=base)
        assert "Gather" in verbs(after.content) and "Enqueue" not in verbs(after.content)
        assert http.session.get(base + "/console/login", timeout=15).status_code == 200


@pytest.mark.parametrize("page", ["/console/agent", "/console/board", "/console/flows"])
def test_every_console_page_says_it_waits_for_redis_when_redis_is_gone(make_app, redis, page):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    answer = app.test_client().get(page)
    assert answer.status_code == 503 and "Redis" in answer.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_page_that_waits_for_redis_is_in_the_readers_language(make_app, redis, lang):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    page = app.test_client().get("/console/agent", headers={"Accept-Language": lang})
    text = page.get_data(as_text=True)  # marked too, for a screen reader's voice
    assert f'<html lang="{lang}">' in text and TEXT[lang]["unavailable"] in text


def test_a_console_page_without_redis_logs_that_it_waits_and_why(make_app, redis, caplog):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="ivr_app.console.auth"):
        assert app.test_client().get("/console/agent").status_code == 503
    [line] = [r for r in caplog.records if r.name == "ivr_app.console.auth"]
    [why] = line.args  # the line docs/failures.md lists, with Redis's error
    assert isinstance(why, RedisError)
    assert line.getMessage() == f"console sessions wait for Redis: {why}"


@pytest.mark.drill
def test_a_signed_in_agent_sees_her_screen_wait_for_redis_when_it_goes_away(make_app,
                                                                             drill_redis):
    app = make_app(REDIS_URL=drill_redis.url)
    add_people(app)
    ana = Browser(app)
    ana.sign_in("ana")
    assert ana.get("/console/agent").status_code == 200
    drill_redis.kill()
    gone = ana.get("/console/agent")
    assert gone.status_code == 503 and "Redis" in gone.get_data(as_text=True)
