"""What a caller said stays text; agents cannot reach supervisor pages; posts need CSRF."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot, sign_in

SCRIPT = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def test_a_script_in_a_transcript_shows_as_text(page, stack, local):
    sign_in(page, "ana")
    page.click("button[data-status=available]")
    stack.caller(local).dial().press("1").says(f"{SCRIPT} agente")
    said = page.locator("#call")
    expect(said).to_contain_text(SCRIPT, timeout=5000)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#call script, #call img").count() == 0


def test_an_agent_gets_403_from_every_supervisor_page_and_endpoint(page, stack, local):
    sign_in(page, "ana")
    for path in ("/console/board", "/console/board/live", "/console/flows",
                 "/console/flows/main", "/console/metrics", "/console/metrics/calls.csv"):
        assert page.goto(path).status == 403, path
    expect(page.locator("main")).to_contain_text("supervisors only")
    token = page.goto("/console/agent") and page.locator("meta[name=csrf-token]").get_attribute(
        "content")
    for path in ("/console/flows/main", "/console/flows/main/check", "/console/try/main"):
        answer = page.request.post(path, data={"text": "x"}, headers={"X-CSRFToken": token})
        assert answer.status == 403, path
    assert "goodbye" in (stack.flows / "main.yaml").read_text()


def test_posts_without_the_csrf_token_are_refused(page, stack, local):
    sign_in(page, "ana")
    answer = page.request.post("/console/agent/status", data={"status": "available"})
    assert answer.status == 400
    assert "CSRF" in answer.text()
    assert local.extensions["ivr"].roster.get("ana").status == "away"
    signed_out = page.context.browser.new_context(base_url=stack.url)
    try:
        login = signed_out.request.post("/console/login",
                                        form={"name": "ana", "password": "x" * 12})
        assert login.status == 400
    finally:
        signed_out.close()


def test_the_board_shows_who_waits_and_the_screen_recovers_from_a_dropped_connection(
        page, stack, local):
    sign_in(page, "sol")
    expect(page).to_have_url(f"{stack.url}/console/board")
    caller = stack.caller(local).dial().press("2").press("2")  # English, billing
    caller.press("12345674").press("1").press("0")
    queue = page.locator("[data-queue=support]")
    expect(queue).to_contain_text(caller.caller, timeout=5000)
    expect(page.locator("#agents")).to_contain_text("Ana Torres")
    shoot(page, "board")

    page.context.set_offline(True)
    expect(page.locator("#offline")).to_be_visible(timeout=5000)
    page.context.set_offline(False)
    second = stack.caller(local, caller="+15005550007").dial().press("1").press("0")
    expect(page.locator("#offline")).to_be_hidden(timeout=10000)
    expect(queue).to_contain_text(second.caller, timeout=5000)
