"""Past one machine: two web processes (separate gunicorn masters) and two rq workers on one
Redis. Each call's requests alternate between the web processes, as a load balancer may send
them; whichever worker takes a job rings the agent or places the callback. Twilio is the
stand-in, delivering its own webhooks over HTTP to PUBLIC_BASE_URL (the first web process),
whose URL both processes check signatures against.

Every call completes and nothing is done twice: each caller is bridged once, each agent is
rung once per offer, each callback's number is called once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from twilio.request_validator import RequestValidator

from ivr_app.callbacks.placing import request_callback
from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import TwilioStandin
from ivr_app.platform.clock import utc_now
from ivr_app.state.agents import Agent
from tests.support.servers import RoundRobin, Server, free_port, gunicorn
from tests.support.workers import RqWorkers, wait_for, worker_env

pytestmark = pytest.mark.drill

AGENTS = {"ana": "+15005550101", "beto": "+15005550102"}
CALLERS = 4
CALLBACK_NUMBERS = ["+525512345601", "+525512345602"]
API_TOKEN = "agent-api-token"


@dataclass
class Hosts:
    app: Flask  # in this process, on the same Redis: the agent API and what tests read
    standin: TwilioStandin
    webs: list[Server]
    workers: RqWorkers
    public: str
    handled: set[str] = field(default_factory=set)  # calls the stand-in has played

    def client(self, first: int) -> RoundRobin:
        return RoundRobin(self.webs[first:] + self.webs[:first])

    def caller(self, first: int) -> Call:
        call = Call(self.app, self.standin.auth_token, base_url=self.public)
        call.client = self.client(first)
        self.standin.incoming_call(call.sid, call.caller, call.number)
        return call

    def press(self, twiml: str, digits: str, call_sid: str, first: int) -> str:
        """Whoever is on `call_sid` answers the Gather; the request goes to web `first`."""
        action = re.search(r'<Gather action="([^"]+)"', twiml)
        assert action, twiml
        path = action.group(1).replace("&amp;", "&")
        form = {"CallSid": call_sid, "Digits": digits}
        signature = RequestValidator(self.standin.auth_token).compute_signature(
            self.public + path, form)
        answer = self.client(first).post(path, data=form,
                                         headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200, answer.text
        return answer.text

    def play_twilio(self) -> None:
        """Answer every call the line placed and not yet played: agents take their caller,
        customers take their callback; each finished agent call starts the agent's wrap-up."""
        agents = {phone: name for name, phone in AGENTS.items()}
        for n, call in enumerate(self.standin.created_calls):
            if call["sid"] in self.handled:
                continue
            self.handled.add(call["sid"])
            twiml = self.standin.answer(call["sid"])
            if call["to"] in agents:
                caller = re.search(r"caller=(C[AB]\w+)", self.standin.call(call["sid"])
                                   ["uri"] + twiml)
                assert ">call-" in self.press(twiml, "1", call["sid"], n % 2), twiml
                if caller and caller.group(1).startswith("CA"):
                    assert "<Conference" in self.standin.fetch_twiml(caller.group(1))
                self.standin.hang_up(call["sid"])
            else:
                assert "</Conference>" in self.press(twiml, "1", call["sid"], n % 2), twiml


@pytest.fixture
def hosts(make_app, redis, redis_url, tmp_path: Path) -> Iterator[Hosts]:
    standin = TwilioStandin().start()  # no app: webhooks go over HTTP to 127.0.0.1
    ports = [free_port(), free_port()]
    public = f"http://127.0.0.1:{ports[0]}"
    settings = {"REDIS_URL": redis_url, **standin.config(), "PUBLIC_BASE_URL": public,
                "TWILIO_CALLER_ID": "+15005550000", "FLOWS_DIR": "flows", "IVR_FLOW": "main",
                "WRAP_UP_SECONDS": 1, "AGENT_API_TOKEN": API_TOKEN}
    env = worker_env(settings)
    workers = RqWorkers(tmp_path / "logs")
    with ExitStack() as stack:
        stack.callback(standin.stop)
        stack.callback(workers.stop_all)
        webs = [stack.enter_context(gunicorn(f"web-{i}", "wsgi:app", env, tmp_path, port=port))
                for i, port in enumerate(ports)]
        for _ in range(2):
            workers.wait_ready(workers.start(env), redis_url)
        app = make_app(clock=utc_now, **settings)
        yield Hosts(app, standin, webs, workers, public)


def test_calls_alternating_between_two_web_hosts_and_two_workers_are_each_served_once(hosts):
    ivr, standin = hosts.app.extensions["ivr"], hosts.standin
    for name, phone in AGENTS.items():
        ivr.roster.save(Agent(id=name, name=name.title(), phone=phone, languages=["es"],
                              queues=["support"]))
        ivr.roster.set_status(name, "away", utc_now())
    callers = [hosts.caller(first=i % 2).dial().press("1").press("0") for i in range(CALLERS)]
    assert all(c.ending and c.ending.queue == "support" for c in callers)
    callbacks = [request_callback(ivr, hosts.caller(first=i).dial().press("1").press("0").sid,
                                  number) for i, number in enumerate(CALLBACK_NUMBERS)]
    assert list(ivr.queues.in_order("support")) == \
        [c.sid for c in callers] + [c.id for c in callbacks]

    api = hosts.app.test_client()
    for name in AGENTS:  # each sign-in enqueues a dispatch job; either worker may take it
        response = api.post(f"/api/agents/{name}/status", json={"status": "available"},
                            headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert response.status_code == 200, response.get_data(as_text=True)

    def all_served() -> bool:
        hosts.play_twilio()
        return not list(ivr.queues.in_order("support")) and all(
            ivr.callbacks.get(c.id).state == "connected" for c in callbacks)

    wait_for(all_served, 60, "every caller and callback served", hosts.workers.logs)
    hosts.play_twilio()

    requests = standin.requests
    updates = Counter(r.path.rsplit("/", 1)[-1].removesuffix(".json") for r in requests
                      if r.method == "POST" and "/agent/bridge" in r.form.get("Url", ""))
    assert updates == {c.sid: 1 for c in callers}, "each caller bridged exactly once"
    rings = [(r.form["To"], re.search(r"caller=(C[AB]\w+)", r.form["Url"]).group(1))
             for r in requests if r.path.endswith("/Calls.json") and r.form["To"] in
             AGENTS.values()]
    assert sorted(c for _, c in rings) == sorted([c.sid for c in callers] +
                                                 [c.id for c in callbacks]), rings
    assert len(set(rings)) == len(rings), "no agent rung twice for one offer"
    placed = Counter(r.form["To"] for r in requests if r.path.endswith("/Calls.json"))
    assert [placed[n] for n in CALLBACK_NUMBERS] == [1, 1], "each callback number called once"
    for web in hosts.webs:  # both processes took part in every call
        served = web.log.read_text()
        assert all(c.sid in served for c in callers), web.name
