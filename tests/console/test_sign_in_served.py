"""Bruno's story against the console as it is served: gunicorn's workers behind one trusted
proxy (X-Forwarded-For names each address), the limits and sessions in the real Redis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from redis import Redis

from ivr_app.state.users import Users
from tests.console.conftest import PASSWORD
from tests.support.servers import Server, gunicorn
from tests.support.workers import worker_env

pytestmark = pytest.mark.drill  # gunicorn


@pytest.fixture
def console(redis, redis_url, tmp_path: Path) -> Iterator[Server]:
    Users(Redis.from_url(redis_url, decode_responses=True)).add("bruno", "agent", PASSWORD)
    env = worker_env({"REDIS_URL": redis_url, "FLOWS_DIR": "flows", "IVR_FLOW": "main",
                      "TWILIO_AUTH_TOKEN": "served-auth-token-0123456789abcd",
                      "TRUSTED_PROXIES": 1, "LOG_LEVEL": "WARNING"})
    with gunicorn("console", "wsgi:app", env, tmp_path) as server:
        yield server


class Desk:
    """A browser at one address."""

    def __init__(self, server: Server, address: str) -> None:
        self.base = server.base_url
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-For": address, "Accept-Language": "en"})

    def sign_in(self, name: str, password: str = PASSWORD) -> int:
        page = self.session.get(f"{self.base}/console/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.token = token
        return self.session.post(f"{self.base}/console/login", timeout=10, allow_redirects=False,
                                 data={"name": name, "password": password,
                                       "csrf_token": token}).status_code

    def screen(self) -> int:
        return self.session.get(f"{self.base}/console/agent", timeout=10,
                                allow_redirects=False).status_code


def test_guessing_bruno_from_elsewhere_never_locks_him_out_and_his_sign_out_ends_copies(
        console):
    for address in ("198.51.100.1", "198.51.100.2"):  # ten wrong passwords within a minute
        guesser = Desk(console, address)
        for _ in range(5):
            assert guesser.sign_in("bruno", "not his password") == 401
        assert guesser.sign_in("bruno") == 429  # this address, for this name, is limited
    bruno = Desk(console, "203.0.113.7")
    assert bruno.sign_in("bruno") == 302  # his own desk still signs in
    assert bruno.screen() == 200
    copied = Desk(console, "192.0.2.66")
    copied.session.cookies.update(bruno.session.cookies)
    assert copied.screen() == 200
    signed_out = bruno.session.post(f"{console.base_url}/console/logout", timeout=10,
                                    data={"csrf_token": bruno.token}, allow_redirects=False)
    assert signed_out.status_code == 302
    assert copied.screen() == 302  # to the sign-in page: the copy ended with him
