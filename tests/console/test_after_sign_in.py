"""After signing in, a person lands on the console page they asked for, and never off this site.

The login form's `next` comes from the link that led there, which anyone can write: a path
on this site is followed; anything a browser would read as another site is not.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.console.conftest import PASSWORD, Browser

# What browsers take for another site: a scheme, a host after // (also written with
# backslashes, or with a tab or newline they drop), or no leading slash at all.
ELSEWHERE = ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example",
             "/\\/evil.example", "///evil.example", "/\t/evil.example", "/\n/evil.example",
             "http:/evil.example", "javascript:alert(1)", "evil.example/console"]


def site_a_browser_opens(location: str) -> str:
    """The host a browser goes to on this redirect. As the WHATWG URL standard reads an http
    URL, it drops tabs and newlines, takes a backslash for a slash and two or more slashes
    for the start of a host; then it resolves against the login page."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    cleaned = re.sub(r"^(https?:)?/{2,}", r"\1//", cleaned)
    return urlsplit(urljoin("http://localhost/console/login", cleaned)).netloc


def sign_in_with_next(browser: Browser, name: str, target: str):
    browser.client.get("/console/login")  # the form's CSRF token
    browser.sign_in("nobody")
    return browser.client.post(f"/console/login?next={quote(target, safe='')}", data={
        "name": name, "password": PASSWORD, "csrf_token": browser.token})


def test_a_supervisor_sent_to_sign_in_comes_back_to_the_page_they_opened(browser):
    sent = browser.get("/console/flows?tab=history")
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/console/login?next=")
    browser.client.get(sent.headers["Location"])
    browser.sign_in("nobody")
    answer = browser.client.post(sent.headers["Location"], data={
        "name": "sol", "password": PASSWORD, "csrf_token": browser.token})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/console/flows?tab=history"


@pytest.mark.parametrize("target", ["/console/board", "/console/agent?lang=en"])
def test_sign_in_follows_a_next_path_on_this_site(browser, target):
    answer = sign_in_with_next(browser, "sol", target)
    assert (answer.status_code, answer.headers["Location"]) == (302, target)


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_never_follows_a_next_that_leads_off_this_site(browser, target):
    answer = sign_in_with_next(browser, "ana", target)
    assert answer.status_code == 302
    assert site_a_browser_opens(answer.headers["Location"]) == "localhost", answer.headers

