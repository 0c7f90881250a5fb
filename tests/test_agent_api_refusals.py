"""What the agent API says when it refuses: the part of the request at fault, cut short
where it could be long, and what it would take instead; a text too long anywhere in a
body is refused before anything reads it."""

from __future__ import annotations

from tests.line import API_TOKEN, Line

LUZ = {"name": "Luz", "phone": "+15005550124", "languages": ["es"], "queues": ["billing"]}


def put(line, agent_id: str, body: dict):
    return line.api.put(f"/api/agents/{agent_id}", json=body,
                        headers={"Authorization": f"Bearer {API_TOKEN}"})


def test_a_callback_is_looked_up_by_its_id_but_never_escalated(line):
    callback = "CB" + "7" * 32
    assert line.get(f"/api/calls/{callback}/context").status_code == 404  # a CB id, unknown
    moved = line.post(f"/api/calls/{callback}/escalate", {"agent": "ana"})
    assert moved.get_json()["error"] == (
        f"{callback!r} is not a CallSid (CA and 32 hex digits); a callback cannot be moved")
    asked = line.get("/api/calls/" + "x" * 60 + "/context")
    assert asked.get_json()["error"] == (
        f"{'x' * 40!r} is not a CallSid (CA and 32 hex digits) or a callback id (CB...)")


def test_an_agent_id_refused_is_echoed_cut_at_forty_characters(line):
    refused = put(line, "y" * 70, LUZ)
    assert refused.status_code == 400
    assert refused.get_json()["error"].startswith(f"{'y' * 40!r}: ")


def test_a_queue_refused_is_answered_with_the_queues_the_flow_has(line):
    refused = put(line, "luz", LUZ | {"queues": ["facturas"]})
    known = ", ".join(sorted(line.ivr.registry.current("main").queues()))
    assert refused.get_json()["error"] == f"queue 'facturas' is not one of the flow's: {known}"


def test_without_a_flow_loaded_an_agent_is_saved_with_any_queue(make_app, redis, tmp_path,
                                                                 twilio_standin):
    line = Line(make_app, twilio_standin, FLOWS_DIR=str(tmp_path))  # no flow file at all
    assert put(line, "luz", LUZ | {"queues": ["nightshift"]}).status_code == 200
    assert line.ivr.roster.get("luz").queues == ["nightshift"]


def test_a_text_of_a_thousand_characters_is_taken_and_one_more_is_refused(line):
    assert put(line, "luz", LUZ | {"name": "n" * 1000}).status_code == 200
    longer = put(line, "luz", LUZ | {"name": "n" * 1001})
    assert longer.get_json()["error"] == "a text of 1001 characters; at most 1000"
    assert line.ivr.roster.get("luz").name == "n" * 1000


def test_a_text_too_long_in_a_list_or_as_a_key_is_refused_before_anything_reads_it(line):
    in_a_list = put(line, "luz", LUZ | {"queues": ["billing", "q" * 1001]})
    assert in_a_list.get_json()["error"] == "a text of 1001 characters; at most 1000"
    as_a_key = put(line, "luz", LUZ | {"k" * 1200: "x"})
    assert as_a_key.get_json()["error"] == "a text of 1200 characters; at most 1000"
    assert line.ivr.roster.get("luz") is None
