"""A line whose flow has a survey, and callers an agent helps until the agent hangs up."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import yaml

from ivr_app.demo.simulator import Call
from ivr_app.demo.twilio_rest import TwilioStandin
from tests.line import Line, created_calls

SURVEY = {
    "resolved": {"es": "¿Resolvimos su consulta? Marque 1 para sí, 2 para no.",
                 "en": "Did we solve your problem? Press 1 for yes, 2 for no."},
    "rating": {"es": "Del 1 al 5, ¿cómo calificaría la atención? Marque un número.",
               "en": "From 1 to 5, how would you rate our help? Press a number."},
    "thanks": {"es": "Gracias por su respuesta. Hasta luego.",
               "en": "Thank you for your answer. Goodbye."},
}


@contextlib.contextmanager
def a_line_with_survey(make_app, folder: Path) -> Iterator[Line]:
    """A line whose flow (written to `folder`) has the survey, Twilio's REST played locally."""
    with_survey(folder)
    standin = TwilioStandin().start()
    try:
        yield Line(make_app, standin, FLOWS_DIR=str(folder))
    finally:
        standin.stop()


def with_survey(folder: Path, timeout: int = 5, **changes) -> Path:
    """The demo flow with its survey (changed by `changes`), written to `folder`."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    flow["survey"] = SURVEY | changes
    flow["timeout"] = timeout
    path = folder / "main.yaml"
    path.write_text(yaml.safe_dump(flow, allow_unicode=True, sort_keys=False))
    return path


def without_survey(folder: Path) -> Path:
    """The demo flow with its survey taken out, written to `folder`."""
    flow = yaml.safe_load(Path("flows/main.yaml").read_text(encoding="utf-8"))
    del flow["survey"]
    path = folder / "main.yaml"
    path.write_text(yaml.safe_dump(flow, allow_unicode=True, sort_keys=False))
    return path


def helped_by(line: Line, agent: str, *keys: str, number: str = "") -> Call:
    """A caller who pressed `keys` (Spanish, then 0: by default) to reach a person and
    talked to `agent`, until the agent hangs up."""
    line.agent(agent, ["es", "en"], ["support"])
    call = line.caller(number).dial()
    for key in keys or ("1", "0"):
        call.press(key)
    leg = taken_by_the_next(line, call)
    line.clock.advance(120)
    line.standin.hang_up(leg)  # the agent puts the phone down: the conference ends
    call.conference_ends()
    return call


def taken_by_the_next(line: Line, call: Call) -> str:
    """The caller waiting is rung through to the next person free, who takes the call; the
    person's leg."""
    line.run_jobs()
    leg, _ = created_calls(line)[-1]
    joined = line.agent_presses(line.standin.answer(leg), "1")
    assert "<Dial>" in joined  # the agent's side: no survey for them
    bridged = line.standin.fetch_twiml(call.sid)
    assert '<Dial action="/voice/survey" method="POST">' in bridged
    call.moved(bridged)  # Twilio moves the caller to the agent
    assert call.room == f"call-{call.sid}"
    return leg
