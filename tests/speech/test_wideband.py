"""Wideband models (16 kHz, no upsampling of their own) hear 8 kHz phone audio.

The small Spanish and English models refuse 8 kHz input; the packaged Korean model
without its `--allow-upsample` line refuses it the same way, so it stands in for them.
"""

from __future__ import annotations

import json
import logging

import pytest

from ivr_app.__main__ import lint_command
from speech.audio import read_wav
from speech.models import ModelRate, model_rate
from speech.vosk_recognizer import VoskRecognizer
from tests.support.spoken import KO_MODEL, MENUS, clip, clips, flow_text

# one clip per option of the Korean menu, each heard right by the packaged model
ONE_PER_OPTION = ["ko-yogeum-175.wav", "ko-yeyak-175.wav", "ko-haeji-150.wav"]


def test_each_model_says_the_rate_it_expects(wideband_models_dir, tmp_path):
    assert model_rate(KO_MODEL) == ModelRate(16000, allow_upsample=True)
    assert model_rate(wideband_models_dir / "ko") == ModelRate(16000, allow_upsample=False)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mfcc.conf").write_text("--sample-frequency=8000 # narrowband\n")
    assert model_rate(tmp_path) == ModelRate(8000, allow_upsample=False)


@pytest.mark.parametrize("name", ONE_PER_OPTION)
def test_a_wideband_only_model_hears_a_spoken_option_from_the_phone_line(
        speech_call, wideband_models_dir, name):
    said = clips()[name]["expect"]
    key = next(k for k, phrase in MENUS["ko"][0] if phrase == said)
    call = speech_call("ko", VOSK_MODELS_DIR=str(wideband_models_dir)).speaks(clip(name))
    assert call.ending is not None, f"the caller was asked again: {call.heard[-2:]}"
    assert (call.ending.kind, call.ending.reason) == ("human", f"option {key}")


def test_start_up_says_each_model_rate(speech_call, wideband_models_dir, caplog):
    with caplog.at_level(logging.INFO, logger="ivr_app.call.heard"):
        speech_call("ko", VOSK_MODELS_DIR=str(wideband_models_dir))
    assert ("speech is on for language 'ko' (model expects 16000 Hz; phone audio is "
            "resampled)") in caplog.messages


def test_lint_says_each_model_rate(tmp_path, wideband_models_dir, monkeypatch, capsys):
    monkeypatch.setenv("VOSK_MODELS_DIR", str(wideband_models_dir))
    (tmp_path / "line.yaml").write_text(flow_text("ko"), encoding="utf-8")
    assert lint_command([str(tmp_path / "line.yaml")]) == 0
    assert (f"{tmp_path}/line.yaml: speech is on for language 'ko' (model expects 16000 Hz; "
            "phone audio is resampled)") in capsys.readouterr().out.splitlines()


def test_a_recognizer_that_failed_is_not_kept_for_the_next_answer(wideband_models_dir):
    """Each thread reuses its recognizers; one that raised mid-answer is in no known state."""
    recognizer = VoskRecognizer({"ko": wideband_models_dir / "ko"})
    phone = read_wav(clip("ko-yeyak-175.wav"))  # 8 kHz, which this model refuses
    grammar = json.dumps(["예약"], ensure_ascii=False)
    with pytest.raises(Exception, match="Failed to process waveform"):
        recognizer._run("ko", phone, grammar)
    assert not recognizer._local.recognizers
    assert recognizer.recognize(phone, "ko", ["예약", "요금"]).text == "예약"  # resampled
    assert len(recognizer._local.recognizers) == 2  # the menu pass and the open pass, kept
