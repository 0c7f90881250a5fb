"""The product as a browser meets it: gunicorn and an rq worker on a real Redis, Twilio
played by the demo line, and simulated callers who call the running app over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from flask import Flask

from ivr_app.demo.demo_line import DemoTwilio
from ivr_app.demo.simulator import Call
from ivr_app.state.agents import Agent
from ivr_app.state.users import Users
from tests.support.servers import OverHttp, free_port
from tests.support.workers import RqWorkers, wait_for, worker_env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


class Stack:
    """gunicorn (2 workers) and an rq worker with one configuration, on database `redis_url`."""

    def __init__(self, redis_url: str, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.flows = tmp / "flows"
        self.flows.mkdir()
        shutil.copy(ROOT / "flows" / "main.yaml", self.flows / "main.yaml")
        self.line = DemoTwilio().start()
        self.config = self.line.config() | {
            "REDIS_URL": redis_url, "FLOWS_DIR": str(self.flows), "IVR_FLOW": "main",
            "PUBLIC_BASE_URL": self.url, "TWILIO_CALLER_ID": "+15005550000",
            "TWILIO_DEMO": "1", "SECRET_KEY": "browser-tests", "FLOW_CHECK_SECONDS": "0.2",
            "WRAP_UP_SECONDS": "300"}
        self.logs = tmp / "logs"
        self.logs.mkdir()
        env = worker_env(self.config)
        with (self.logs / "gunicorn.log").open("wb") as log:
            self.web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                 f"127.0.0.1:{self.port}", "tests.browser.simulated_wsgi:app"], cwd=ROOT, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers = RqWorkers(self.logs)
        self.workers.wait_ready(self.workers.start(env, "-c", "workers.preload"), redis_url)
        wait_for(self._up, 30, "gunicorn to answer", self.web_log)
        self.app: Flask | None = None  # an in-process app on the same Redis, for callers

    def _up(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as answer:
                return answer.status == 200
        except OSError:
            return self.web.poll() is not None  # exited: wait_for stops, the check fails

    def web_log(self) -> str:
        return (self.logs / "gunicorn.log").read_text(errors="replace")[-4000:]

    def seed(self, ivr: Any) -> None:
        """The people of every test: agent Ana and supervisor Sol, both able to sign in."""
        users = Users(ivr.redis)
        users.add("ana", "agent", PASSWORD)
        users.add("sol", "supervisor", PASSWORD)
        ivr.roster.save(Agent(id="ana", name="Ana Torres", phone="+15005550101",
                              languages=["es", "en"], queues=["support", "billing"]))

    def caller(self, app: Flask, **details: str) -> Call:
        """A simulated caller of the running app, signing as Twilio does."""
        call = Call(app, self.line.auth_token, base_url=self.url, **details)
        call.client = OverHttp()
        return call

    def stop(self) -> None:
        self.workers.stop_all()
        self.web.terminate()
        try:
            self.web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.web.pid, 9)
        self.line.stop()

