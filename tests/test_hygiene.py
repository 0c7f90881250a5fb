"""The line's own hygiene: what lint and graph say about queues, and test calls."""

from __future__ import annotations

import json

from ivr_app.__main__ import DEMO_ROSTER, lint_command, main
from ivr_app.console import live
from ivr_app.demo.simulator import Call
from tests.line import PUBLIC, Line, created_calls
from tests.test_commands import run

FLOW = """\
languages:
  es: {voice: Polly.Mia, locale: es-MX}
human:
  queue: support
  supervisor_queue: supervisors
start: menu
nodes:
  menu:
    type: menu
    prompt: {es: Para facturación marque uno. Para ventas marque dos.}
    options:
      - {key: 1, goto: billing}
      - {key: 2, goto: sales}
  billing:
    type: transfer
    queue: billing
  sales:
    type: transfer
    queue: sales
"""

ROSTER = """\
- {id: ana, name: Ana, phone: "+15005550101", queues: [support, billing]}
- {id: sol, name: Sol, phone: "+15005550104", queues: [supervisors]}
"""


def test_lint_warns_of_a_queue_no_agent_of_the_roster_serves(tmp_path, monkeypatch, capsys):
    flow, roster = tmp_path / "line.yaml", tmp_path / "agents.yaml"
    flow.write_text(FLOW)
    roster.write_text(ROSTER)
    monkeypatch.setenv("AGENTS_FILE", str(roster))
    assert lint_command([str(flow)]) == 0  # a warning: the roster may change before calls come
    out = capsys.readouterr().out
    assert (f"{flow}:19:12: warning: queue 'sales' is served by no agent of {roster}: its "
            "callers would wait for nobody [unserved-queue]") in out
    assert out.count("[unserved-queue]") == 1


def test_lint_reads_the_demo_roster_without_agents_file(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("AGENTS_FILE", raising=False)
    assert lint_command(["flows/main.yaml"]) == 0
    assert "[unserved-queue]" not in capsys.readouterr().out  # the demo staffs every queue
    flow = tmp_path / "line.yaml"
    flow.write_text(FLOW)
    lint_command([str(flow)])
    assert f"queue 'sales' is served by no agent of {DEMO_ROSTER}:" in capsys.readouterr().out


def test_graph_draws_each_transfer_to_its_own_queue(capsys):
    assert main(["graph", "flows/main.yaml"]) == 0
    out = capsys.readouterr().out
    for queue in ("support", "supervisors", "billing", "cancellations", "field"):
        assert f'    Q_{queue}[["person: queue {queue}"]]' in out
    assert "    n_billing_dispute --> Q_billing\n" in out
    assert "    n_cancel_tv --> Q_cancellations\n" in out
    assert "    n_visit_cancel --> Q_field\n" in out
    assert "    n_billing_closed --> Q_support\n" in out
    assert '    n_main_menu -.->|"0 / agente / agent"| Q_support\n' in out



# -- test calls ------------------------------------------------------------------------------

TEST_PHONE = "+15005550009"  # the team's test phone, listed in TEST_CALLERS


def test_calls_from_a_test_phone_do_not_count_in_the_wait_statistics(make_app, redis,
                                                                      twilio_standin):
    line = Line(make_app, twilio_standin, TEST_CALLERS=f"+15005550008,{TEST_PHONE}")
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    for _ in range(5):  # five test calls that hold a minute and hang up
        test = Call(line.app, twilio_standin.auth_token, base_url=PUBLIC, caller=TEST_PHONE)
        test.dial().press("1").press("0")
        line.clock.advance(60)
        test.hang_up()
    assert line.ivr.wait_stats.accuracy("support").abandoned == 0
    line.caller().dial().press("1").press("0")
    line.caller().dial().press("1").press("0")
    third = line.caller().dial().press("1").press("0")
    # Ana's call has run its expected length: 45 s left, a wrap-up, then two more calls
    assert "[es-MX] Tiempo estimado de espera: 12 minutos." in third.heard


def test_the_agent_who_takes_a_test_call_sees_the_wait_it_was_told(make_app, redis,
                                                                  twilio_standin):
    line = Line(make_app, twilio_standin, TEST_CALLERS=TEST_PHONE)
    line.agent("ana", ["es"], ["support"], status="busy", since_s=0)
    test = line.caller(TEST_PHONE).dial().press("1").press("0")
    assert "[es-MX] Tiempo estimado de espera: 6 minutos." in test.heard
    line.ivr.roster.set_status("ana", "available", line.clock())
    line.run_jobs()
    [(leg, _)] = created_calls(line)
    line.agent_presses(line.standin.answer(leg), "1")  # Ana takes it
    with line.app.test_request_context():
        story = live.call_view(line.ivr, test.sid)
    assert (story["wait_told"], story["wait_told_s"]) == (True, 330)
    assert line.ivr.wait_stats.accuracy("support").answered == 0, "and it is not scored"


def test_calls_made_by_simulate_leave_no_wait_statistics(redis_url, redis):
    done = run(["simulate", "flows/main.yaml", "--script", "1,0"], redis_url)
    assert done.returncode == 0, done.stderr
    assert redis.llen("ivr:wait:support:outcomes") == 0
    [told] = redis.keys("ivr:wait:call:*")  # the wait it heard, kept for an agent's screen
    assert all(json.loads(e)["test"] for e in redis.lrange(told, 0, -1))


def test_simulate_calls_from_the_number_given(redis_url, redis):
    done = run(["simulate", "flows/main.yaml", "--from", "+525512345678", "--script", "1,0"],
               redis_url)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("Calling flows/main.yaml from +525512345678 (call CA")
    sid = first.rsplit(" ", 1)[1].rstrip(")")
    assert json.loads(redis.hget(f"ivr:call:{sid}", "data"))["from"] == "+525512345678"
    refused = run(["simulate", "flows/main.yaml", "--from", "5512345678"], redis_url)
    assert refused.returncode == 2 and "E.164" in refused.stderr
