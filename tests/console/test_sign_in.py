"""Who may use the console, and how: hashed passwords, roles on the server, CSRF, a limit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ivr_app.state.users import Users
from tests.conftest import TEST_REDIS_URL
from tests.console.conftest import PASSWORD, Browser, add_people


def test_passwords_are_kept_only_as_hashes_and_checked(redis, app):
    users = Users(app.extensions["ivr"].redis)
    assert users.add("luz", "agent", PASSWORD, agent="luz.m") is True
    stored = app.extensions["ivr"].redis.hgetall("ivr:user:luz")
    assert PASSWORD not in stored.values() and stored["password"].startswith("scrypt:")
    assert users.check("luz", PASSWORD).agent == "luz.m"
    assert users.check("luz", "wrong password") is None
    assert users.check("nobody", PASSWORD) is None
    for bad in (("Luz!", "agent", PASSWORD), ("luz", "boss", PASSWORD), ("luz", "agent", "short")):
        with pytest.raises(ValueError):
            users.add(*bad)


def test_the_first_page_leads_to_sign_in_then_to_each_role_home(browser):
    assert browser.get("/").headers["Location"] == "/console"
    assert browser.get("/console").headers["Location"].startswith("/console/login")
    assert browser.get("/agent").headers["Location"] == "/console/agent"
    assert browser.get("/admin").headers["Location"] == "/console/board"
    assert browser.sign_in("ana").status_code == 302
    assert browser.get("/console").headers["Location"] == "/console/agent"
    supervisor = Browser(browser.app)
    supervisor.sign_in("sol")
    assert supervisor.get("/console").headers["Location"] == "/console/board"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(browser):
    wrong = browser.sign_in("ana", "not the password")
    unknown = browser.sign_in("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in wrong.get_data(as_text=True)
    assert browser.get("/console/agent/live").status_code == 302


def test_after_sign_in_only_a_path_on_this_site_is_followed(browser):
    page = browser.client.get("/console/login")
    assert page.status_code == 200
    browser.sign_in("nobody")
    answer = browser.client.post("/console/login?next=https://evil.example/", data={
        "name": "ana", "password": PASSWORD, "csrf_token": browser.token})
    assert answer.headers["Location"] == "/console"


def test_login_attempts_are_limited(browser):
    for _ in range(10):
        assert browser.sign_in("ana", "guessing again").status_code == 401
    limited = browser.sign_in("ana")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/console/board", "/console/board/live", "/console/flows",
                                  "/console/flows/main", "/console/metrics",
                                  "/console/metrics/calls.csv"])
def test_an_agent_cannot_reach_supervisor_pages(browser, path):
    browser.sign_in("ana")
    assert browser.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/console/flows/main", "/console/flows/main/check",
                                  "/console/flows/main/rollback/abc", "/console/try/main",
                                  "/console/try/call/CA" + "1" * 32])
def test_an_agent_cannot_use_supervisor_endpoints(browser, path):
    browser.sign_in("ana")
    assert browser.post(path, {"text": "x"}).status_code == 403


def test_posts_without_the_csrf_token_are_refused(browser):
    browser.sign_in("ana")
    refused = browser.post("/console/agent/status", {"status": "available"}, csrf=False)
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]
    no_token = browser.client.post("/console/login", data={"name": "ana", "password": PASSWORD})
    assert no_token.status_code == 400


def test_pages_allow_no_inline_script(browser):
    browser.sign_in("ana")
    policy = browser.get("/console/agent").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy


def test_users_are_added_from_the_command_line_with_the_password_on_stdin(redis, redis_url):
    done = subprocess.run([sys.executable, "-m", "ivr_app", "user", "add", "admin", "--role",
                           "supervisor"], input=PASSWORD + "\n", text=True, capture_output=True,
                          env={"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "added supervisor admin"
    redis.close()
    from redis import Redis

    users = Users(Redis.from_url(TEST_REDIS_URL, decode_responses=True))
    assert users.check("admin", PASSWORD).is_supervisor
    short = subprocess.run([sys.executable, "-m", "ivr_app", "user", "add", "max", "--role",
                            "agent"], input="short\n", text=True, capture_output=True,
                           env={"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert short.returncode == 1 and "at least 8 characters" in short.stderr


def test_people_are_added_for_other_tests_the_same_way(app):
    add_people(app)
    assert [u.name for u in Users(app.extensions["ivr"].redis).all()] == ["ana", "sol"]


def test_the_interface_speaks_spanish_or_english_as_chosen(browser):
    browser.sign_in("ana")
    assert "Mi pantalla" not in browser.get("/console/agent").get_data(as_text=True)
    browser.form("/console/language", {"lang": "es", "back": "/console/agent"})
    page = browser.get("/console/agent").get_data(as_text=True)
    assert "Mi pantalla" in page and '"available": "Disponible"' in page


def test_both_languages_have_every_piece_of_text():
    from ivr_app.console.text import TEXT

    assert set(TEXT["es"]) == set(TEXT["en"])
