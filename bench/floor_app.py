"""The floor for bench/webhook.py: the work no step can avoid, and nothing else.

A Flask app that parses the form, checks Twilio's signature (the app's own decorator), makes
one Redis round trip (an EVALSHA reading the call's hash, through a client built as the app
builds its own) and answers a fixed small TwiML document. Same paths as the IVR's webhooks,
so requests have the same shape. gunicorn serves it as `bench.floor_app:create_floor_app()`
with the app's gunicorn.conf.py; settings from the environment (REDIS_URL, ...).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from ivr_app.platform.breaker import Breaker
from ivr_app.platform.config import settings
from ivr_app.platform.redis_client import connect
from ivr_app.platform.security import twilio_signed
from ivr_app.state.calls import CALL_KEY

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/step?seq=0" '
         'input="dtmf" method="POST" numDigits="1"><Say>Hello.</Say></Gather></Response>')
_READ = "return redis.call('HGET', KEYS[1], 'seq')"


def create_floor_app(config: dict[str, Any] | None = None) -> Flask:
    floor = Flask(__name__)
    floor.config.from_mapping(settings(config))
    read = connect(floor.config, Breaker(floor.config["REDIS_COOLDOWN_SECONDS"])
                   ).register_script(_READ)

    @floor.post("/voice")
    @floor.post("/voice/step")
    @floor.post("/voice/wait")
    @twilio_signed
    def answer() -> Response:
        read(keys=[CALL_KEY.format(sid=request.form.get("CallSid", ""))])
        return Response(TWIML, mimetype="text/xml")

    return floor
