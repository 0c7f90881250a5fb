"""Filler words from the model's own vocabulary, and answers that are not on the menu."""

from __future__ import annotations

import pytest

from ivr_app.testing.spoken import KO_MODEL, MENUS, clip
from speech import UNKNOWN
from speech.audio import read_wav
from speech.rejection import fillers, said_phrase
from speech.vocabulary import VocabularyError, frequent_words
from speech.vosk_recognizer import VoskRecognizer

KO_PHRASES = [phrase for _, phrase in MENUS["ko"][0]] + [MENUS["ko"][1]]


def test_the_model_lists_its_words_most_frequent_first():
    words = frequent_words(KO_MODEL)
    assert len(words) > 500_000
    assert [w for w, _ in words[:3]] == ["의", "에", "이"]  # Korean's commonest particles
    costs = [cost for _, cost in words[:1000]]
    assert costs == sorted(costs)


def test_a_model_without_its_language_model_has_no_word_list(tmp_path):
    with pytest.raises(VocabularyError, match="Gr.fst is missing"):
        frequent_words(tmp_path)


def test_fillers_are_words_that_sound_unlike_every_phrase():
    frequent = ["요금", "요근", "[1]", "사과", "예약해지", "날씨", "버스"]
    assert fillers(frequent, ["요금", "예약"], count=2) == ["사과", "날씨"]


def test_a_phrase_said_twice_is_the_phrase():
    phrases = ["요금", "예약", "good morning"]
    assert said_phrase("요금 요금", phrases) == "요금"
    assert said_phrase("good morning good morning", phrases) == "good morning"
    assert said_phrase("요금 예약", phrases) == ""
    assert said_phrase("good morning good", phrases) == ""


def test_a_word_not_on_the_menu_is_heard_as_unknown():
    """'Cat' would have been a menu phrase to the menu's grammar alone."""
    recognizer = VoskRecognizer({"ko": KO_MODEL})
    heard = recognizer.recognize(read_wav(clip("ko-goyangi-f1-130.wav")), "ko", KO_PHRASES)
    assert heard.words == ((UNKNOWN, 0.0),)
    assert not heard.trusted(0.0)
    said = recognizer.recognize(read_wav(clip("ko-yeyak-175.wav")), "ko", KO_PHRASES)
    assert said.text == "예약" and said.trusted(0.5)
