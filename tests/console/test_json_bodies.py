"""Every JSON body, to the API or the console, is read one way: nesting thousands deep,
numbers JSON cannot mean and repeated keys are refused with a 400 saying why, never a 500."""

from __future__ import annotations

import pytest

from ivr_app.platform.json_body import parse
from tests.console.conftest import Browser

BAD = [
    ('{"text": ' + "[" * 3000 + "]" * 3000 + "}", "JSON nested more than"),
    ('{"text": 1e999, "status": "away"}', "the number 1e999 is too large"),
    ('{"text": NaN, "status": "away"}', "NaN is not a number JSON allows"),
    ('{"status": "away", "status": "available"}', "the key 'status' appears more than once"),
]
CONSOLE = ["/console/agent/status", "/console/flows/main/check", "/console/try/main",
           "/console/try/call/{trial}", "/console/demo/calls/CA1/press"]


def raw_post(browser: Browser, path: str, text: str):
    return browser.client.post(path, data=text, content_type="application/json",
                               headers={"X-CSRFToken": browser.token})


@pytest.mark.parametrize(("text", "problem"), BAD)
def test_the_api_answers_bad_json_with_a_json_400(make_app, redis, text, problem):
    client = make_app(AGENT_API_TOKEN="t0ken").test_client()
    answer = client.put("/api/agents/ana", data=text, content_type="application/json",
                        headers={"Authorization": "Bearer t0ken"})
    assert answer.status_code == 400
    assert problem in answer.get_json()["error"]


@pytest.mark.parametrize("path", CONSOLE)
@pytest.mark.parametrize(("text", "problem"), BAD)
def test_every_console_endpoint_answers_bad_json_with_a_json_400(sol, flows, path,  # noqa: F811
                                                                  text, problem):
    if "{trial}" in path:  # a call tried from the editor reads its actions' bodies
        started = sol.post("/console/try/main", {"text": (flows / "main.yaml").read_text()})
        path = path.format(trial=started.get_json()["sid"])
    answer = raw_post(sol, path, text)
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert problem in answer.get_json()["error"]


def test_json_with_brackets_inside_its_strings_is_not_nested():
    assert parse('{"note": "[[[[[[[[[[[[{{{{{{{{{{ \\" [[[["}') == {
        "note": '[[[[[[[[[[[[{{{{{{{{{{ " [[[['}
    assert parse("[[[[[[[[1]]]]]]]]") == [[[[[[[[1]]]]]]]]
    with pytest.raises(ValueError, match="nested more than 8"):
        parse("[[[[[[[[[1]]]]]]]]]")
