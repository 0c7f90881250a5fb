"""The whisper speaks one language: the agent's, queue names and reasons included."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_app.flow.errors import FlowError
from ivr_app.flow.validate import load_flow
from ivr_app.line.context import whisper_text
from tests.line import ACCOUNT, created_calls


def whisper_for(line, agent: str, languages: list[str], *keys: str) -> str:
    """What `agent` hears when offered a caller who pressed `keys` then waited."""
    line.agent(agent, languages, ["support", "billing"])
    call = line.caller().dial()
    for key in keys:
        call.press(key)
    line.run_jobs()
    [(agent_call, _)] = created_calls(line)
    return line.standin.answer(agent_call)


def test_a_spanish_agent_hears_the_queue_and_the_reason_in_spanish(line):
    whisper = whisper_for(line, "ana", ["es"], "1", "0")
    assert "Llamada de la fila soporte." in whisper
    assert "Motivo: pidió hablar con una persona." in whisper
    assert "support" not in whisper and "asked for" not in whisper


def test_an_english_agent_hears_them_in_english(line):
    whisper = whisper_for(line, "joe", ["en"], "2", "2", ACCOUNT, "1", "1")  # a bill dispute
    assert "Call from the billing queue." in whisper
    assert "Reason: bill dispute." in whisper


def test_silence_is_a_reason_said_in_the_agents_language(line):
    whisper = whisper_for(line, "ana", ["es"], "1", "9", "9", "9")  # wrong keys, thrice
    assert "Motivo: no se entendió su respuesta." in whisper


def test_zero_at_the_whisper_does_not_accept_and_never_queues_the_agent(line):
    whisper = whisper_for(line, "ana", ["es"], "1", "0")
    answer = line.agent_presses(whisper, "0")  # 0 is a caller's way out, not an agent's
    assert "Llamada no aceptada." in answer and "<Enqueue" not in answer
    assert line.ivr.roster.get("ana").status == "offered"  # until Twilio says the call ended
    [waiting] = list(line.ivr.queues.in_order("support"))
    assert line.ivr.queues.waiter(waiting).room == ""


def test_an_escalation_is_said_in_the_agents_language_and_its_note_once(line):
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    whisper = whisper_for(line, "ana", ["es"], "1", "0")
    line.agent_presses(whisper, "1")
    call_sid = line.ivr.roster.get("ana").call
    line.post(f"/api/calls/{call_sid}/escalate", {"agent": "ana", "note": "quiere un reembolso"})
    line.run_jobs()
    supervisor_call, _ = created_calls(line)[-1]
    heard = line.standin.answer(supervisor_call)
    assert "Llamada de la fila supervisores." in heard
    assert "Motivo: escalada por ana." in heard
    assert heard.count("quiere un reembolso") == 1


def test_a_queue_display_name_must_name_a_queue_of_the_flow(tmp_path):
    text = Path("flows/main.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "main.yaml"
    broken.write_text(text.replace("  support: {es: soporte, en: support}\n",
                                   "  suport: {es: soporte, en: support}\n"), encoding="utf-8")
    with pytest.raises(FlowError, match="queue 'suport' is not one the flow sends callers to"):
        load_flow(broken)
    broken.write_text(text.replace("  support: {es: soporte, en: support}\n",
                                   "  support: {es: soporte, fr: assistance}\n"),
                      encoding="utf-8")
    with pytest.raises(FlowError, match="language 'fr' is not declared"):
        load_flow(broken)


def test_a_spanish_agent_hears_the_flows_own_reason_by_its_spanish_name(line):
    whisper = whisper_for(line, "ana", ["es"], "2", "2", ACCOUNT, "1", "1")  # a bill dispute
    assert "Motivo: aclaración de un cargo." in whisper
    assert "bill dispute" not in whisper


def test_a_reason_display_name_must_name_a_reason_of_the_flow(tmp_path):
    text = Path("flows/main.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "main.yaml"
    broken.write_text(text.replace("  payment plan: {es:", "  payment plans: {es:"),
                      encoding="utf-8")
    with pytest.raises(FlowError, match="reason 'payment plans' is not one the flow gives"):
        load_flow(broken)


def test_a_callback_asked_for_a_minute_ago_is_one_minute_in_the_whisper():
    context = {"queue": "support", "callback_minutes": 1, "language": "es"}
    assert "solicitada hace 1 minuto." in whisper_text(context, "es")
    assert "requested 1 minute ago." in whisper_text(context, "en")
    assert "solicitada hace 2 minutos." in whisper_text(context | {"callback_minutes": 2}, "es")
