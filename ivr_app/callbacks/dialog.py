"""The callback dialog's state: what a caller has chosen so far, kept in Redis between
their answers, and the call it belongs to (offer.py asks the questions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call.dialog import say
from ivr_app.call.voice import _call_sid
from ivr_app.callbacks.numbers import spoken_digits
from ivr_app.flow.model import Flow
from ivr_app.line import slots
from ivr_app.services import Services, services
from ivr_app.state.queues import Waiter

DIALOG_KEY = "ivr:callback-offer:{sid}"  # hash: the Dialog fields while the caller chooses
DIALOG_TTL = 3600


@dataclass
class Dialog:
    """What the caller has chosen so far."""

    offer: str  # slots.TURN, CLOSED or NOBODY
    slot: str = ""  # ISO time of the callback; empty for "when it is my turn"
    number: str = ""  # E.164, the caller ID until they give another
    message: bool = False  # they chose to leave a voice message
    tries: int = 0  # silences and wrong answers at the current question


@dataclass
class Caller:
    """One request of the dialog: the call, its flow and language, its place, its choices."""

    ivr: Services
    sid: str
    flow: Flow
    lang: str
    waiter: Waiter
    dialog: Dialog

    def words(self, key: str, **values: Any) -> str:
        return self.flow.messages[self.lang][key].format(**values)

    def say(self, verb: VoiceResponse, *texts: str) -> None:
        say(verb, self.flow, self.lang, *texts)

    def spoken_number(self) -> str:
        return spoken_digits(self.dialog.number, self.flow.callbacks)

    def said_time(self, iso: str) -> str:
        when = dt.datetime.fromisoformat(iso)
        return slots.said(self.flow, self.lang, when, self.ivr.clock())

    def save(self) -> None:
        """Keep the choices so far."""
        fields = {k: str(int(v) if isinstance(v, bool) else v)
                  for k, v in self.dialog.__dict__.items()}
        key = DIALOG_KEY.format(sid=self.sid)
        self.ivr.redis.pipeline().hset(key, mapping=fields).expire(key, DIALOG_TTL).execute()


def let_go(ivr: Services, sid: str) -> None:
    """The caller hung up: a callback they were still choosing is not pending any more; one
    they booked stays named in the hash until it expires, for the call's summary
    (workers/metrics.py). Registered as an ender of call.voice."""
    key = DIALOG_KEY.format(sid=sid)
    if not ivr.callbacks.get(ivr.redis.hget(key, "callback") or ""):
        ivr.redis.delete(key)


def caller_now() -> Caller:
    """The caller of this request, in the middle of the dialog (LookupError if not)."""
    sid = _call_sid()
    ivr = services()
    waiter = ivr.queues.waiter(sid)
    _, state = ivr.store.load(sid)
    raw = ivr.redis.hgetall(DIALOG_KEY.format(sid=sid))
    if waiter is None or state is None or not raw:
        raise LookupError(f"call {sid} is not choosing a callback")
    dialog = Dialog(offer=raw["offer"], slot=raw.get("slot", ""), number=raw.get("number", ""),
                    message=raw.get("message") == "1", tries=int(raw.get("tries") or 0))
    return Caller(ivr, sid, ivr.registry.of_call(state), state["lang"], waiter, dialog)

