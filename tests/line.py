"""The phone line as tests drive it: the app, its agents, and Twilio played by a stand-in."""

from __future__ import annotations

import datetime as dt
import re

import rq
from twilio.request_validator import RequestValidator

from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.state.agents import Agent
from tests.conftest import OFFICE_HOURS, distinct_number
from workers import context
from workers import routing as routing_jobs

PUBLIC = "https://ivr.example.com"
API_TOKEN = "agent-api-token"
ACCOUNT = "12345674"
LINE_NUMBER = "+15005550000"  # the number the line calls agents and customers from


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class BurstWorker(rq.SimpleWorker):
    """rq's SimpleWorker without the channel a lasting worker hears commands on: a burst
    here is sent none, and on leaving rq waits a whole second for that listener to stop."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass


class Line:
    """The phone line with its agents, Twilio's REST API played by a local stand-in."""

    def __init__(self, make_app, standin: TwilioStandin, clock=None, **config):
        self.clock = clock or Clock(OFFICE_HOURS)  # the real clock for real rq workers
        self.standin = standin
        settings = {"PUBLIC_BASE_URL": PUBLIC, "AGENT_API_TOKEN": API_TOKEN,
                    "TWILIO_CALLER_ID": LINE_NUMBER} | standin.config() | config
        self.app = make_app(clock=self.clock, **settings)
        self.public = settings["PUBLIC_BASE_URL"]  # where Twilio sends its webhooks
        standin.app = self.app
        self.ivr = self.app.extensions["ivr"]
        self.api = self.app.test_client()
        self.phones: dict[str, str] = {}  # agent id -> their own number

    def agent(self, agent_id: str, languages: list[str], queues: list[str],
              status: str = "available", since_s: float = 0, **details) -> None:
        self.ivr.roster.save(Agent(id=agent_id, name=agent_id.title(), languages=languages,
                                   queues=queues, phone=self.phone(agent_id),
                                   **details))
        self.ivr.roster.set_status(agent_id, status,
                                   self.clock() - dt.timedelta(seconds=since_s))

    def phone(self, agent_id: str) -> str:
        """The agent's number, distinct from every other agent's and caller's."""
        return self.phones.setdefault(agent_id, distinct_number())

    def caller(self, number: str = "") -> Call:
        """A new call from `number` (a number of its own unless given: a caller who calls
        again passes the same one)."""
        call = Call(self.app, self.standin.auth_token, base_url=self.public,
                    caller=number or distinct_number())
        self.standin.incoming_call(call.sid, call.caller, call.number)  # Twilio knows it
        return call

    def run_jobs(self) -> None:
        """What the rq worker does: run every job waiting in the queue, here and now."""
        context.use(self.ivr)
        try:
            BurstWorker([self.ivr.jobs], connection=self.ivr.jobs.connection).work(
                burst=True)
        finally:
            context.use(None)

    def end_wrap_up(self, agent_id: str) -> list[tuple[str, str]]:
        """The job that ends an agent's wrap-up, run here and now: the offers it made."""
        context.use(self.ivr)
        try:
            return routing_jobs.end_wrap_up(agent_id)
        finally:
            context.use(None)

    def agent_presses(self, twiml: str, digits: str) -> str:
        """The agent answers the whisper's Gather."""
        found = re.search(r'<Gather action="([^"]+)"', twiml)
        assert found, twiml
        action = found.group(1).replace("&amp;", "&")
        form = {"CallSid": "CA" + "9" * 32, "Digits": digits}
        signature = RequestValidator(self.standin.auth_token).compute_signature(
            self.public + action, form)
        response = self.api.post(action, data=form, base_url=self.public,
                                 headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def get(self, path: str, token: str = API_TOKEN):
        return self.api.get(path, headers={"Authorization": f"Bearer {token}"})

    def post(self, path: str, body: dict, token: str = API_TOKEN):
        return self.api.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def created_calls(line: Line) -> list[tuple[str, str]]:
    """(sid, To) of each call the line created, in order."""
    return [(c["sid"], c["to"]) for c in line.standin.created_calls]
