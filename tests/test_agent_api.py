"""The agent API takes only what it can keep apart: ids shaped as ids, numbers in E.164,
queues the line has; and every refusal is JSON with the status that fits it."""

from __future__ import annotations

import pytest

from tests.line import API_TOKEN

LUZ = {"name": "Luz", "phone": "+15005550123", "languages": ["es"], "queues": ["billing"]}


def put(line, agent_id: str, body: dict, token: str = API_TOKEN):
    return line.api.put(f"/api/agents/{agent_id}", json=body,
                        headers={"Authorization": f"Bearer {token}"})


def test_an_agent_id_that_could_be_another_key_is_refused_and_breaks_nobody(line):
    assert put(line, "bob", LUZ | {"name": "Bob"}).status_code == 200
    line.post("/api/agents/bob/status", {"status": "available"})
    refused = put(line, "bob:history", LUZ)
    assert refused.status_code == 400
    assert "[a-z0-9_-]" in refused.get_json()["error"]
    assert [a["id"] for a in line.get("/api/agents").get_json()] == ["bob"]
    assert line.ivr.roster.history("bob")[0]["status"] == "available"


@pytest.mark.parametrize("agent_id", ["Bob", "a" * 33, "ana.b", "x y"])
def test_agent_ids_are_short_lower_case_names(line, agent_id):
    answer = put(line, agent_id, LUZ)
    assert answer.status_code == 400 and "error" in answer.get_json()


@pytest.mark.parametrize("phone", ["5512345678", "+1 500 555 0123", "+1555", "+999123456789"])
def test_agent_phones_must_be_valid_e164_numbers(line, phone):
    answer = put(line, "luz", LUZ | {"phone": phone})
    assert answer.status_code == 400
    assert "E.164" in answer.get_json()["error"]


def test_an_agent_queue_must_be_one_the_flow_sends_callers_to(line):
    answer = put(line, "luz", LUZ | {"queues": ["billing", "bilings"]})
    assert answer.status_code == 400
    assert answer.get_json()["error"].startswith("queue 'bilings' is not one of the flow's: ")
    assert put(line, "luz", LUZ | {"queues": ["supervisors", "field"]}).status_code == 200


@pytest.mark.parametrize("path", ["/api/calls/nope/context", "/api/calls/CA123/context",
                                  "/api/calls/" + "CA" + "g" * 32 + "/context"])
def test_a_call_id_that_is_not_a_call_id_is_a_bad_request(line, path):
    answer = line.get(path)
    assert answer.status_code == 400
    assert "CA" in answer.get_json()["error"]


def test_an_unknown_call_is_not_found_in_json(line):
    answer = line.get("/api/calls/CA" + "0" * 32 + "/context")
    assert (answer.status_code, answer.is_json) == (404, True)


def test_only_a_live_call_can_be_escalated_by_a_named_agent(line):
    call = line.caller().dial().press("1").press("0")
    callback = line.post("/api/calls/CB" + "0" * 32 + "/escalate", {"agent": "ana"})
    assert callback.status_code == 400
    stranger = line.post(f"/api/calls/{call.sid}/escalate", {"agent": "Ana Torres"})
    assert stranger.status_code == 400
    assert list(line.ivr.queues.in_order("supervisors")) == []


def test_the_token_must_come_as_a_bearer_token(line):
    bare = line.api.get("/api/agents", headers={"Authorization": API_TOKEN})
    assert bare.status_code == 401 and "Bearer" in bare.get_json()["error"]
    assert line.get("/api/agents").status_code == 200


def test_a_roster_file_with_a_bad_agent_is_refused_at_start(make_app, redis, tmp_path, caplog):
    roster = tmp_path / "agents.yaml"
    roster.write_text('- {id: "bob:history", name: Bob, phone: "+15005550101"}\n')
    app = make_app(AGENTS_FILE=str(roster))
    assert app.extensions["ivr"].roster.all() == []
    assert "bob:history" in caplog.text
