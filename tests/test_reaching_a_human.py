"""A caller who asks for a person reaches one who already knows why they called."""

from __future__ import annotations

from pathlib import Path

import rq
import yaml

from ivr_app.state.agents import Agent
from tests.line import ACCOUNT, API_TOKEN, PUBLIC, Line, created_calls
from workers import context
from workers import routing as routing_jobs


def test_caller_who_zeroes_out_at_billing_hears_place_and_wait_then_agent_hears_account(line):
    line.agent("ana", ["es"], ["support", "billing"], status="busy", since_s=150)
    call = line.caller().dial()
    call.press("1").press("2").press(ACCOUNT).press("1")  # Spanish, billing, account, right
    call.press("0")  # at the billing menu
    assert (call.ending.queue, call.ending.reason) == ("support", "asked for a person")
    # Ana is two and a half minutes into a five-minute call, then half a minute of wrap-up:
    # three minutes to wait, long enough for a callback to be offered.
    assert call.heard[-6:-1] == [
        "[es-MX] Usted es el número 1 en la fila.",
        "[es-MX] Tiempo estimado de espera: 3 minutos.",
        "[es-MX] Si prefiere que le llamemos cuando sea su turno, sin perder su lugar, "
        "marque uno.",
        "[es-MX] Para volver a escuchar su lugar en la fila, marque cero.",
        "[es-MX] Para hablar con un supervisor, marque nueve.",
    ]

    line.clock.advance(180)
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.run_jobs()
    [(agent_call, to)] = created_calls(line)
    assert to == line.ivr.roster.get("ana").phone
    whisper = line.standin.answer(agent_call)
    assert "account: 1 2 3 4 5 6 7 4." in whisper
    assert "Motivo: pidió hablar con una persona." in whisper
    assert "Para aceptar la llamada, marque uno." in whisper

    joined = line.agent_presses(whisper, "1")
    assert f"<Conference beep=\"false\" endConferenceOnExit=\"true\" " \
           f"startConferenceOnEnter=\"true\">call-{call.sid}</Conference>" in joined
    redirect = [r for r in line.standin.requests if r.path.endswith(f"/Calls/{call.sid}.json")]
    assert redirect[-1].form["Url"] == f"{PUBLIC}/agent/bridge?caller={call.sid}"
    assert line.ivr.roster.get("ana").status == "busy"
    assert line.ivr.queues.position("support", call.sid) is None


def test_agent_who_does_not_answer_is_skipped_and_the_caller_keeps_their_place(line):
    line.agent("ana", ["es"], ["support"], since_s=600)  # idle longest: rung first
    line.agent("bea", ["es"], ["support"], since_s=60)
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(first, to)] = created_calls(line)
    assert to == line.ivr.roster.get("ana").phone
    line.standin.fail_call(first, "no-answer")
    assert line.ivr.roster.get("ana").status == "away"
    assert line.ivr.queues.position("support", call.sid) == 1
    line.run_jobs()
    second, to = created_calls(line)[-1]
    assert to == line.ivr.roster.get("bea").phone
    assert "Para aceptar la llamada" in line.standin.answer(second)


def test_agent_who_answers_but_does_not_accept_is_skipped(line):
    line.agent("ana", ["es"], ["support"], since_s=600)
    line.agent("bea", ["es"], ["support"], since_s=60)
    line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(first, _)] = created_calls(line)
    whisper = line.standin.answer(first)
    assert "Llamada no aceptada." in line.agent_presses(whisper, "5")
    line.standin.hang_up(first)
    line.run_jobs()
    assert [to for _, to in created_calls(line)] == [line.ivr.roster.get("ana").phone,
                                                     line.ivr.roster.get("bea").phone]


def test_with_no_agent_for_their_language_the_caller_goes_to_any_agent_who_is_told(line):
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("2").press("0")  # English
    line.run_jobs()
    [(agent_call, _)] = created_calls(line)
    whisper = line.standin.answer(agent_call)
    assert "El cliente habla inglés." in whisper
    assert "Ningún agente de su idioma está conectado." in whisper
    body = line.get(f"/api/calls/{call.sid}/context").get_json()
    assert body["language_fallback"] is True


def test_an_agent_of_the_callers_language_is_preferred_even_if_idle_less(line):
    line.agent("ana", ["es"], ["support"], since_s=600)
    line.agent("joe", ["en"], ["support"], since_s=30)
    line.caller().dial().press("2").press("0")
    line.run_jobs()
    assert [to for _, to in created_calls(line)] == [line.ivr.roster.get("joe").phone]


def test_the_agent_idle_longest_is_rung_first_whatever_their_name(line):
    """Fairness: the next call goes to whoever has waited longest for one."""
    line.agent("ana", ["es"], ["support"], since_s=60)
    line.agent("zoe", ["es"], ["support"], since_s=900)
    line.agent("mia", ["es"], ["support"], since_s=300)
    for _ in range(3):
        line.caller().dial().press("1").press("0")
    line.run_jobs()
    assert [to for _, to in created_calls(line)] == [line.phone("zoe"), line.phone("mia"),
                                                     line.phone("ana")]


def test_agent_escalates_to_a_supervisor_and_the_context_goes_along(line):
    line.agent("ana", ["es"], ["support"])
    line.agent("sol", ["es"], ["supervisors"], supervisor=True)
    call = line.caller().dial().press("1").press("1").press(ACCOUNT).press("1").press("0")
    line.run_jobs()
    [(agent_call, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(agent_call), "1")

    answer = line.post(f"/api/calls/{call.sid}/escalate",
                       {"agent": "ana", "note": "wants a refund for three days without service"})
    assert answer.status_code == 202
    redirect = [r for r in line.standin.requests if r.path.endswith(f"/Calls/{call.sid}.json")]
    assert redirect[-1].form["Url"] == f"{PUBLIC}/voice/requeue?queue=supervisors"
    line.run_jobs()
    supervisor_call, to = created_calls(line)[-1]
    assert to == line.ivr.roster.get("sol").phone
    whisper = line.standin.answer(supervisor_call)
    assert "account: 1 2 3 4 5 6 7 4." in whisper
    assert "Motivo: escalada por ana." in whisper
    assert "Nota del agente: ana: wants a refund for three days without service." in whisper


def test_caller_who_presses_9_while_waiting_moves_to_the_supervisors(line):
    call = line.caller().dial().press("1").press("0")
    before = len(call.heard)
    call.press("9")
    assert (call.ending.queue, call.ending.reason) == ("supervisors", "asked for a supervisor")
    moved = call.heard[before:]
    assert "[es-MX] Le comunicamos con un supervisor. Un momento, por favor." in moved
    assert "[es-MX] Usted es el número 1 en la fila." in moved
    assert "[es-MX] Para hablar con un supervisor, marque nueve." not in moved  # there already
    assert line.ivr.queues.position("support", call.sid) is None
    assert line.ivr.queues.position("supervisors", call.sid) == 1


def a_line_whose_flow(make_app, standin, folder: Path, part: str, **changes) -> Line:
    """The demo line, its flow's `part` (human, callbacks...) changed, written to `folder`."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow[part].update(changes)
    (folder / "main.yaml").write_text(yaml.safe_dump(flow, allow_unicode=True))
    return Line(make_app, standin, FLOWS_DIR=str(folder))


def test_a_caller_moved_to_the_supervisors_keeps_the_fallback_number_if_that_queue_fails(
        make_app, twilio_standin, tmp_path):
    line = a_line_whose_flow(make_app, twilio_standin, tmp_path, "human",
                             fallback_number="+15005550002")
    call = line.caller().dial().press("1").press("0").press("9")  # a person, then a supervisor
    call.queue_fails("queue-full")
    assert (call.ending.kind, call.ending.number) == ("human", "+15005550002")


def test_position_is_repeated_with_0_and_announced_again_each_minute(line):
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    first = line.caller().dial().press("1").press("0")
    second = line.caller().dial().press("1").press("0")
    assert "[es-MX] Usted es el número 2 en la fila." in second.heard
    heard = len(second.heard)
    second.stays_silent()  # the hold music ends; Twilio asks for the wait document again
    assert second.heard[heard:] == ["[plays http://com.twilio.music.classical.s3.amazonaws"
                                    ".com/BusyStrings.mp3]"]
    line.clock.advance(61)
    second.stays_silent()
    assert "[es-MX] Usted es el número 2 en la fila." in second.heard[heard + 1:]
    first.press("0")
    assert first.heard[-6] == "[es-MX] Usted es el número 1 en la fila."


def test_a_queue_with_a_callback_threshold_of_its_own_offers_one_only_above_it(
        make_app, twilio_standin, tmp_path):
    line = a_line_whose_flow(make_app, twilio_standin, tmp_path, "callbacks",
                             offer_after_by_queue={"support": 600})  # the line's: 120 s
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)  # a call, a wrap-up
    call = line.caller().dial().press("1").press("0")
    assert "[es-MX] Tiempo estimado de espera: 6 minutos." in call.heard
    assert not [said for said in call.heard if "Si prefiere que le llamemos" in said]


def test_nobody_signed_in_is_said_plainly_not_a_made_up_wait(line):
    call = line.caller().dial().press("2").press("0")
    assert "[en-US] Nobody is signed in to take your call right now. We will answer as soon " \
           "as someone is." in call.heard


def test_a_finished_call_puts_the_agent_in_wrap_up_and_measures_talk_then_wrap_up(line):
    """Handle time is talk and wrap-up: each is measured when it ends."""
    line.agent("ana", ["es"], ["support"])
    line.caller().dial().press("1").press("0")
    line.run_jobs()
    [(agent_call, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(agent_call), "1")
    line.clock.advance(240)
    line.standin.hang_up(agent_call, duration=240)
    ana = line.ivr.roster.get("ana")
    assert ana.status == "wrap-up"
    assert [h["status"] for h in line.ivr.roster.history("ana")][:4] == [
        "wrap-up", "busy", "offered", "available"]
    assert line.ivr.redis.lrange("ivr:wait:support:talk_times", 0, -1) == ["240.0"]
    scheduled = rq.registry.ScheduledJobRegistry(queue=line.ivr.jobs)
    assert len(scheduled.get_job_ids()) == 1  # the end of wrap-up
    line.clock.advance(35)
    line.end_wrap_up("ana")
    assert line.ivr.roster.get("ana").status == "available"
    assert line.ivr.redis.lrange("ivr:wait:support:wrap_ups", 0, -1) == ["35.0"]


def test_context_and_roster_api_need_the_token(line):
    assert line.get("/api/agents", token="wrong").status_code == 401
    assert line.api.get("/api/agents").status_code == 401
    line.agent("ana", ["es"], ["support"])
    assert [a["id"] for a in line.get("/api/agents").get_json()] == ["ana"]


def test_supervisor_edits_the_roster_and_an_agent_signs_in(line):
    answer = line.api.put("/api/agents/luz", json={"name": "Luz", "phone": "+15005550123",
                                                   "languages": ["es", "en"],
                                                   "queues": ["billing"]},
                          headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "away"
    bad = line.api.put("/api/agents/max", json={"name": "Max", "queues": "billing"},
                       headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert bad.status_code == 400
    signed_in = line.post("/api/agents/luz/status", {"status": "available"})
    assert signed_in.get_json()["status"] == "available"
    assert line.post("/api/agents/luz/status", {"status": "busy"}).status_code == 400


def test_context_json_carries_the_path_and_the_reason(line):
    call = line.caller().dial().press("1").press("1").press(ACCOUNT).press("1").press("0")
    body = line.get(f"/api/calls/{call.sid}/context").get_json()
    assert body["caller"] == call.caller
    assert body["language"] == "es"
    assert body["variables"] == {"account": ACCOUNT, "topic": "outage"}
    assert body["reason"] == "asked for a person"
    assert body["queue"] == "support"
    assert [e["node"] for e in body["path"] if e["event"] == "digits"] == [
        "language", "main_menu", "outage_account", "outage_account", "outage_service"]


def test_caller_who_asks_for_a_supervisor_at_a_menu_goes_to_the_supervisors(line):
    call = line.caller().dial().press("1").says("quiero hablar con el gerente")
    assert (call.ending.queue, call.ending.reason) == ("supervisors", "asked for a supervisor")
    assert line.ivr.queues.position("supervisors", call.sid) == 1


def test_wrap_up_ends_on_schedule_and_the_agent_takes_the_next_caller(line):
    line.agent("ana", ["es"], ["support"], status="wrap-up")
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    assert created_calls(line) == [], "an agent in wrap-up is not rung"
    offers = line.end_wrap_up("ana")
    assert offers == [(call.sid, "ana")]
    assert line.ivr.roster.get("ana").status == "offered"


def test_a_retried_transfer_keeps_the_callers_place_and_their_agent(line):
    line.agent("ana", ["es"], ["support"])
    line.agent("bea", ["es"], ["support"])
    first = line.caller().dial().press("1").press("0")
    line.caller().dial().press("1").press("0")
    line.run_jobs()
    offered = line.ivr.queues.waiter(first.sid).offered
    assert offered
    assert not line.ivr.queues.join(first.sid, "support", "es", "asked for a person",
                                    line.clock())  # what a Twilio retry of the step does
    assert line.ivr.queues.waiter(first.sid).offered == offered
    assert line.ivr.queues.position("support", first.sid) == 1


def test_the_demo_roster_is_added_at_start_without_overwriting_edits(make_app, redis):
    app = make_app(AGENTS_FILE="ivr_app/demo/agents.yaml")
    roster = app.extensions["ivr"].roster
    assert [a.id for a in roster.all()] == ["ana", "bruno", "claire", "sol"]
    assert roster.get("claire").address == "client:claire"
    assert roster.get("sol").supervisor and roster.get("ana").status == "away"
    roster.save(Agent(id="ana", name="Ana T.", phone="+15005550199", queues=["billing"]))
    make_app(AGENTS_FILE="ivr_app/demo/agents.yaml")  # a restart
    assert roster.get("ana").name == "Ana T."


def test_an_agent_whose_call_outcome_never_arrives_is_released(line):
    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial().press("1").press("0")
    line.run_jobs()
    assert line.ivr.roster.get("ana").status == "offered"  # and Twilio never reports back
    line.clock.advance(4 * 60)
    context.use(line.ivr)
    try:
        assert routing_jobs.release_stuck_offers() == ["ana"]
    finally:
        context.use(None)
    assert len(created_calls(line)) == 2, "the caller is offered again at once"
    assert line.ivr.queues.waiter(call.sid).offered == "ana"


def test_a_caller_sent_to_a_person_by_an_error_is_still_offered_to_an_agent(line, monkeypatch):
    from ivr_app.call import engine

    line.agent("ana", ["es"], ["support"])
    call = line.caller().dial()
    monkeypatch.setattr(engine, "handle", lambda *args, **kwargs: 1 / 0)
    call.press("1")
    assert (call.ending.queue, call.ending.reason) == ("support", "our error")
    line.run_jobs()
    assert [to for _, to in created_calls(line)] == [line.ivr.roster.get("ana").phone]


def test_a_caller_who_hangs_up_while_holding_leaves_the_line(line):
    first = line.caller().dial().press("1").press("0")
    second = line.caller().dial().press("1").press("0")
    first.hang_up()
    assert line.ivr.queues.position("support", first.sid) is None
    assert line.ivr.queues.position("support", second.sid) == 1
    assert line.ivr.wait_stats.accuracy("support").abandoned == 1
