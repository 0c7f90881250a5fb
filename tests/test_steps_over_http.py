"""Under gunicorn, as the Procfile runs it, a call's step is one round trip to Redis whichever
of the two workers takes it: they share what each knows of the calls whose last step it took
(ivr_app/state/recent.py). Counted on a Redis server of the test's own, which nothing but
the line's two workers talks to."""

from __future__ import annotations

import http.client
import os
import secrets
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import TOKEN, distinct_number
from tests.support.servers import DrillRedis, Server, gunicorn, scripts_run

pytestmark = pytest.mark.slow

CALLS = 12
MENU = "Para reportar una falla de internet o televisión, marque uno."


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[str]:
    server = DrillRedis(tmp_path / "redis").start()
    yield server.url
    server.stop()


def post(server: Server, path: str, form: dict[str, str]) -> str:
    """Signed as Twilio signs it, on a connection of its own: either worker may take it."""
    signature = RequestValidator(TOKEN).compute_signature(server.base_url + path, form)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        conn.request("POST", path, urllib.parse.urlencode(form),
                     {"Content-Type": "application/x-www-form-urlencoded",
                      "X-Twilio-Signature": signature, "Connection": "close"})
        response = conn.getresponse()
        assert response.status == 200
        return response.read().decode()
    finally:
        conn.close()


def test_each_step_is_one_round_trip_whichever_of_the_two_workers_takes_it(own_redis, tmp_path):
    env = {**os.environ, "REDIS_URL": own_redis, "TWILIO_AUTH_TOKEN": TOKEN,
           "FLOWS_DIR": "flows", "IVR_FLOW": "main", "PUBLIC_BASE_URL": ""}
    with gunicorn("ivr", "wsgi:app", env, tmp_path) as server:
        calls = [{"CallSid": "CA" + secrets.token_hex(16), "From": distinct_number(),
                  "To": "+15005550001", "CallStatus": "in-progress", "Direction": "inbound",
                  "AccountSid": "AC" + "0" * 32} for _ in range(CALLS + 1)]
        for form in calls:
            post(server, "/voice", form)
        first, *others = calls
        step_through(server, first)  # the line's first steps load the step's script
        before = scripts_run(own_redis)
        for form in others:
            step_through(server, form)
        assert scripts_run(own_redis) - before == 2 * CALLS


def step_through(server: Server, form: dict[str, str]) -> None:
    assert MENU in post(server, "/voice/step?seq=0", form | {"Digits": "1"})  # Spanish
    assert "<Gather" in post(server, "/voice/step?seq=1", form | {"Digits": "1"})  # a fault
