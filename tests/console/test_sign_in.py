"""Who may use the console, and how: hashed passwords, roles on the server, CSRF, a limit."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from flask import request
from itsdangerous import TimestampSigner

from ivr_app.console import auth
from ivr_app.console.text import TEXT
from ivr_app.platform.launcher import free_port
from ivr_app.state.users import Users
from tests.conftest import own_redis_url
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


def test_login_attempts_from_one_address_are_limited(browser):
    for i in range(10):  # ten names, so that only the address's limit is reached
        assert browser.sign_in(f"guess{i}", "guessing again").status_code == 401
    limited = browser.sign_in("ana")
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert Browser(browser.app, "10.0.0.2").sign_in("ana").status_code == 302


def test_one_address_guessing_one_name_is_limited_sooner(browser):
    for _ in range(5):
        assert browser.sign_in("ana", "guessing again").status_code == 401
    assert browser.sign_in("ana").status_code == 429
    assert browser.sign_in("sol").status_code == 302  # the address itself is not limited


@pytest.mark.drill  # seconds of real slow-down
def test_wrong_passwords_from_everywhere_slow_a_name_down_but_never_lock_its_owner_out(
        browser, monkeypatch):
    monkeypatch.setattr(auth, "SLOW_STEP", 0.1)
    for address in range(1, 5):  # 20 wrong passwords for ana, five from each of 4 addresses
        guesser = Browser(browser.app, f"198.51.100.{address}")
        for _ in range(5):
            assert guesser.sign_in("ana", "guessing again").status_code == 401
    elsewhere = Browser(browser.app, "203.0.113.9")  # ana, at a desk of her own
    began = time.monotonic()
    assert elsewhere.sign_in("ana").status_code == 302
    assert elsewhere.get("/console/agent").status_code == 200
    assert time.monotonic() - began >= auth.slowdown(20) == 1.1  # slowed, as the guesses
    began = time.monotonic()
    assert Browser(browser.app, "203.0.113.10").sign_in("sol").status_code == 302
    assert time.monotonic() - began < 1.0  # other names are not


def test_a_user_is_never_locked_out_by_someone_elses_wrong_passwords(browser, monkeypatch):
    # However many wrong passwords strangers give for her name, and from however many
    # addresses, ana still signs in from her own desk: at worst a little slower.
    monkeypatch.setattr(auth, "SLOW_STEP", 0.1)
    monkeypatch.setattr(auth, "SLOW_MOST", 0.5)
    for address in range(1, 3):
        guesser = Browser(browser.app, f"198.51.100.{address}")
        for _ in range(5):
            assert guesser.sign_in("ana", "guessing again").status_code == 401
    strangers = Users(browser.app.extensions["ivr"].redis)
    for _ in range(2000):  # a night of guesses from a thousand addresses, counted as they are
        strangers.failed("ana")
    assert auth.slowdown(strangers.failures("ana")) <= auth.SLOW_MOST
    began = time.monotonic()
    assert Browser(browser.app, "203.0.113.9").sign_in("ana").status_code == 302
    assert time.monotonic() - began < auth.SLOW_MOST + 1.0


def test_signing_out_ends_the_session_wherever_its_cookie_was_copied(browser):
    assert browser.sign_in("ana").status_code == 302
    copied = Browser(browser.app)
    copied.client.set_cookie("session", browser.client.get_cookie("session").value)
    assert copied.get("/console/agent").status_code == 200
    other_desk = Browser(browser.app, "10.0.0.2")
    other_desk.sign_in("ana")
    browser.form("/console/logout", {})
    assert copied.get("/console/agent").status_code == 302  # to the sign-in page
    assert other_desk.get("/console/agent").status_code == 302  # every session of hers


@pytest.mark.parametrize("change", ["a new password", "user remove"])
def test_a_new_password_or_removal_ends_the_users_sessions(browser, change):
    browser.sign_in("ana")
    assert browser.get("/console/agent").status_code == 200
    users = Users(browser.app.extensions["ivr"].redis)
    if change == "user remove":
        users.remove("ana")
    else:
        users.add("ana", "agent", "another long password")
    assert browser.get("/console/agent").status_code == 302


@pytest.mark.parametrize(("base", "secure"), [("https://ivr.example.com", True),
                                              ("http://localhost:5000", False)])
def test_session_cookies_are_secure_over_https_and_never_for_scripts(make_app, redis, base,
                                                                     secure):
    app = make_app(PUBLIC_BASE_URL=base)
    add_people(app)
    signed_in = Browser(app).sign_in("ana")
    cookie = next(c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith("session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert ("secure" in flags) is secure
    assert "httponly" in flags and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


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
    headers = browser.get("/console/agent").headers
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"  # a file is never run as a script


@pytest.mark.parametrize("demo", [True, False])
def test_the_demo_phones_are_listed_only_on_the_demo_line(make_app, redis, demo):
    config = {"TWILIO_DEMO": "1"} if demo else {}
    add_people(app := make_app(**config))
    ana = Browser(app)
    ana.sign_in("ana")
    page = ana.get("/console/agent").get_data(as_text=True)
    assert ('id="legs"' in page) is demo


@pytest.mark.drill  # the command, a process of its own
def test_users_are_added_from_the_command_line_with_the_password_on_stdin(redis, redis_url):
    done = subprocess.run([sys.executable, "-m", "ivr_app", "user", "add", "admin", "--role",
                           "supervisor"], input=PASSWORD + "\n", text=True, capture_output=True,
                          env={"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "added supervisor admin"
    redis.close()
    from redis import Redis

    users = Users(Redis.from_url(own_redis_url(), decode_responses=True))
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


def test_the_sign_in_limit_is_checked_on_console_pages_and_never_on_a_call(browser, call,
                                                                          monkeypatch):
    checked: list[str] = []

    def seen() -> bool:  # the limiter asks its filters on every request it checks
        checked.append(request.path)
        return False

    monkeypatch.setattr(auth.limiter, "_request_filters", [seen])
    call.dial().press("1")
    assert checked == []
    browser.get("/console/agent")
    assert checked == ["/console/agent"]


def test_wrong_passwords_up_to_the_bar_cost_their_owner_no_wait():
    assert [auth.slowdown(n) for n in range(auth.SLOW_AFTER)] == [0.0] * auth.SLOW_AFTER
    assert 0 < auth.slowdown(auth.SLOW_AFTER) <= auth.slowdown(auth.SLOW_AFTER + 1)


def test_a_sign_in_without_a_name_is_refused_as_any_wrong_one(browser):
    browser.client.get("/console/login")
    answer = browser.client.post("/console/login", data={"password": PASSWORD,
                                                         "csrf_token": browser.token or ""})
    assert answer.status_code in (200, 400) and "Sign out" not in answer.get_data(as_text=True)


def test_a_screen_asking_for_news_it_may_not_have_gets_json_it_can_show(browser):
    browser.sign_in("ana")  # an agent's script polling the supervisors' board
    answer = browser.get("/console/board/live")
    assert answer.status_code == 403 and "error" in answer.get_json()


def test_every_page_offers_both_languages(browser):
    browser.sign_in("ana")
    page = browser.get("/console/agent").get_data(as_text=True)
    assert 'value="es"' in page and 'value="en"' in page


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_person_sent_to_sign_in_is_told_why_in_their_language(browser, lang):
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    sent = browser.get("/console/agent")
    page = browser.get(sent.headers["Location"]).get_data(as_text=True)
    assert TEXT[lang]["login_needed"] in page


def test_a_page_left_open_all_shift_still_takes_its_posts(browser, monkeypatch):
    """A form's token lasts as long as the session: a screen opened at nine still takes a
    choice made at six."""
    browser.sign_in("ana")
    nine_hours_later = int(time.time()) + 9 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _: nine_hours_later)
    chosen = browser.form("/console/language", {"lang": "es", "back": "/console/agent"})
    assert chosen.status_code == 302
    assert "Mi pantalla" in browser.get("/console/agent").get_data(as_text=True)


def test_the_sign_in_limit_holds_in_every_web_process(make_app, redis):
    """Counted in Redis: a guesser gains nothing from another process, or a restarted one."""
    first = make_app()
    add_people(first)
    for _ in range(5):
        assert Browser(first).sign_in("ana", "guessing again").status_code == 401
    second = make_app()  # another process on the same Redis, started after the guesses
    assert Browser(second).sign_in("ana").status_code == 429


def test_behind_sentinel_sign_in_attempts_are_counted_on_the_master_it_names(make_app):
    sentinels = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    app = make_app(REDIS_SENTINELS=",".join(sentinels), REDIS_SENTINEL_MASTER="ivr")
    assert app.config["RATELIMIT_STORAGE_URI"] == f"redis+sentinel://{','.join(sentinels)}/ivr"
