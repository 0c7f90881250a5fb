"""Recognition on its own: grammars, unknown words, lint, the time budget, the simulator."""

from __future__ import annotations

import json

from ivr_app.__main__ import lint_command
from ivr_app.demo.simulator import apply_input
from speech.audio import read_wav
from speech.listen import Listener
from speech.vosk_recognizer import VoskRecognizer, words_of
from tests.support.spoken import AUDIO, KO_MODEL, clip, flow_text


def korean() -> VoskRecognizer:
    return VoskRecognizer({"ko": KO_MODEL})


def test_phrases_are_spelled_as_models_spell_them():
    assert words_of("¡Facturación, por favor!") == ["facturación", "por", "favor"]
    assert words_of("What's up?") == ["what's", "up"]


def test_a_grammar_keeps_only_phrases_the_model_can_hear():
    recognizer = korean()
    assert recognizer.languages() == frozenset({"ko"})
    assert not recognizer.has_unknown("ko")  # this model has no [unk]
    grammar = json.loads(recognizer._grammar("ko", ("요금", "예약 xyzzy", "해지")))
    assert grammar == ["요금", "해지"]


def test_the_grammar_model_hears_a_phrase_with_its_confidence():
    heard = korean().recognize(read_wav(clip("ko-haeji-150.wav")), "ko", ["요금", "예약", "해지"])
    assert heard.text == "해지"
    assert heard.trusted(0.5) and heard.confidence >= 0.5


def test_recognition_that_overruns_the_budget_is_given_up():
    listener = Listener(korean(), lambda url, deadline: clip("ko-annyeong-150.wav"),
                        budget=0.001)
    assert listener.hear("RE" + "0" * 32, "ko", ["요금"]) is None
    listener.close()


def test_lint_warns_of_words_the_model_does_not_know(tmp_path, models_dir, monkeypatch,
                                                     capsys):
    monkeypatch.setenv("VOSK_MODELS_DIR", str(models_dir))
    text = flow_text("ko").replace("- 예약", "- 예약 xyzzy")
    (tmp_path / "line.yaml").write_text(text, encoding="utf-8")
    assert lint_command([str(tmp_path / "line.yaml")]) == 0  # a warning does not fail lint
    out = capsys.readouterr().out
    line, column = next((n, row.index("예약 xyzzy") + 1)
                        for n, row in enumerate(text.splitlines(), 1) if "예약 xyzzy" in row)
    assert (f"{tmp_path}/line.yaml:{line}:{column}: warning: phrase '예약 xyzzy' has words the ko "
            "model does not know: xyzzy [speech-vocabulary]") in out
    assert "the ko model has no [unk] word" in out


def test_lint_says_when_a_language_has_no_speech(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOSK_MODELS_DIR", str(tmp_path / "none"))
    (tmp_path / "line.yaml").write_text(flow_text("ko"), encoding="utf-8")
    assert lint_command([str(tmp_path / "line.yaml")]) == 0
    assert ("warning: speech is off for language 'ko': no Vosk model in "
            f"{tmp_path / 'none' / 'ko'}") in capsys.readouterr().out


def test_the_simulator_plays_a_wav_file_through_the_recording_path(speech_call, recordings):
    call = speech_call("ko")
    apply_input(call, f"wav: {AUDIO / 'ko-yeyak-175.wav'}")
    assert call.ending.reason == "option 2"
    assert len(recordings.requests) == 1


def test_the_simulator_takes_typed_speech_as_a_spoken_answer(call):
    call.dial()
    apply_input(call, "say: español")
    apply_input(call, "say: facturación")
    assert "[es-MX] Marque su número de cuenta de ocho dígitos." in call.heard
