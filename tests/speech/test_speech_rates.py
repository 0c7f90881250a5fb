"""What is not on the menu is not an option: every clip of tests/audio, measured.

The clips of the `validation` part were never used to choose how speech outside the menu is
rejected (speech/rejection.py), so their figures say how it does on unseen voices, speeds
and words. Aimed at: menu words heard right 90% of the time, off-menu words taken as an
option at most 10%, noise never. Noise is asserted as aimed; the other two are held to a
little past what was measured, and are not there yet:
- menu words: the synthetic Korean of espeak-ng is hard for the model (with no rejection
  at all it heard about 90% of the tuning menu words, 94% of the validation ones, and one
  validation voice's 해지 and 상담원 far less); the rejection measured 80% to 82% on the
  tuning clips and 78% to 86% on the validation ones (bench/speech.py prints them);
- off-menu words: 4% to 6% on the tuning clips, 11% to 14% on the validation ones (the rule
  before vowels counted: 14%, keeping 70% of menu words). Their 23 last words, added
  after the rejection was chosen, are taken far more often than the first 20 (12% to 17%
  against 6% to 8%): 기차, 계좌, 여행 share 예약's vowels, and the model hears
  them as 예약 even against the filler words.
A caller who is not understood twice goes to a person.
"""

from __future__ import annotations

import pytest

from speech.vosk_recognizer import VoskRecognizer
from tests.speech.line import LANGS
from tests.support.spoken import OPTION_CLIPS, menu_rates, model_folder

MAX_FALSE_ACCEPT = {"tune": 0.08, "validation": 0.16}  # measured up to 0.06 and 0.14
MIN_RECALL = 0.72  # measured 0.78 to 0.86: Kaldi dithers at random, so runs differ


@pytest.mark.parametrize("part", ["validation", "tune"])
@pytest.mark.parametrize("lang", LANGS)
def test_words_off_the_menu_and_noise_are_not_taken_as_options(lang, part):
    rates = menu_rates(VoskRecognizer({lang: model_folder(lang)}), lang, part)
    assert rates.noise_false_accept == 0.0
    assert rates.false_accept <= MAX_FALSE_ACCEPT[part]
    assert rates.recall >= MIN_RECALL
    assert rates.clips >= len(OPTION_CLIPS[lang])
