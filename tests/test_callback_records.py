"""A callback record keeps its state machine: only the moves it allows, each one in its
history, one pending callback per number, and each attempt placed at most once."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr_app.state.callbacks import AlreadyPending, Callbacks
from tests.conftest import OFFICE_HOURS

NUMBER = "+525512345678"


@pytest.fixture
def callbacks(app) -> Callbacks:
    return app.extensions["ivr"].callbacks


def asked(callbacks: Callbacks, number: str = NUMBER, minutes_ago: float = 0):
    return callbacks.create(number=number, lang="es", queue="support", reason="asked",
                            flow="main", place=1, context={},
                            now=OFFICE_HOURS - dt.timedelta(minutes=minutes_ago))


def test_a_number_has_one_pending_callback_at_a_time(callbacks):
    first = asked(callbacks)
    with pytest.raises(AlreadyPending) as refused:
        asked(callbacks)
    assert refused.value.callback.id == first.id
    assert str(refused.value) == f"{NUMBER} has callback {first.id} pending already"
