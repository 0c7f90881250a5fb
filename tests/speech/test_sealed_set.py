"""The line's speech on the sealed clips (tests/audio/sealed), which nothing was chosen on:
each clip decoded, replayed through the engine and the Korean bands, a read-back answered
truthfully by keys (tests/support/routes.py).

Targets: at most 2% of off-menu answers and 1% of menu answers sent on to a wrong option,
at least 90% of menu answers reaching their option, at most 1.4 questions per menu answer.
Where one is not met, a strict expected failure says by how much (bench/README.md says
why, per voice); it turns red when the gap closes.

Kaldi adds random noise (dither) to every frame, and every caller's answer is heard with a
draw of its own, so what a caller meets is the mean over draws. The verdicts are on the
mean over 20 fixed draws (libc's rand() seeded 1..20 before each clip, routes.hear): the
same figures every run. Measured (bands 0.95 and 0.001, chosen on the tuning clips): no
menu answer sent to a wrong option in any draw; 2.03% of off-menu words sent to one (1 or
2 of 64: 계산 as 예약 at 0.9999999 in every draw, 주말 as 요금 over the 0.95 bar in 6 of 20),
so that target is missed. The fixed draw alone (seed 1) would pass it at 1.6%, but it is the
luckiest of the 20. 62% of menu answers reached and 1.50 questions per answer: of the four
sealed voices, two (norbert, zac) are mostly not heard, the model mapping their words onto
other phrases or the rejection turning them away.
"""

from __future__ import annotations

import pytest

from speech.vosk_recognizer import VoskRecognizer
from tests.support.routes import (
    DITHER_DRAWS,
    Figures,
    decode,
    decode_draws,
    line_flow,
    mean_figures,
    measure,
    read_clips,
)
from tests.support.spoken import AUDIO, model_folder

SEALED = AUDIO / "sealed"


@pytest.fixture(scope="module")
def korean() -> VoskRecognizer:
    return VoskRecognizer({"ko": model_folder("ko")})


@pytest.fixture(scope="module")
def draws(korean) -> list[Figures]:
    """The sealed set's figures in each of the fixed dither draws."""
    flow = line_flow("ko")
    return [measure(flow, "ko", decoded)
            for decoded in decode_draws(korean, flow, "ko", SEALED, read_clips(SEALED))]


@pytest.fixture(scope="module")
def sealed(draws) -> Figures:
    """What callers meet: each figure's mean over the draws."""
    return mean_figures(draws)


def test_each_clip_is_heard_the_same_whatever_was_decoded_before_it(korean):
    flow = line_flow("ko")
    clips = [c for c in read_clips(SEALED) if c.voice == "ko+edward"]
    forward = decode(korean, flow, "ko", SEALED, clips)
    backward = decode(korean, flow, "ko", SEALED, clips[::-1])[::-1]
    assert [d.heard for d in forward] == [d.heard for d in backward]


def test_the_verdicts_are_on_many_draws_of_the_dither_not_one(draws):
    assert len(draws) == DITHER_DRAWS
    assert len({f.wrong_route_off_menu for f in draws}) > 1  # each draw is a dither of its own


def test_no_menu_answer_is_sent_to_another_option(sealed):
    assert sealed.menu == 32
    assert sealed.wrong_route_menu <= 0.01


@pytest.mark.xfail(strict=True, reason="2.03% of sealed off-menu answers reach an option on "
                   "average over 20 dither draws (1.6% to 3.1% in one draw), against 2%: "
                   "계산 as 예약 in every draw, 주말 as 요금 over the 0.95 bar in 6 of 20")
def test_at_most_2_percent_of_off_menu_answers_reach_an_option(sealed):
    assert sealed.off_menu == 64
    assert sealed.wrong_route_off_menu <= 0.02


@pytest.mark.xfail(strict=True, reason="62% of sealed menu answers reach their option on "
                   "average over 20 dither draws (56% to 66% in one draw), against 90%: two "
                   "of the four sealed voices are mostly not heard")
def test_nine_menu_answers_in_ten_reach_their_option(sealed):
    assert sealed.reached >= 0.9


@pytest.mark.xfail(strict=True, reason="1.50 questions per sealed menu answer on average "
                   "over 20 dither draws (1.47 to 1.56 in one draw), against 1.4: the "
                   "answers not heard are asked again")
def test_a_menu_answer_takes_at_most_1_4_questions(sealed):
    assert sealed.turns_per_answer <= 1.4


def test_a_sure_answer_is_acted_on_and_a_middling_one_read_back(sealed):
    assert 0.0 < sealed.confirmed_share < 1.0
