"""Supervisors change flows from the console: what goes live, what stays a draft, rollback,
edits on disk, and trying a version through the signed webhooks before it goes live."""

from __future__ import annotations

import re
import threading
import time

from ivr_app.console import flow_files
from ivr_app.demo.simulator import Call
from ivr_app.flow.source import MAX_BYTES
from ivr_app.state.flow_history import FlowHistory
from tests.conftest import TOKEN
from tests.console.conftest import Browser

GREETING = "Gracias por llamar a Red Hogar. Para español, marque uno."


def save(sol: Browser, text: str, base: str | None = None):
    """Save `text` from the editor, edited from the version the editor names (or `base`)."""
    if base is None:
        page = sol.get("/console/flows/main").get_data(as_text=True)
        base = re.search(r'name="base" value="([^"]*)"', page).group(1)
    return sol.form("/console/flows/main", {"text": text, "base": base})


def first_words(app) -> str:
    call = Call(app, TOKEN).dial()
    call.hang_up()
    return call.heard[0]


def test_a_flow_that_passes_the_loader_goes_live_with_who_and_when(sol, flows):
    text = (flows / "main.yaml").read_text().replace(GREETING, "Hola. Para español, marque uno.")
    assert save(sol, text).status_code == 302
    assert (flows / "main.yaml").read_text() == text
    assert first_words(sol.app) == "[es-MX] Hola. Para español, marque uno."
    newest = FlowHistory(sol.app.extensions["ivr"].redis).entries("main")[0]
    assert (newest["who"], newest["how"], newest["text"]) == ("sol", "console", text)


def test_a_broken_flow_is_kept_as_a_draft_and_never_answers(sol, flows):
    before = (flows / "main.yaml").read_text()
    broken = before.replace("goto: goodbye", "goto: goodby")
    page = save(sol, broken)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    line = before.splitlines().index("        goto: goodbye") + 1
    assert f'<li data-line="{line}"><a href="#" data-line="{line}">line {line}, column 15</a>: ' \
           "goto target &#39;goodby&#39; is not a node; did you mean &#39;goodbye&#39;?" in html
    assert (flows / "main.yaml").read_text() == before
    assert first_words(sol.app) == f"[es-MX] {GREETING}"
    assert FlowHistory(sol.app.extensions["ivr"].redis).draft("main")["text"] == broken
    assert "goto: goodby\n" in sol.get("/console/flows/main").get_data(as_text=True)


def test_one_click_puts_an_earlier_version_back(sol, flows):
    original = (flows / "main.yaml").read_text()
    sol.get("/console/flows")  # the version on disk is recorded as found
    save(sol, original.replace(GREETING, "Hola. Marque uno."))
    first = FlowHistory(sol.app.extensions["ivr"].redis).entries("main")[-1]["version"]
    assert sol.form(f"/console/flows/main/rollback/{first}", {}).status_code == 302
    assert (flows / "main.yaml").read_text() == original
    assert first_words(sol.app) == f"[es-MX] {GREETING}"
    assert [e["how"] for e in FlowHistory(sol.app.extensions["ivr"].redis).entries("main")] == [
        "rollback", "console", "disk"]
    assert sol.form("/console/flows/main/rollback/nosuch", {}).status_code == 404


def test_an_edit_on_disk_is_listed_and_recorded_like_one_from_the_console(sol, flows):
    sol.get("/console/flows")
    (flows / "main.yaml").write_text((flows / "main.yaml").read_text().replace(
        GREETING, "Hola desde el disco. Para español, marque uno."))
    page = sol.get("/console/flows").get_data(as_text=True)
    assert 'data-flow="main"' in page and "disk" in page
    assert [e["how"] for e in FlowHistory(sol.app.extensions["ivr"].redis).entries("main")] == [
        "disk", "disk"]
    (flows / "main.yaml").write_text("languages: {}\n")
    listed = sol.get("/console/flows").get_data(as_text=True)
    assert "4 problem(s)" in listed
    assert "line 1, column 12" in sol.get("/console/flows/main").get_data(as_text=True)
    assert first_words(sol.app) == "[es-MX] Hola desde el disco. Para español, marque uno."


def test_the_checker_answers_as_the_supervisor_types(sol):
    answer = sol.post("/console/flows/main/check", {"text": "languages: {}\n"}).get_json()
    assert answer["version"] is None
    assert {"line": 1, "column": 12, "message": "'languages' must declare at least one "
            "language", "rule": "required"} in answer["problems"]


def test_only_flow_files_can_be_opened(sol):
    assert sol.get("/console/flows/..%2Fpyproject").status_code == 404
    assert sol.get("/console/flows/nosuch").status_code == 404


def test_a_call_tried_from_the_console_runs_the_editors_version_not_the_live_one(sol, flows):
    tried = (flows / "main.yaml").read_text().replace(GREETING, "Versión de prueba. Marque uno.")
    started = sol.post("/console/try/main", {"text": tried, "caller": "+15005550009"})
    assert started.status_code == 200, started.get_data(as_text=True)
    body = started.get_json()
    assert body["heard"][0] == "[es-MX] Versión de prueba. Marque uno." and body["asks"]
    assert first_words(sol.app) == f"[es-MX] {GREETING}", "the live flow is unchanged"
    sid = body["sid"]
    for action in ({"action": "press", "value": "1"}, {"action": "press", "value": "0"}):
        body = sol.post(f"/console/try/call/{sid}", action).get_json()
    # the caller hears the wait, and the page says so (no agent signed in: no figure)
    assert body["state"] == {"is": "line", "queue": "support", "position": 1, "told": True,
                             "told_said": "no estimate (no agents signed in)"}
    assert "en la fila" in " ".join(body["heard"])
    ivr = sol.app.extensions["ivr"]
    assert ivr.queues.position("support", sid) == 1
    assert ivr.queues.waiter(sid).test, "a tried call stays out of the wait statistics"
    _, state = ivr.store.load(sid)
    assert state["from"] == "+15005550009" and state["version"] != ivr.registry.current(
        "main").version
    ended = sol.post(f"/console/try/call/{sid}", {"action": "hangup"}).get_json()
    assert ended["state"] == {"is": "ended", "by": "caller"} and ended["asks"] is None
    assert sol.post(f"/console/try/call/{sid}", {"action": "press", "value": "1"}
                    ).status_code == 409


def test_a_broken_text_cannot_be_tried(sol):
    refused = sol.post("/console/try/main", {"text": "languages: {}\n"})
    assert refused.status_code == 422 and "must declare at least one" in refused.get_json()[
        "error"]


def test_a_stale_read_of_the_file_is_not_recorded_over_a_newer_save(redis, app):
    history = FlowHistory(app.extensions["ivr"].redis)
    now = app.extensions["ivr"].clock()
    assert history.record("main", "v1", "new", "sol", "console", now, written=200.0)
    assert not history.record("main", "v0", "old", "disk", "disk", now, written=100.0)
    assert not history.record("main", "v1", "new", "disk", "disk", now, written=300.0)
    assert history.record("main", "v2", "newer", "disk", "disk", now, written=300.0)
    assert [e["version"] for e in history.entries("main")] == ["v2", "v1"]


def test_a_flow_larger_than_a_webhook_body_can_still_be_saved(sol, flows):
    big = (flows / "main.yaml").read_text() + "# " + "x" * 100_000 + "\n"
    assert save(sol, big).status_code == 302
    assert (flows / "main.yaml").read_text() == big
    assert sol.app.test_client().post("/voice", data={"x": "y" * 100_000}).status_code == 413


def test_the_flow_page_shows_its_gethuman_scorecard_per_version(sol, flows):
    page = sol.get("/console/flows/main").get_data(as_text=True)
    card = page[page.index('id="scorecard"'):]
    assert card.count('class="pass"') == 9 and 'class="fail"' not in card
    assert "A person from every question" in card and "key 0 at every one" in card
    slow = (flows / "main.yaml").read_text().replace("offer_after: 120", "offer_after: 1800")
    assert save(sol, slow).status_code == 302
    page = sol.get("/console/flows/main").get_data(as_text=True)
    card = page[page.index('id="scorecard"'):]
    assert card.count('class="pass"') == 8
    assert 'class="fail" data-point="4"' in card and "only after 1800 s" in card


def test_a_save_from_a_version_no_longer_live_is_a_visible_conflict_kept_as_a_draft(sol, flows):
    original = (flows / "main.yaml").read_text()
    page = sol.get("/console/flows/main").get_data(as_text=True)  # both open version v0
    base = re.search(r'name="base" value="([^"]*)"', page).group(1)
    luz = Browser(sol.app, "10.0.0.2")
    luz.sign_in("sol")
    mine = original.replace(GREETING, "Hola de Sol. Para español, marque uno.")
    theirs = original.replace("offer_after: 120", "offer_after: 90")
    assert save(luz, theirs, base).status_code == 302  # 0.2 s earlier, from the same version
    conflict = save(sol, mine, base)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    live = FlowHistory(sol.app.extensions["ivr"].redis).live("main")
    assert f"Someone else made version {live} live after version {base}" in html
    shown = html[html.index('id="conflict"'):]
    assert "-  offer_after: 120" in shown and "+  offer_after: 90" in shown  # what changed
    assert (flows / "main.yaml").read_text() == theirs  # the other edit stands
    assert FlowHistory(sol.app.extensions["ivr"].redis).draft("main")["text"] == mine
    assert "Hola de Sol" in sol.get("/console/flows/main").get_data(as_text=True)  # the draft
    assert save(sol, mine).status_code == 302  # saved again, having seen the change
    assert (flows / "main.yaml").read_text() == mine


def test_a_text_the_loader_would_refuse_for_its_size_is_refused_at_save(sol, flows):
    before = (flows / "main.yaml").read_text()
    big = before + "# " + "x" * (MAX_BYTES) + "\n"
    page = save(sol, big)
    assert page.status_code == 422
    size = len(big.encode())
    assert f"file is {size} bytes; the limit is {MAX_BYTES}" in page.get_data(as_text=True)
    assert (flows / "main.yaml").read_text() == before
    history = FlowHistory(sol.app.extensions["ivr"].redis)
    assert all(e["text"] != big for e in history.entries("main"))
    assert first_words(sol.app) == f"[es-MX] {GREETING}"


def test_rollback_offers_only_versions_that_load_today(sol, flows):
    original = (flows / "main.yaml").read_text()
    ivr = sol.app.extensions["ivr"]
    history = FlowHistory(ivr.redis)
    sol.get("/console/flows")  # the version on disk is recorded
    too_big = original + "# " + "x" * MAX_BYTES + "\n"  # went live before the cap, say
    history.record("main", "0ld0ver5ize0", too_big, "bruno", "console", ivr.clock(),
                   time.time())
    assert save(sol, original.replace(GREETING, "Hola. Marque uno.")).status_code == 302
    page = sol.get("/console/flows/main").get_data(as_text=True)
    row = page[page.index('data-version="0ld0ver5ize0"'):].split("</tr>")[0]
    assert "no longer passes the check" in row and "rollback" not in row
    first = history.entries("main")[-1]["version"]  # the one found on disk loads
    loading = page[page.index(f'data-version="{first}"'):].split("</tr>")[0]
    assert 'class="rollback"' in loading
    answer = sol.form("/console/flows/main/rollback/0ld0ver5ize0", {})
    assert answer.status_code == 302 and (flows / "main.yaml").read_text() != too_big
    assert "the limit is" in sol.get("/console/flows/main").get_data(as_text=True)


def test_two_saves_at_once_from_one_version_one_goes_live_the_other_is_a_conflict(
        sol, flows, monkeypatch):
    writing = flow_files._write  # a slow disk: the saves overlap
    monkeypatch.setattr(flow_files, "_write", lambda *a: time.sleep(0.3) or writing(*a))
    original = (flows / "main.yaml").read_text()
    page = sol.get("/console/flows/main").get_data(as_text=True)
    base = re.search(r'name="base" value="([^"]*)"', page).group(1)
    other = Browser(sol.app, "10.0.0.3")
    other.sign_in("sol")
    texts = [original.replace(GREETING, f"Hola {i}. Para español, marque uno.") for i in (0, 1)]
    together = threading.Barrier(2)
    answers: dict[int, int] = {}

    def saving(i: int, browser: Browser) -> None:
        together.wait()
        answers[i] = save(browser, texts[i], base).status_code

    savers = [threading.Thread(target=saving, args=pair) for pair in enumerate((sol, other))]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join()
    assert sorted(answers.values()) == [302, 409]
    assert (flows / "main.yaml").read_text() == texts[answers[1] == 302]
