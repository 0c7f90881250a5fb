"""`up` without a Twilio account: the line still rings agents and escalates, through the
built-in stand-in, and the console shows those calls and answers them for the callee."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
import requests

from ivr_app import create_app
from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import AUTH_TOKEN
from ivr_app.platform.config import settings
from ivr_app.state.users import Users
from tests.browser.stack import ROOT, OverHttp
from tests.console.conftest import PASSWORD
from tests.support.servers import free_port
from tests.support.workers import wait_for

pytestmark = pytest.mark.drill

API_TOKEN = "demo-api-token"


def test_up_without_twilio_rings_agents_escalates_and_shows_the_calls(redis_url, redis):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    proc = subprocess.Popen([sys.executable, "-m", "ivr_app", "up", "--port", str(port)],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            env=env | {"REDIS_URL": redis_url, "AGENT_API_TOKEN": API_TOKEN})
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings({"REDIS_URL": redis_url, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}))
    ivr = app.extensions["ivr"]
    web = requests.Session()
    web.trust_env = False
    try:
        wait_for(lambda: _answers(web, base), 40, "up to serve the console")
        wait_for(lambda: ivr.roster.get("ana"), 10, "the demo roster")
        ivr.roster.set_status("ana", "available", dt.datetime.now(dt.UTC))
        ivr.roster.set_status("sol", "available", dt.datetime.now(dt.UTC))
        caller = Call(app, AUTH_TOKEN, base_url=base)
        caller.client = OverHttp()
        caller.dial().press("1").press("0")
        ana = wait_for(lambda: (a := ivr.roster.get("ana")).leg and a, 20,
                       "the worker to ring Ana through the stand-in")
        assert (ana.status, ana.call) == ("offered", caller.sid)

        escalated = web.post(f"{base}/api/calls/{caller.sid}/escalate",
                             json={"agent": "ana", "note": "wants a supervisor"},
                             headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert escalated.status_code == 202, escalated.text

        Users(ivr.redis).add("sol", "supervisor", PASSWORD)
        page = web.get(f"{base}/console/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        web.post(f"{base}/console/login", data={"name": "sol", "password": PASSWORD,
                                                "csrf_token": token})
        legs = wait_for(lambda: [c for c in web.get(f"{base}/console/demo/calls").json()[
            "calls"] if c["to"] == ivr.roster.get("sol").phone], 20, "Sol to be rung")
        answered = web.post(f"{base}/console/demo/calls/{legs[0]['sid']}/answer", json={},
                            headers={"X-CSRFToken": token})
        assert answered.status_code == 202
        heard = wait_for(lambda: [c["hears"] for c in web.get(
            f"{base}/console/demo/calls").json()["calls"] if c["sid"] == legs[0]["sid"]
                                   and c["hears"]], 10, "the whisper")
        assert "Motivo: escalada por ana." in heard[0]  # the whisper speaks Spanish
        assert heard[0].count("wants a supervisor") == 1  # the note, once
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        app.extensions["ivr"].close()
    assert "No Twilio account" in out
    assert "user add admin --role supervisor" in out


def _answers(session: requests.Session, base: str) -> bool:
    try:
        return session.get(f"{base}/console/login", timeout=1).status_code == 200
    except requests.RequestException:
        return False
