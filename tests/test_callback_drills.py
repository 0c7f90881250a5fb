"""Callbacks end to end with real `rq worker --with-scheduler` processes, and fault drills:
the worker killed mid-call, Redis restarted, Twilio refusing calls for a while.

The app runs here on the real clock (RQ's scheduler runs on it); the workers are separate
processes configured by environment, as the Procfile runs them. Twilio is the stand-in on
127.0.0.1: the creates that reached it and the calls it holds are what "placed exactly
once" is counted on, and it plays the customer and the agent by calling the app's webhooks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import Popen
from typing import Any

import pytest
import redis as redis_py
from rq.registry import ScheduledJobRegistry
from twilio.request_validator import RequestValidator

from ivr_app.callbacks.placing import request_callback
from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import Recorded, TwilioStandin
from ivr_app.line.agent_leg import END_WRAP_UP_JOB
from ivr_app.platform.clock import utc_now
from ivr_app.platform.redis_server import answers, ensure_redis, reap
from ivr_app.services import build_services
from tests.conftest import aof_written
from tests.line import PUBLIC, Line
from tests.support.servers import free_port
from tests.support.workers import RqWorkers, wait_for, worker_env
from workers import callbacks as callback_jobs
from workers import context

pytestmark = pytest.mark.drill

CUSTOMER = "+525512345678"
WORKER_SETTINGS = ("REDIS_URL", "REDIS_SENTINELS", "REDIS_SENTINEL_MASTER",
                   "REDIS_COOLDOWN_SECONDS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                   "TWILIO_API_BASE", "TWILIO_CALLER_ID", "PUBLIC_BASE_URL", "FLOWS_DIR",
                   "IVR_FLOW")
# Long enough for the reconciler to decide about a try whose outcome never came.
A_MINUTE_LATER = callback_jobs.LOST_AFTER + dt.timedelta(seconds=5)


class Drill:
    """The line (app in this process), the Twilio stand-in, and real rq workers."""

    def __init__(self, line: Line, workers: RqWorkers,
                 redis_url: Callable[[], str] | None = None) -> None:
        self.line, self.workers = line, workers
        # Where the data is now (with Sentinel: the master of the moment).
        self.redis_url = redis_url or (lambda: self.ivr.config["REDIS_URL"])
        self.ivr, self.standin = line.ivr, line.standin
        settings = {k: self.ivr.config[k] for k in WORKER_SETTINGS}
        self.env = worker_env(settings | {"TWILIO_TIMEOUT": 5, "WRAP_UP_SECONDS": 1})

    def start_worker(self, supervised: bool = False) -> Popen[bytes]:
        proc = self.workers.start(self.env, supervised=supervised)
        self.workers.wait_ready(proc, self.redis_url())
        return proc

    def waiting_caller(self) -> Call:
        return self.line.caller().dial().press("1").press("0")

    def sign_in(self, agent_id: str) -> None:
        """The agent says they are available (a dispatch job looks for a caller for them)."""
        response = self.line.post(f"/api/agents/{agent_id}/status", {"status": "available"})
        assert response.status_code == 200, response.get_data(as_text=True)

    def creates_to(self, number: str) -> list[Recorded]:
        """Every Calls.json create for `number` that reached the stand-in, answered or not."""
        return [r for r in self.standin.requests if r.method == "POST"
                and r.path.endswith("/Calls.json") and r.form.get("To") == number]

    def calls_to(self, number: str) -> list[str]:
        """The calls to `number` the stand-in holds (created), oldest first."""
        return [c["sid"] for c in self.standin.created_calls if c["to"] == number]

    def placed(self, number: str, seconds: float = 10) -> str:
        """Wait for the call to `number`; there must be exactly one."""
        calls = wait_for(lambda: self.calls_to(number), seconds, f"a call to {number}",
                         self.workers.logs)
        assert len(calls) == 1, f"{number} was called {len(calls)} times: {calls}"
        return calls[0]

    def reconcile(self, later: dt.timedelta = dt.timedelta(0)) -> dict[str, int]:
        """The reconciler's pass (workers/cron.py), run here, as if `later` from now."""
        ivr = build_services(self.ivr.config, clock=lambda: utc_now() + later)
        context.use(ivr)
        try:
            return callback_jobs.reconcile()
        finally:
            context.use(None)
            ivr.close()

    def run_in_worker(self, func: Any, *args: Any, seconds: float = 10) -> Any:
        """Enqueue a job and wait for a worker to finish it; its return value."""
        job = self.ivr.jobs.enqueue(func, *args)
        wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), seconds,
                 f"job {job.func_name}", self.workers.logs)
        assert job.get_status() == "finished", self.workers.logs()
        return job.return_value()

    def press(self, twiml: str, digits: str, call_sid: str) -> str:
        """Whoever is on `call_sid` answers the TwiML's Gather, signed as Twilio signs it."""
        found = re.search(r'<Gather action="([^"]+)"', twiml)
        assert found, twiml
        action = found.group(1).replace("&amp;", "&")
        form = {"CallSid": call_sid, "Digits": digits}
        signature = RequestValidator(self.standin.auth_token).compute_signature(
            PUBLIC + action, form)
        response = self.line.api.post(action, data=form, base_url=PUBLIC,
                                      headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def states(self, callback_id: str) -> list[str]:
        return [h["state"] for h in self.ivr.callbacks.history(callback_id)]


@contextlib.contextmanager
def running(make_app: Any, redis_url: str, log_dir: Path,
            where: Callable[[], str] | None = None, **config: Any) -> Iterator[Drill]:
    """A drill on `redis_url` (or `config`'s Sentinel, whose master `where` names); workers
    and stand-in are stopped whatever happens."""
    standin = TwilioStandin().start()
    workers = RqWorkers(log_dir)
    try:
        line = Line(make_app, standin, clock=utc_now, REDIS_URL=redis_url, WRAP_UP_SECONDS=1,
                    **config)
        yield Drill(line, workers, where)
    finally:
        workers.stop_all()
        standin.stop()


@pytest.fixture
def drill(make_app, redis, redis_url, tmp_path) -> Iterator[Drill]:
    with running(make_app, redis_url, tmp_path / "logs") as drill:
        yield drill


def test_the_worker_calls_back_in_turn_and_the_agent_hears_it_is_a_callback(drill):
    line, ivr, standin = drill.line, drill.ivr, drill.standin
    line.agent("ana", ["es"], ["support"], status="wrap-up")
    ana = ivr.roster.get("ana").phone
    first = drill.waiting_caller()
    callback = request_callback(ivr, drill.waiting_caller().sid, CUSTOMER)
    assert list(ivr.queues.in_order("support")) == [first.sid, callback.id]
    drill.start_worker()

    ivr.jobs.enqueue(END_WRAP_UP_JOB, "ana")  # the line drains: ana takes the first caller
    [to_first] = wait_for(lambda: drill.calls_to(ana), 10, "ana rung", drill.workers.logs)
    assert "devolución" not in (whisper := standin.answer(to_first))
    assert ">call-" + first.sid in drill.press(whisper, "1", to_first)
    standin.hang_up(to_first)  # wrap-up (1 s), then RQ's scheduler frees ana again

    to_customer = drill.placed(CUSTOMER)
    [create] = drill.creates_to(CUSTOMER)
    query = f"?id={callback.id}"
    assert (create.form["From"], create.form["Url"], create.form["StatusCallback"]) == (
        "+15005550000", f"{PUBLIC}/callback/answer{query}", f"{PUBLIC}/callback/status{query}")
    assert create.form.getlist("StatusCallbackEvent") == ["answered", "completed"]
    assert (create.form["MachineDetection"], create.form["Timeout"]) == ("Enable", "30")
    intro = standin.answer(to_customer)
    assert intro == (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Gather action="/callback/accept{query}" finishOnKey="#" input="dtmf" method="POST" '
        'numDigits="1" timeout="8">'
        '<Say language="es-MX" voice="Polly.Mia">Le llamamos de soporte, como nos pidió. '
        'Para hablar ahora con una persona, marque uno.</Say>'
        '</Gather>'
        '<Say language="es-MX" voice="Polly.Mia">Le volveremos a llamar más tarde. '
        'Hasta luego.</Say><Hangup /></Response>')
    assert f">call-{callback.id}</Conference>" in drill.press(intro, "1", to_customer)

    [_, to_ana] = drill.calls_to(ana)  # the accept rings the agent reserved for it
    whisper = standin.answer(to_ana)
    assert "Es una devolución de llamada solicitada hace 0 minutos." in whisper
    assert f">call-{callback.id}</Conference>" in drill.press(whisper, "1", to_ana)
    standin.hang_up(to_customer)
    assert drill.states(callback.id) == [
        "requested", "waiting", "dialing", "connected", "completed"]
    assert list(ivr.queues.in_order("support")) == []
    assert len(drill.creates_to(CUSTOMER)) == 1


@pytest.mark.parametrize("twilio_got_it", [False, True],
                         ids=["create-never-arrived", "create-done-after-the-crash"])
def test_a_worker_killed_mid_call_leaves_the_customer_called_exactly_once(drill,
                                                                           twilio_got_it):
    line, ivr, standin = drill.line, drill.ivr, drill.standin
    line.agent("ana", ["es"], ["support"], status="away")
    callback = request_callback(ivr, drill.waiting_caller().sid, CUSTOMER)
    worker = drill.start_worker()
    # The create hangs; Twilio either never acts on it, or creates the call 2 s later.
    standin.hang_next(2 if twilio_got_it else 60, path="/Calls.json")
    drill.sign_in("ana")
    wait_for(lambda: drill.creates_to(CUSTOMER), 10, "the create", drill.workers.logs)
    drill.workers.kill(worker)  # kill -9, mid-request
    record = ivr.callbacks.get(callback.id)
    assert (record.state, record.attempts, record.call_sid) == ("dialing", 1, "")
    drill.start_worker()
    if twilio_got_it:
        drill.placed(CUSTOMER)

    assert not any(drill.reconcile().values()), "too soon to know: the create may still land"
    assert drill.reconcile(later=A_MINUTE_LATER)["calls_resolved"] == 1
    to_customer = drill.placed(CUSTOMER)  # adopted, or placed again if it never existed
    assert ivr.callbacks.get(callback.id).call_sid == to_customer
    assert len(drill.creates_to(CUSTOMER)) == (1 if twilio_got_it else 2)
    assert not any(drill.run_in_worker(callback_jobs.reconcile).values())

    assert "Le llamamos" in (intro := standin.answer(to_customer))
    assert f">call-{callback.id}</Conference>" in drill.press(intro, "1", to_customer)
    standin.hang_up(to_customer)
    assert drill.states(callback.id)[-1] == "completed"
    assert drill.calls_to(CUSTOMER) == [to_customer]


def test_redis_restarted_with_callbacks_pending_loses_and_doubles_none(make_app, redis,
                                                                       tmp_path):
    url, data = f"redis://127.0.0.1:{free_port()}/0", tmp_path / "redis"
    ensure_redis(url, data)  # AOF, appendfsync everysec, as docs/production.md asks
    try:
        with running(make_app, url, tmp_path / "logs") as drill:
            redis_restart_drill(drill, url, data)
    finally:
        stop_throwaway(url)


def redis_restart_drill(drill: Drill, url: str, data: Path) -> None:
    ivr = drill.ivr
    agents = ["ana", "beto", "carla", "dora"]
    for agent in agents:
        drill.line.agent(agent, ["es"], ["support"], status="away")
    numbers = [f"+52551234560{i}" for i in range(4)]
    due = utc_now() + dt.timedelta(seconds=6)
    callbacks = [request_callback(ivr, drill.waiting_caller().sid, n, due=due if i >= 2 else None)
                 for i, n in enumerate(numbers)]
    drill.start_worker()
    before = pending(drill)
    assert [before["callbacks"][c.id][0] for c in callbacks] == ["waiting"] * 2 + ["requested"] * 2
    assert before["scheduled"] == sorted(f"callback-{c.id}-0" for c in callbacks[2:])

    client = redis_py.Redis.from_url(url)
    wait_for(lambda: aof_written(client), 5, "the records on disk")
    pid = client.info("server")["process_id"]
    client.close()
    os.kill(pid, signal.SIGKILL)
    reap(pid)
    assert not answers(url)
    ensure_redis(url, data)
    assert pending(drill) == before, "every record, its place and its job are back"

    # The outage may have killed the worker (RQ exits when Redis vanishes mid-job), and a
    # dead worker's scheduler lock outlives it by a minute: a supervisor starts another
    # worker, and the reconciler (rq cron, every minute) brings in slots that came meanwhile.
    drill.start_worker()
    wait_for(lambda: utc_now() > due, 15, "the callbacks' time")
    drill.reconcile(later=dt.timedelta(seconds=70))
    for agent in agents:
        drill.sign_in(agent)
    for number in numbers:
        drill.placed(number, seconds=15)
    drill.reconcile()
    drill.run_in_worker(callback_jobs.reconcile)
    assert [len(drill.creates_to(n)) for n in numbers] == [1, 1, 1, 1]
    assert [drill.calls_to(n) != [] for n in numbers] == [True] * 4
    for callback in callbacks:
        assert ivr.callbacks.get(callback.id).state == "dialing"


def pending(drill: Drill) -> dict[str, Any]:
    """What must survive a Redis restart: records, the line, scheduled jobs."""
    ivr = drill.ivr
    return {"callbacks": {c.id: (c.state, c.due_at) for c in ivr.callbacks.active()},
            "line": list(ivr.queues.in_order("support")),
            "scheduled": sorted(ScheduledJobRegistry(queue=ivr.jobs).get_job_ids())}


def stop_throwaway(url: str) -> None:
    if answers(url):
        client = redis_py.Redis.from_url(url)
        pid = client.info("server")["process_id"]
        client.shutdown(nosave=True)
        client.close()
        reap(pid)



def test_twilio_refusing_calls_for_a_while_places_each_callback_once(drill):
    ivr, standin = drill.ivr, drill.standin
    agents = ["ana", "beto", "carla"]
    for agent in agents:
        drill.line.agent(agent, ["es"], ["support"], status="away")
    numbers = [f"+52551234560{i}" for i in range(3)]
    callbacks = [request_callback(ivr, drill.waiting_caller().sid, n) for n in numbers]
    refusals = 7
    standin.fail_next(count=refusals, status=500, path="/Calls.json")
    drill.start_worker()
    for agent in agents:
        drill.sign_in(agent)

    def all_placed() -> bool:  # the reconciler (rq cron, every minute) tries again
        if all(drill.calls_to(n) for n in numbers):
            return True
        drill.run_in_worker(callback_jobs.reconcile)
        return False

    wait_for(all_placed, 20, "every callback placed", drill.workers.logs)
    drill.run_in_worker(callback_jobs.reconcile)
    assert [len(drill.calls_to(n)) for n in numbers] == [1, 1, 1]
    assert sum(len(drill.creates_to(n)) for n in numbers) == refusals + 3
    for callback in callbacks:
        record = ivr.callbacks.get(callback.id)
        assert (record.state, record.attempts) == ("dialing", 1), "a refusal is not a try"
    notes = [h["note"] for c in callbacks for h in ivr.callbacks.history(c.id)]
    assert notes.count("Twilio refused the call (500)") == refusals
