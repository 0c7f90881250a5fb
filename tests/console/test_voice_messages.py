"""Voice messages left instead of a callback: listed for the queue's agents and played in the
page, fetched from Twilio (here its recordings stand-in) with the account's credentials."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ivr_app.demo.recordings import RecordingServer
from ivr_app.state.agents import Agent
from tests.conftest import OFFICE_HOURS, TOKEN
from tests.console.conftest import Browser, add_people

ACCOUNT = "AC" + "7" * 32
WAV = Path("tests/audio/en-billing-175.wav").read_bytes()  # a customer saying "billing"


def test_a_voice_message_is_listed_and_played_to_agents_of_its_queue(make_app, redis):
    recordings = RecordingServer(ACCOUNT, TOKEN).start()
    try:
        app = make_app(TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_API_BASE=recordings.base)
        add_people(app)
        ivr = app.extensions["ivr"]
        ivr.roster.save(Agent(id="ana", name="Ana", phone="+15005550101", queues=["billing"]))
        message = {"voice_message": {"url": recordings.add(WAV), "seconds": 7}}
        left = ivr.callbacks.create(number="+525512345678", lang="es", queue="billing",
                                    reason="bill dispute", flow="main", place=1,
                                    context=message, now=OFFICE_HOURS - dt.timedelta(hours=1))
        ana = Browser(app)
        ana.sign_in("ana")
        [listed] = ana.get("/console/agent/live").get_json()["messages"]
        assert (listed["id"], listed["message_s"], listed["number"]) == (
            left.id, 7, "+525512345678")
        played = ana.get(f"/console/agent/messages/{left.id}")
        assert (played.status_code, played.mimetype, played.data) == (200, "audio/wav", WAV)

        ivr.roster.save(Agent(id="ana", name="Ana", phone="+15005550101", queues=["support"]))
        assert ana.get("/console/agent/live").get_json()["messages"] == []
        assert ana.get(f"/console/agent/messages/{left.id}").status_code == 404
    finally:
        recordings.stop()
