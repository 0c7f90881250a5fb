"""The baseline for bench/webhook.py: a bare Flask app answering a fixed small TwiML document.

Same paths as the IVR's webhooks, so requests have the same shape; it reads no form, checks
no signature and touches no Redis. gunicorn serves it as `bare_app:app` (`--pythonpath bench`).
"""

from flask import Flask, Response

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/voice/step?seq=0" '
         'input="dtmf" method="POST" numDigits="1"><Say>Hello.</Say></Gather></Response>')


def create_bare_app() -> Flask:
    bare = Flask(__name__)

    @bare.post("/voice")
    @bare.post("/voice/step")
    def answer() -> Response:
        return Response(TWIML, mimetype="text/xml")

    @bare.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    return bare


app = create_bare_app()
