"""Each language's speech bands: set in the flow, checked by lint, a default otherwise;
the engine and barge-in judge spoken answers by them."""

from __future__ import annotations

import datetime as dt

from ivr_app.__main__ import lint_command
from ivr_app.call import answers, bands, engine
from ivr_app.call.turn import Event
from ivr_app.flow import builtins
from ivr_app.flow.model import Bands
from ivr_app.flow.validate import load_flow
from tests.test_lint import HEAD, MENU, problems, write

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
BANDS = "speech_bands:\n  es: {accept: 0.9, confirm: 0.6}\n"


def test_a_flow_sets_a_languages_bands_and_the_others_keep_the_default(tmp_path):
    flow = load_flow(write(tmp_path, BANDS + HEAD + MENU))
    assert flow.bands("es") == Bands(0.9, 0.6)
    assert flow.bands("en") == Bands(*builtins.DEFAULT_BANDS)


def test_the_flows_bands_decide_what_is_acted_on_read_back_or_asked_again(tmp_path):
    flow = load_flow(write(tmp_path, BANDS + HEAD + MENU))
    said = [bands.band(flow, "es", Event("speech", "factura", c)) for c in (0.95, 0.7, 0.5)]
    assert said == [bands.ACCEPT, bands.CONFIRM, bands.AGAIN]
    assert bands.band(flow, "es", Event("speech", "factura")) == bands.ACCEPT  # typed
    state = engine.new_state(flow, {}, NOW)
    engine.start(flow, state, NOW)
    assert answers.understood(flow, state, Event("speech", "factura", 0.7))  # barge-in
    assert not answers.understood(flow, state, Event("speech", "factura", 0.5))
    turn = engine.handle(flow, state, Event("speech", "factura", 0.7), NOW)
    assert turn.speech[0].text == builtins.MESSAGES["es"]["confirm_choice"].format(
        phrase="factura")
    assert turn.ask is not None and turn.ask.voice == "es"


def test_lint_refuses_confirm_above_accept_with_its_line(tmp_path, capsys):
    text = "speech_bands:\n  es: {accept: 0.6, confirm: 0.8}\n" + HEAD + MENU
    path = write(tmp_path, text)
    assert lint_command([str(path)]) == 1
    assert f"{path}:2:30: confirm 0.8 is above accept 0.6: an answer sure enough to act " \
        "on would be read back [speech-bands]" in capsys.readouterr().out


def test_lint_refuses_bands_out_of_range_missing_or_for_an_undeclared_language(tmp_path):
    text = ("speech_bands:\n  es: {accept: 1.5, confirm: 0.2}\n  en: {accept: 0.9}\n"
            "  fr: {accept: 0.9, confirm: 0.5}\n" + HEAD + MENU)
    found = problems(write(tmp_path, text))
    assert any(p.endswith("'accept' must be from 0 to 1, not 1.5 [speech-bands]")
               for p in found)
    assert any("speech bands 'en': missing required field 'confirm' [required]" in p
               for p in found)
    assert any("language 'fr' is not declared under 'languages' [unknown-language]" in p
               for p in found)
