"""Browser tests: real headless Chromium (Debian's, driven by Playwright) against the app under
gunicorn with a real Redis. Screenshots of each page go to artifacts/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_py

from ivr_app import create_app
from ivr_app.platform.config import from_env, settings
from tests.browser.stack import PASSWORD, ROOT, Stack
from tests.conftest import own_redis_url

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install -r requirements-dev.txt)")
if not Path(CHROMIUM).exists():
    pytest.skip("no chromium browser: apt-get install chromium (.ci/run does)",
                allow_module_level=True)


@pytest.fixture(scope="package")
def stack(redis_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(own_redis_url(), tmp_path_factory.mktemp("stack"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def local(stack: Stack):
    """An app in this process on the same Redis and settings: it seeds the people of the
    test and reads what a caller left; the calls themselves go to gunicorn."""
    client = redis_py.Redis.from_url(own_redis_url())
    client.flushdb()
    app = create_app(settings(from_env(stack.config)))
    stack.seed(app.extensions["ivr"])
    yield app
    app.extensions["ivr"].close()
    client.flushdb()
    client.close()


@pytest.fixture
def page(browser, stack: Stack, local) -> Iterator[sync_api.Page]:
    context = browser.new_context(base_url=stack.url, viewport={"width": 1400, "height": 1000},
                                  locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
