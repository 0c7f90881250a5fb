"""Filler words from the model's own vocabulary, and answers that are not on the menu."""

from __future__ import annotations

import pytest

from speech import UNKNOWN
from speech.audio import read_wav
from speech.rejection import (
    Decoded,
    distance,
    fillers,
    menu_answer,
    menu_evidence,
    said_phrase,
    sounds,
    vowel_distance,
    vowels,
)
from speech.vocabulary import VocabularyError, frequent_words
from speech.vosk_recognizer import VoskRecognizer
from tests.support.spoken import KO_MODEL, MENUS, clip

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


def test_a_word_sounds_as_its_jamo_and_letters():
    assert sounds("해지") == ["i18", "v1", "i12", "v20"]  # ㅎ ㅐ, ㅈ ㅣ
    assert sounds("약") == ["i11", "v2", "f1"]  # ㅇ ㅑ ㄱ: a final consonant
    assert sounds("하") == ["i18", "v0"]
    assert sounds("Ok") == ["o", "k"]


def test_distance_is_the_share_of_sounds_to_change():
    assert distance(["a"], ["a", "b"]) == 0.5  # one sound added
    assert distance(["a", "b"], ["a"]) == 0.5  # one dropped
    assert distance(["a", "b"], ["a", "c"]) == 0.5  # one replaced
    assert distance([], ["a", "b"]) == 1.0
    assert distance(["a"], ["b"]) == 1.0
    assert distance([], []) == 0.0


def test_fillers_are_words_that_sound_unlike_every_phrase():
    frequent = ["요금", "요근", "[1]", "사과", "예약해지", "날씨", "버스"]
    assert fillers(frequent, ["요금", "예약"], count=2) == ["사과", "날씨"]
    # against each phrase run together (약해 is close to 예약해지, though to neither word)
    # and each of its words (요즘 to 요금); 해 is half of 해지, just far enough
    assert fillers(["약해", "요즘", "예약해지", "해"], ["예약 해지", "요금"]) == ["해"]


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


def test_vowels_are_what_a_phone_line_keeps_of_a_word():
    assert vowels("해지") == ["ɛ", "i"] and vowels("할 이") == ["a", "i"]
    assert vowels("상담원") == ["a", "a", "ʌ"]  # 원 is w + ʌ: the glide is dropped
    assert vowels("facturación") == ["a", "u", "a", "io"]
    assert vowel_distance("할 이", "해지") == 0.25  # ㅏ for ㅐ: neighbours, half a vowel
    assert vowel_distance("없이", "해지") == 0.5  # ㅓ for ㅐ: another vowel
    assert vowel_distance("이야기", "해지") == 0.5  # a syllable more, ㅏ for ㅐ
    assert vowel_distance("였다", "해지") == 1.0  # two other vowels
    assert vowel_distance("해지", "해지") == 0.0


def heard(*words: str, score: float) -> Decoded:
    """A decoder pass that heard `words` one after another, from 0.1 s to 0.5 s."""
    step = 0.4 / len(words)
    return Decoded(tuple((w, 0.1 + step * i, 0.1 + step * (i + 1)) for i, w in enumerate(words)),
                   score)


def test_fillers_that_spell_a_menu_word_with_its_vowels_do_not_turn_it_away():
    """해지 over a phone line came out of the open pass as "할 이": what is lost is the
    consonants, so a path with the phrase's vowels may outscore the menu path by far."""
    menu = heard("해지", score=50.0)
    assert menu_answer(menu, heard("할", "이", score=58.0), KO_PHRASES)[0] == "해지"
    assert menu_answer(menu, heard("할", "이", score=60.0), KO_PHRASES)[0] == ""  # far worse


def test_fillers_with_other_vowels_must_score_below_the_menu_path():
    menu = heard("해지", score=50.0)
    assert menu_answer(menu, heard("였다", score=48.0), KO_PHRASES)[0] == "해지"
    assert menu_answer(menu, heard("였다", score=48.5), KO_PHRASES) == ("해지", 0.5)  # at the bar
    assert menu_answer(menu, heard("였다", score=49.0), KO_PHRASES) == ("", 0.0)
    assert menu_answer(menu, heard("이야기", score=49.0), KO_PHRASES)[0] == "해지"  # ㅏ, ㅣ
    assert menu_answer(menu, heard("해지", score=50.0), KO_PHRASES)[0] == "해지"
    said, sure = menu_answer(menu, heard("할", "이", score=52.0), KO_PHRASES)
    assert said == "해지" and 0.5 < sure < 1.0


def test_below_the_bar_the_evidence_keeps_the_phrase_and_says_how_far_below():
    """The line's bands read a middling answer back rather than turn it away."""
    menu = heard("해지", score=50.0)
    said, near = menu_evidence(menu, heard("였다", score=49.0), KO_PHRASES)
    said_far, far = menu_evidence(menu, heard("였다", score=60.0), KO_PHRASES)
    assert said == said_far == "해지" and 0.0 < far < near < 0.5
    assert menu_evidence(menu, heard("였다", score=48.5), KO_PHRASES) == ("해지", 0.5)
    longer = Decoded((("모르", 0.1, 0.5), ("겠어요", 0.5, 1.2)), 49.0)
    assert menu_evidence(heard("요금", score=50.0), longer, KO_PHRASES) == ("", 0.0)


def test_a_phrase_over_a_small_part_of_the_speech_is_not_what_was_said():
    menu = heard("요금", score=50.0)
    longer = Decoded((("모르", 0.1, 0.5), ("겠어요", 0.5, 1.2)), 49.0)
    assert menu_answer(menu, longer, KO_PHRASES) == ("", 0.0)
    most = Decoded((("모르", 0.1, 0.5), ("겠어요", 0.5, 0.76)), 49.0)  # 0.4 s of 0.66
    assert menu_answer(menu, most, KO_PHRASES)[0] == "요금"  # 60%, and the phrase's vowels
    exactly = Decoded((("모르", 0.0, 0.4), ("겠어요", 0.4, 0.5)), 49.0)  # 0.3 s of 0.5
    assert menu_answer(Decoded((("요금", 0.2, 0.5),), 50.0), exactly, KO_PHRASES)[0] == "요금"


def test_two_phrases_at_once_are_no_phrase():
    both = heard("요금", "예약", score=60.0)
    assert menu_answer(both, heard("요금", "예약", score=50.0), KO_PHRASES) == ("", 0.0)
