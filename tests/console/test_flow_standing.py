"""The flow editor never misleads: it names the version its text was opened from, the one
answering calls, whether another went live since, and why the file on disk is refused."""

from __future__ import annotations

import html
import re

from ivr_app.__main__ import lint_command
from ivr_app.state.flow_history import FlowHistory
from tests.console.conftest import Browser, add_people
from tests.console.test_flow_changes import GREETING, save


def shown(page: str, element: str) -> str:
    """The text of one element of the page, by id, as the reader sees it."""
    found = re.search(rf'id="{element}"[^>]*>(.*?)</(?:p|pre)>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def opened(sol) -> str:
    return sol.get("/console/flows/main").get_data(as_text=True)


def live(sol) -> str:
    return FlowHistory(sol.app.extensions["ivr"].redis).live("main")


def test_the_editor_names_the_version_it_opened_and_the_one_answering_calls(sol):
    page = opened(sol)
    version = live(sol)
    assert shown(page, "opened") == f"Opened from version {version}, the live one."
    assert shown(page, "answering") == f"Version {version} answers calls."
    assert 'id="live-changed" class="card warn" role="alert" hidden' in page
    assert 'id="disk-refused" class="card warn" hidden' in page


def test_a_draft_from_a_version_no_longer_live_says_so_before_any_save(sol, flows):
    original = (flows / "main.yaml").read_text()
    first = re.search(r'name="base" value="([^"]*)"', opened(sol)).group(1)
    broken = original.replace("goto: goodbye", "goto: goodby")
    assert save(sol, broken, first).status_code == 422  # Sol's draft, from the first version
    (flows / "main.yaml").write_text(original.replace(GREETING, "Hola. Marque uno."))
    page = opened(sol)
    newer = live(sol)
    assert newer != first
    assert shown(page, "opened").startswith("Opened from the draft by sol (")
    assert shown(page, "opened").endswith(f"edited from version {first}.")
    assert shown(page, "live-changed") == (
        f"Version {newer} went live after version {first}, which you are editing: saving "
        "will show you what changed, and nothing goes live before you have seen it.")
    assert 'role="alert" hidden' not in page
    assert shown(page, "answering") == f"Version {newer} answers calls."


def test_a_version_opened_from_the_history_says_it_replaces_the_live_one(sol, flows):
    first = live(sol) or re.search(r'name="base" value="([^"]*)"', opened(sol)).group(1)
    original = (flows / "main.yaml").read_text()
    assert save(sol, original.replace(GREETING, "Hola. Marque uno.")).status_code == 302
    page = sol.get(f"/console/flows/main?version={first}").get_data(as_text=True)
    assert shown(page, "opened").startswith(f"Opened from recorded version {first} (")
    assert shown(page, "opened").endswith(f"saving makes this text live in place of version "
                                          f"{live(sol)}.")
    assert 'role="alert" hidden' in page


def test_a_broken_file_on_disk_shows_lints_own_words_and_the_version_still_answering(
        sol, flows, capsys):
    good = re.search(r'name="base" value="([^"]*)"', opened(sol)).group(1)
    path = flows / "main.yaml"
    path.write_text(path.read_text().replace("goto: goodbye", "goto: goodby"))
    assert lint_command([str(path)]) == 1
    said = capsys.readouterr().out.strip()
    assert said.startswith(f"{path}:") and "goto target 'goodby' is not a node" in said

    page = opened(sol)
    assert 'id="disk-refused" class="card warn" hidden' not in page
    assert shown(page, "disk-problems") == said
    assert shown(page, "answering") == f"Version {good} answers calls."
    assert sol.get("/console/flows/main/standing").get_json() == {
        "live": good, "serving": good, "refused": said.splitlines()}
    listed = sol.get("/console/flows").get_data(as_text=True)
    row = listed[listed.index('data-flow="main"'):].split("</tr>")[0]
    assert f"(live: <code>{good}</code>)" in row


def test_with_no_version_at_all_the_editor_says_callers_go_to_a_person(make_app, tmp_path,
                                                                       redis):
    (tmp_path / "main.yaml").write_text("languages: {}\n")
    app = make_app(FLOWS_DIR=str(tmp_path), FLOW_CHECK_SECONDS=0)
    add_people(app)
    supervisor = Browser(app)
    supervisor.sign_in("sol")
    page = supervisor.get("/console/flows/main").get_data(as_text=True)
    assert shown(page, "answering") == ("No version answers calls: every caller goes straight "
                                        "to a person until the file is fixed.")
    assert f"{tmp_path / 'main.yaml'}:1:12: 'languages' must declare at least one language " \
           "[required]" in shown(page, "disk-problems")
