"""Console tests without a browser: the Flask test client, signed in as the people below."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ivr_app.state.users import Users

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


class Browser:
    """A test client that signs in through the form and posts with the page's CSRF token."""

    def __init__(self, app: Flask, address: str = "127.0.0.1"):
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.client.environ_base["REMOTE_ADDR"] = address  # where the browser is
        self.token = ""

    def sign_in(self, name: str, password: str = PASSWORD) -> Any:
        page = self.client.get("/console/login").get_data(as_text=True)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.client.post("/console/login", data={"name": name, "password": password,
                                                        "csrf_token": self.token})

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def post(self, path: str, body: dict | None = None, csrf: bool = True) -> Any:
        headers = {"X-CSRFToken": self.token} if csrf else {}
        return self.client.post(path, json=body or {}, headers=headers)

    def form(self, path: str, data: dict[str, str]) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token})


def add_people(app: Flask) -> None:
    users = Users(app.extensions["ivr"].redis)
    users.add("ana", "agent", PASSWORD)
    users.add("sol", "supervisor", PASSWORD)


@pytest.fixture
def browser(app: Flask) -> Browser:
    add_people(app)
    return Browser(app)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    """A flows folder holding a copy of the demo flow."""
    shutil.copy(ROOT / "flows" / "main.yaml", tmp_path / "main.yaml")
    return tmp_path


@pytest.fixture
def sol(make_app, flows: Path, redis) -> Browser:
    """Supervisor Sol, signed in to an app on that folder, which sees edits at once."""
    app = make_app(FLOWS_DIR=str(flows), FLOW_CHECK_SECONDS=0)
    add_people(app)
    browser = Browser(app)
    browser.sign_in("sol")
    return browser
