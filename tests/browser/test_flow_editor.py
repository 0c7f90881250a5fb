"""A supervisor changes the live flow in the browser: only what the loader accepts goes live."""

from __future__ import annotations

from playwright.sync_api import expect

from ivr_app.__main__ import lint_command
from ivr_app.state.call_log import CallLog
from tests.browser.conftest import shoot, sign_in
from tests.support.workers import wait_for

GREETING = "Gracias por llamar a Red Hogar. Para español, marque uno."
NEW_GREETING = "Bienvenido a Red Hogar. Para español, marque uno."


def greeting_heard(stack, local) -> str:
    call = stack.caller(local).dial()
    call.hang_up()
    return call.heard[0]


def test_a_broken_flow_stays_a_draft_with_its_error_at_its_line_and_a_rollback_restores(
        page, stack, local):
    original = (stack.flows / "main.yaml").read_text()
    sign_in(page, "sol")
    page.goto("/console/flows")
    expect(page.locator("tr[data-flow=main]")).to_contain_text("ok")
    page.click("tr[data-flow=main] a")

    page.fill("#text-input", original.replace(GREETING, NEW_GREETING))
    page.click("#save")
    expect(page.locator("#flash")).to_contain_text("is live")
    wait_for(lambda: greeting_heard(stack, local) == f"[es-MX] {NEW_GREETING}", 10,
             "the saved version to answer calls")

    broken = original.replace(GREETING, NEW_GREETING).replace("goto: goodbye", "goto: goodby")
    page.fill("#text-input", broken)
    page.click("#save")
    expect(page.locator("#flash")).to_contain_text("kept as a draft")
    lines = original.splitlines()
    goto, node = lines.index("        goto: goodbye") + 1, lines.index("  goodbye:") + 1
    problem = page.locator("#problems li").first
    expect(problem).to_have_attribute("data-line", str(goto))
    expect(problem).to_contain_text(f"line {goto}, column 15")
    expect(problem).to_contain_text("goto target 'goodby' is not a node; did you mean 'goodbye'?")
    expect(page.locator("#problems li").nth(1)).to_contain_text(
        f"line {node}, column 3: node 'goodbye' is never reached from start 'language'")
    expect(page.locator("#gutter .bad-line")).to_have_text([str(goto), str(node)])
    shoot(page, "flow-editor")
    assert greeting_heard(stack, local) == f"[es-MX] {NEW_GREETING}", "the draft never answers"
    assert "goodby\n" not in (stack.flows / "main.yaml").read_text()

    page.goto("/console/flows/main")
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(2)  # the version found on disk, then Sol's
    expect(rows.first).to_contain_text("sol")
    rows.nth(1).locator("button.rollback").click()
    expect(page.locator("#flash")).to_contain_text("Rolled back")
    wait_for(lambda: greeting_heard(stack, local) == f"[es-MX] {GREETING}", 10,
             "the rolled back version to answer calls")
    assert (stack.flows / "main.yaml").read_text() == original
    expect(page.locator("#history tbody tr").first).to_contain_text("rollback")


def test_errors_found_while_typing_read_in_the_supervisors_words(page, stack):
    """The editor checks again as the supervisor types; its list is redrawn by the script."""
    original = (stack.flows / "main.yaml").read_text()
    sign_in(page, "sol")
    page.goto("/console/flows/main")
    page.fill("#text-input", original.replace("goto: goodbye", "goto: goodby"))
    expect(page.locator("#check-status")).to_have_text("2 problem(s)")
    lines = original.splitlines()
    goto = lines.index("        goto: goodbye") + 1
    expect(page.locator("#problems li").first).to_contain_text(f"line {goto}, column 15: goto")
    assert (stack.flows / "main.yaml").read_text() == original, "checking saves nothing"


def test_an_open_editor_says_when_another_version_went_live_and_never_saves_over_it(
        page, stack, local, capsys):
    """Sol edits; meanwhile the file is changed on disk, then broken: the open page says so,
    refuses Sol's save until she has seen what changed, and names the version answering."""
    path = stack.flows / "main.yaml"
    original = path.read_text()
    try:
        sign_in(page, "sol")
        page.goto("/console/flows/main")
        expect(page.locator("#opened")).to_contain_text("the live one")
        first = page.locator("#standing").get_attribute("data-base")
        expect(page.locator("#answering")).to_have_text(f"Version {first} answers calls.")
        expect(page.locator("#live-changed")).to_be_hidden()

        path.write_text(original.replace("offer_after: 120", "offer_after: 90"))
        changed = page.locator("#live-changed")
        expect(changed).to_be_visible(timeout=10_000)
        expect(changed).to_contain_text(f"went live after version {first}, which you are "
                                        "editing")
        newer = page.locator("#answering").inner_text().split()[1]
        assert newer != first

        page.fill("#text-input", original.replace(GREETING, NEW_GREETING))
        page.click("#save")
        expect(page.locator("#flash")).to_contain_text(
            f"Someone else made version {newer} live after version {first}")
        expect(page.locator("#conflict")).to_contain_text("+  offer_after: 90")
        assert "offer_after: 90" in path.read_text(), "the other edit stands"
        shoot(page, "flow-editor-conflict")

        path.write_text(original.replace("goto: goodbye", "goto: goodby"))
        assert lint_command([str(path)]) == 1
        said = capsys.readouterr().out.strip()
        assert "goto target 'goodby' is not a node" in said
        expect(page.locator("#disk-problems")).to_have_text(said, timeout=10_000)
        expect(page.locator("#answering")).to_have_text(f"Version {newer} answers calls.")
        shoot(page, "flow-editor-disk-refused")
        assert greeting_heard(stack, local) == f"[es-MX] {GREETING}", "the last good answers"
    finally:
        path.write_text(original)


def test_a_draft_tried_on_todays_calls_shows_the_call_it_would_send_elsewhere(
        page, stack, local):
    """Keys 3 and 4 of the main menu swapped in the editor: the day's caller who pressed 3 to
    cancel a service would now be asked for an account, and is listed."""
    original = (stack.flows / "main.yaml").read_text()
    cancel = stack.caller(local, caller="+15005550041").dial().press("1").press("3").press("1")
    cancel.hang_up()
    asked = stack.caller(local, caller="+15005550042").dial().press("1").press("0")
    asked.hang_up()
    log = CallLog(local.extensions["ivr"].redis)
    wait_for(lambda: len(log.between(0, 2e10)) == 2, 15, "both calls' summaries")
    swapped = original.replace("- key: 3\n        say: {es: [cancelar", "- key: 4\n        say: "
                               "{es: [cancelar").replace("- key: 4\n        say: {es: [visita",
                                                         "- key: 3\n        say: {es: [visita")
    sign_in(page, "sol")
    page.goto("/console/flows/main")
    page.fill("#text-input", swapped)
    page.click("#replay-run")
    result = page.locator("#replay-result")
    expect(result).to_contain_text("Calls replayed: 2.")
    expect(result.locator("table").first).to_contain_text("With a person")
    changed = result.locator("table").nth(1)
    expect(changed.locator("tbody tr")).to_have_count(1)
    expect(changed.locator(f"span[title={cancel.sid}]")).to_be_visible()
    width = page.evaluate("() => { const card = document.getElementById('replay');"
                          " return [card.scrollWidth, card.clientWidth]; }")
    assert width[0] <= width[1], f"the replay's tables are wider than their card: {width}"
    expect(changed).to_contain_text("With a person · cancel_internet")
    expect(changed).to_contain_text("No recorded answer")
    shoot(page, "flow-editor-replay")
    assert (stack.flows / "main.yaml").read_text() == original, "nothing went live"
