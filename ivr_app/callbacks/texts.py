"""The promise in writing: a callback's customer gets a text (Twilio Messaging) saying when
we will call and from which number, in their language (replies.py reads their answers).

- **Booked:** request_callback() enqueues the text (workers.texts.send_text), so sending
  never holds up the caller's call; a text that could not be enqueued is found by the
  minute's check (workers.texts.keep_promises). Each text is sent once (state/texts.py).
- **Moved:** when the time we now expect to call is more than SLIP later than the time
  the last text promised (a try nobody answered, a line slower than estimated), a new text
  gives the new time; MAX_MOVED at most per callback.
- **Never** to a number that opted out (replies.py), and not at all for a flow with
  `callbacks.texts: false`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

import phonenumbers
from twilio.base.exceptions import TwilioRestException

from ivr_app.flow.model import Flow
from ivr_app.line import holding, slots
from ivr_app.services import Services
from ivr_app.state.callbacks import Callback
from ivr_app.state.lifecycle import CALLBACK_PENDING as PENDING

log = logging.getLogger(__name__)

SEND_JOB = "workers.texts.send_text"
BOOKED, MOVED = "booked", "moved"
SLIP = dt.timedelta(minutes=5)  # later than promised by more than this: a new text
MAX_MOVED = 3
CATCH_UP = dt.timedelta(hours=1)  # a booked text still unsent this long after is dropped
UNSUBSCRIBED = 21610  # Twilio refuses a text to a number that opted out


def promise(ivr: Services, callback: Callback) -> None:
    """Ask a worker to text a callback just booked; never fails the booking."""
    try:
        enqueue(ivr, callback.id, BOOKED)
    except Exception:
        log.exception("callback %s: its text is not enqueued yet; the minute's check will",
                      callback.id)


def enqueue(ivr: Services, callback_id: str, kind: str) -> None:
    ivr.jobs.enqueue(SEND_JOB, callback_id, kind, job_id=f"text-{callback_id}-{kind}")


def send(ivr: Services, callback_id: str, kind: str) -> str | None:
    """Text the customer of a pending callback when we expect to call; the message sid, or
    None if there was nothing to send (sent already, texts off or refused by the number)."""
    callback = ivr.callbacks.get(callback_id)
    if callback is None or not may_text(ivr, callback):
        return None
    flow = flow_of(ivr, callback)
    now = ivr.clock()
    when = expected(ivr, callback, now)
    if kind == MOVED:
        promised = ivr.texts.promised(callback.id)
        if promised is None or when is None or when - promised <= SLIP:
            return None
    name = kind if kind == BOOKED else f"{kind}:{when.isoformat(timespec='minutes')}"
    if not ivr.texts.claim(callback.id, name):
        return None
    words = flow.messages[language(flow, callback)]
    said = slots.said(flow, language(flow, callback), when, now) if when else words["text_turn"]
    body = words[f"text_{kind}"].format(when=said, caller_id=_shown(ivr))
    try:
        message = ivr.twilio.messages.create(to=callback.number, body=body,
                                             from_=ivr.config["TWILIO_CALLER_ID"])
    except TwilioRestException as exc:  # refused: nothing was sent
        ivr.texts.release(callback.id, name)
        if exc.code == UNSUBSCRIBED:
            ivr.texts.opt_out(callback.number)
            return None
        raise
    ivr.texts.sent(callback.id, name, kind, body, message.sid, when, now)
    log.info("callback %s: %s text sent as %s", callback.id, kind, message.sid)
    return message.sid


def keep_promises(ivr: Services) -> int:
    """Enqueue the texts the callbacks' records call for: a booked one never sent, a new
    time for one that slipped. How many were enqueued."""
    now = ivr.clock()
    enqueued = 0
    for callback in ivr.callbacks.active():
        if not may_text(ivr, callback):
            continue
        booked = ivr.texts.claimed(callback.id, BOOKED)
        requested = dt.datetime.fromisoformat(callback.requested_at)
        promised = ivr.texts.promised(callback.id)
        when = expected(ivr, callback, now)
        if not booked and now - requested < CATCH_UP:
            enqueue(ivr, callback.id, BOOKED)
        elif (booked and promised and when and when - promised > SLIP
              and sum(t["kind"] == MOVED for t in ivr.texts.of(callback.id)) < MAX_MOVED):
            enqueue(ivr, callback.id, MOVED)
        else:
            continue
        enqueued += 1
    return enqueued


def expected(ivr: Services, callback: Callback, now: dt.datetime) -> dt.datetime | None:
    """When we expect to call: its time if it has one ahead, else now plus the wait estimated
    for its place in line, in whole minutes as the caller heard it; None when nobody can
    tell (no agent signed in)."""
    if callback.due_at and callback.state != "waiting":
        return max(dt.datetime.fromisoformat(callback.due_at), now)
    waiter = ivr.queues.waiter(callback.id)
    position = ivr.queues.position(callback.queue, callback.id)
    if waiter is None or position is None:
        return None
    seconds = holding.estimate(ivr, waiter, position)
    if not math.isfinite(seconds):
        return None
    return now + dt.timedelta(minutes=round(seconds / 60))


def may_text(ivr: Services, callback: Callback) -> bool:
    """Whether the callback's customer may get a text now."""
    return (callback.state in PENDING and flow_of(ivr, callback).callbacks.texts
            and not ivr.texts.opted_out(callback.number))


def flow_of(ivr: Services, callback: Callback) -> Flow:
    return ivr.registry.current(callback.flow)


def language(flow: Flow, callback: Callback) -> str:
    return callback.lang if callback.lang in flow.languages else flow.default_language


def _shown(ivr: Services) -> str:
    """The number we call from, written as people read it."""
    number = ivr.config["TWILIO_CALLER_ID"]
    try:
        return phonenumbers.format_number(phonenumbers.parse(number),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number
