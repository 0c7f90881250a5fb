"""The line's speech on the sealed clips (tests/audio/sealed), which nothing was chosen on:
each clip decoded once, replayed through the engine and the Korean bands, a read-back
answered truthfully by keys (tests/support/routes.py).

Targets: at most 2% of off-menu answers and 1% of menu answers sent on to a wrong option,
at least 90% of menu answers reaching their option, at most 1.4 questions per menu answer.
Where one is not met, a strict expected failure says by how much (bench/README.md says
why, per voice); it turns red when the gap closes. Each clip is heard with one fixed draw
of Kaldi's dither (routes.hear), so every run gives the same figures. Measured (bands 0.95
and 0.001, chosen on the tuning clips): no menu answer sent to a wrong option; 1 of 64
off-menu words sent to one (계산 as 예약 at 0.9999999, in every draw). That meets the 2%
by one clip: 주말 is heard as 요금 at 0.80 to 0.99, over the 0.95 bar in 6 of 20 draws
(`bench.speech --draws 20`: 2.03% on average, 3.1% at most). 66% of menu answers reached
and 1.47 questions per answer (62% and 1.50 on average over the 20 draws): of the four
sealed voices, two (norbert, zac) are heard at 38% and 50%, the model mapping their words
onto other phrases or the rejection turning them away, while edward and f5 reach 100% and
75%.
"""

from __future__ import annotations

import pytest

from speech.vosk_recognizer import VoskRecognizer
from tests.support.routes import Figures, decode, line_flow, measure, read_clips
from tests.support.spoken import AUDIO, model_folder

SEALED = AUDIO / "sealed"


@pytest.fixture(scope="module")
def korean() -> VoskRecognizer:
    return VoskRecognizer({"ko": model_folder("ko")})


@pytest.fixture(scope="module")
def sealed(korean) -> Figures:
    flow = line_flow("ko")
    return measure(flow, "ko", decode(korean, flow, "ko", SEALED, read_clips(SEALED)))


def test_each_clip_is_heard_the_same_whatever_was_decoded_before_it(korean):
    flow = line_flow("ko")
    clips = [c for c in read_clips(SEALED) if c.voice == "ko+edward"]
    forward = decode(korean, flow, "ko", SEALED, clips)
    backward = decode(korean, flow, "ko", SEALED, clips[::-1])[::-1]
    assert [d.heard for d in forward] == [d.heard for d in backward]


def test_no_menu_answer_is_sent_to_another_option(sealed):
    assert sealed.menu == 32
    assert sealed.wrong_route_menu <= 0.01


def test_at_most_2_percent_of_off_menu_answers_reach_an_option(sealed):
    assert sealed.off_menu == 64
    assert sealed.wrong_route_off_menu <= 0.02


@pytest.mark.xfail(strict=True, reason="66% of sealed menu answers reach their option, "
                   "against 90%: two of the four sealed voices are heard at 38% and 50%")
def test_nine_menu_answers_in_ten_reach_their_option(sealed):
    assert sealed.reached >= 0.9


@pytest.mark.xfail(strict=True, reason="1.47 questions per sealed menu answer, against 1.4: "
                   "the answers not heard are asked again")
def test_a_menu_answer_takes_at_most_1_4_questions(sealed):
    assert sealed.turns_per_answer <= 1.4


def test_a_sure_answer_is_acted_on_and_a_middling_one_read_back(sealed):
    assert 0.0 < sealed.confirmed_share < 1.0
