"""The commands a newcomer and a supervisor type, run as they type them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from ivr_app.__main__ import main
from ivr_app.flow.validate import load_flow
from ivr_app.platform.launcher import TRY_IT
from tests.support.servers import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(args: list[str], redis_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivr_app", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=60,
                          env={**os.environ, "REDIS_URL": redis_url, **env})


@pytest.mark.drill  # the command, a process of its own
@pytest.mark.parametrize(("script", "ending"), [
    ("1,0", "a person (queue 'support', reason: asked for a person)"),
    (",,,", "a person (queue 'support', reason: no input)"),
    ("1,3,2", "a person (queue 'cancellations', reason: cancel tv)"),
    ("1,1,12345674,1,2,2", "goodbye"),
])
def test_simulate_with_a_script_prints_the_call_and_where_it_ended(script, ending, redis_url,
                                                                   redis):
    done = run(["simulate", "flows/main.yaml", "--script", script], redis_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"Call ended with: {ending}"
    assert "IVR    [es-MX] Gracias por llamar a Red Hogar. Para español, marque uno." \
        in done.stdout


@pytest.mark.drill  # the command, a process of its own
def test_simulate_in_english_answers_the_language_question(redis_url, redis):
    done = run(["simulate", "flows/main.yaml", "--lang", "en", "--script", "say: agent"],
               redis_url)
    assert "CALLER presses 2" in done.stdout
    assert "IVR    [en-US] Connecting you with a person. One moment, please." in done.stdout
    lines = done.stdout.splitlines()
    queued = lines.index("QUEUE  in line for a person (queue 'support', reason: asked for "
                         "a person)")
    assert not any(line.startswith("END") for line in lines[:queued]), "holding, not ended"
    assert any("[en-US] You are number 1 in line." in line for line in lines[queued:])


@pytest.mark.drill  # the command, a process of its own
def test_simulate_interactively_reads_keys_speech_and_silence(redis_url, redis):
    done = subprocess.run([sys.executable, "-m", "ivr_app", "simulate", "flows/main.yaml"],
                          cwd=ROOT, text=True, capture_output=True, timeout=60,
                          input="1\nsay: quiero cancelar un servicio\n\n2\n",
                          env={**os.environ, "REDIS_URL": redis_url})
    out = done.stdout
    assert "CALLER says 'quiero cancelar un servicio'" in out
    assert "CALLER stays silent" in out
    assert "IVR    [es-MX] No recibimos su respuesta." in out
    assert out.splitlines()[-1] == ("Call ended with: a person (queue 'cancellations', "
                                    "reason: cancel tv)")


@pytest.mark.drill  # the command, a process of its own
def test_simulate_refuses_a_broken_flow_with_its_errors(tmp_path, redis_url):
    broken = tmp_path / "main.yaml"
    broken.write_text("languages: {}\n")
    done = run(["simulate", str(broken)], redis_url)
    assert done.returncode == 1
    assert f"{broken}:1:12: 'languages' must declare at least one language" in done.stdout


def test_graph_draws_every_question_with_its_escape(capsys):
    assert main(["graph", "flows/main.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD\n")
    assert '    n_main_menu -->|"key 3"| n_cancel_menu' in out
    questions = [n.id for n in load_flow("flows/main.yaml").nodes.values() if n.asks]
    assert len(questions) >= 9
    for node_id in questions:
        assert f'    n_{node_id} -.->|"0 / agente / agent"| Q_support' in out


@pytest.mark.drill
def test_up_serves_signed_calls_with_gunicorn_and_a_worker(redis_url, redis):
    port = free_port()
    token = "up-test-token"
    proc = subprocess.Popen([sys.executable, "-m", "ivr_app", "up", "--port", str(port)],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                            env={**os.environ, "REDIS_URL": redis_url,
                                 "TWILIO_AUTH_TOKEN": token})
    try:
        url = f"http://127.0.0.1:{port}/voice"
        form = {"CallSid": "CA" + "2" * 32, "From": "+15005550006", "To": "+15005550001"}
        body = urllib.parse.urlencode(form).encode()
        signature = RequestValidator(token).compute_signature(url, form)
        deadline = time.monotonic() + 30
        while True:
            try:
                request = urllib.request.Request(url, data=body,
                                                 headers={"X-Twilio-Signature": signature})
                with urllib.request.urlopen(request, timeout=2) as response:
                    twiml = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        assert "Para español, marque uno." in twiml
        workers = redis.smembers("rq:workers")
        deadline = time.monotonic() + 20
        while not workers and time.monotonic() < deadline:
            time.sleep(0.3)
            workers = redis.smembers("rq:workers")
        assert workers, "the rq worker from the Procfile registered itself"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert "simulate flows/main.yaml" in out
    assert "PUBLIC_BASE_URL is not set" in out  # signed calls, checked against Host headers


def test_ups_banner_gives_a_newcomer_the_readmes_next_steps():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    banner = TRY_IT.format(port=8000)
    commands = [line.strip() for line in banner.splitlines()
                if line.strip().startswith(".venv/bin/python")]
    assert [c for c in commands if c not in readme] == [], "the README's own commands"
    for step in ("user add admin --role supervisor", "user add ana --role agent",
                 "http://127.0.0.1:8000/", "--wait-for-agent"):
        assert step in banner


@pytest.mark.drill  # the command, a process of its own
def test_simulate_on_a_machine_without_redis_starts_one_and_stops_it_after(tmp_path):
    from ivr_app.platform.redis_server import answers

    url = f"redis://127.0.0.1:{free_port()}/0"
    done = subprocess.run([sys.executable, "-m", "ivr_app", "simulate",
                           os.path.join(ROOT, "flows", "main.yaml"), "--script", "1,0"],
                          cwd=tmp_path, text=True, capture_output=True, timeout=60,
                          env={**os.environ, "REDIS_URL": url, "PYTHONPATH": ROOT})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("Call ended with: a person")
    assert not answers(url), "the Redis it started is stopped again"
    assert (tmp_path / "var" / "redis" / "redis.conf").exists()
