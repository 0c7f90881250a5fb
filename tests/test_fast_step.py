"""What makes a step cheaper changes no answer: the signature check agrees with Twilio's own
validator (one HMAC for a good request instead of two), TwiML kept per turn is the TwiML
built afresh, and a new call sends the flow's text only when Redis does not keep it."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from ivr_app.call import engine, twiml, voice
from ivr_app.call.turn import Event
from ivr_app.demo.simulator import Call
from ivr_app.platform.security import signature, valid_signature
from ivr_app.state.calls import FLOW_SOURCE_KEY
from tests.conftest import OFFICE_HOURS
from tests.conftest import TOKEN as APP_TOKEN

TOKEN = "test-auth-token-0123456789abcdef"
URLS = ["https://ivr.example.com/voice", "https://ivr.example.com:443/voice/step?seq=3",
        "http://127.0.0.1:5000/voice/wait?queue=support", "http://localhost/voice",
        "http://localhost:80/agent/whisper?caller=CA1&agent=ana"]
fields = st.lists(st.tuples(st.sampled_from(["CallSid", "Digits", "From", "SpeechResult"]),
                            st.text(max_size=12)), max_size=6)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("signed_as", ["same", "port-swapped"])
@given(pairs=fields)
def test_accepts_exactly_what_twilio_accepts(url, signed_as, pairs):
    form = MultiDict(pairs)
    twilio = RequestValidator(TOKEN)
    signed_url = url if signed_as == "same" else _swap_port(url)
    good = twilio.compute_signature(signed_url, form)
    assert valid_signature(TOKEN, url, form, good) == twilio.validate(url, form, good) is True
    tampered = MultiDict([*pairs, ("Extra", "1")])
    assert valid_signature(TOKEN, url, tampered, good) is twilio.validate(url, tampered, good)
    assert not valid_signature("another-token", url, form, good)
    assert signature(TOKEN, url, form) == twilio.compute_signature(url, form)


def _swap_port(url: str) -> str:
    if ":443/" in url or ":80/" in url or ":5000/" in url:
        return url.replace(":443/", "/").replace(":80/", "/").replace(":5000/", "/")
    return url.replace(".com/", ".com:443/").replace("localhost/", "localhost:80/")


QUERIES = ["seq=3", "seq=3&silence=1", "silence=1&seq=4", "seq=3&seq=4", "seq=", "seq", "",
           "seq=%33", "seq=3+1", "seq=٣", "a=b=c", "&seq=5&", "seq=1;silence=1", "=7&seq=2"]


@pytest.mark.parametrize("query", QUERIES)
@given(extra=st.lists(st.tuples(st.sampled_from(["seq", "silence", "x"]),
                                st.text(max_size=4)), max_size=3))
def test_a_step_reads_its_query_as_werkzeug_reads_it(query, extra):
    """The step URL's fields read directly are the first of each name request.args gives,
    whatever the query holds (our own `seq=3&silence=1`, quoted, repeated, other scripts)."""
    full = "&".join([query, *(f"{name}={value}" for name, value in extra)])
    path = f"/voice/step?{full}".replace("#", "%23")
    with Flask(__name__).test_request_context(path, method="POST") as ctx:
        args = ctx.request.args
        assert voice._query(ctx.request) == {name: args[name] for name in args}


@pytest.mark.parametrize("digits", ["1", "2", "0", "7", "*"])
@pytest.mark.parametrize("speech", [(), ("es", "en")])
def test_twiml_kept_per_turn_is_the_twiml_built_afresh(app, digits, speech):
    flow = app.extensions["ivr"].registry.current("main")
    for seq in (1, 7, 1, 12):  # the second time round comes from what was kept
        state = engine.new_state(flow, {"CallSid": "CA" + "1" * 32}, OFFICE_HOURS)
        engine.start(flow, state, OFFICE_HOURS)
        turn = engine.handle(flow, state, Event("digits", digits), OFFICE_HOURS)
        listen = turn.ask is not None and turn.ask.voice in speech
        assert twiml.render(flow, turn, seq, speech) == twiml._render(flow, turn, seq, listen)
        assert f"seq={seq}" in twiml.render(flow, turn, seq, speech) or turn.ask is None


def test_a_new_call_sends_the_flow_text_only_when_redis_has_lost_it(app, redis):
    flow = app.extensions["ivr"].registry.current("main")
    key = FLOW_SOURCE_KEY.format(name=flow.name, version=flow.version)
    Call(app, APP_TOKEN).dial()
    assert redis.get(key).decode() == app.extensions["ivr"].registry.source(flow)
    redis.expire(key, 60)
    Call(app, APP_TOKEN).dial()
    assert redis.ttl(key) > 3600, "each new call keeps the text as long as its own state"
    redis.delete(key)  # lost (a failover, a flush)
    Call(app, APP_TOKEN).dial()
    assert redis.get(key).decode() == app.extensions["ivr"].registry.source(flow)


def test_with_a_wait_for_a_replica_each_step_still_commits_and_a_missing_one_is_told(
        make_app, redis, caplog):
    app = make_app(REDIS_WAIT_REPLICAS=1, REDIS_WAIT_MS=10)  # this Redis has no replica
    with caplog.at_level("WARNING", logger="ivr_app.state.calls"):
        call = Call(app, APP_TOKEN).dial().press("1")
    assert call.waiting and app.extensions["ivr"].store.load(call.sid)[0] == 1
    assert caplog.text.count("a step reached 0 of 1 replicas within 10 ms") == 1
    redis.script_flush()  # a new master that never ran the commit script
    assert Call(app, APP_TOKEN).dial().press("1").waiting
