"""The callback dialog: a caller who pressed 1 while waiting says where and when to call.

holding.py sends them here after <Leave/>. They are out of the line meanwhile;
key 0 or an escape word, or running out of retries, puts them back at the very same
place. Every question is asked and read as all the line's are (call/dialog.py): a
<Gather> followed by what happens on silence:

    <Gather action="/voice/callback/number" finishOnKey="#" input="dtmf" numDigits="1" timeout="5">
      <Say>Le llamaremos al 5 5 1 2 3 4 5 6 7 8. Si es correcto, marque uno. ...</Say>
      <Say>Para seguir esperando en la fila, marque cero.</Say>
    </Gather>
    <Redirect method="POST">/voice/callback/number?silence=1</Redirect>

The questions, in order (slots.py says which offer the caller had):
- choose (nobody signed in, closed, or a queue that failed): 1 a callback, 2 a message;
- number: the caller ID read back, 1 to use it, 2 to give another (skipped
  without a caller ID we may call);
- enter: up to NUMBER_DIGITS keys, then #, checked by numbers.py;
- when ("turn" offers, with callback hours): 1 my turn, 2 the next opening;
- record (a voice message): its prompt in a one-second <Gather> (0 still goes
  back), then <Record action="/voice/callback/recorded" maxLength="60"
  finishOnKey="#0"/> and, for an empty recording, a <Redirect> to
  /voice/callback/recorded?silence=1.

In a language with a speech model, the one-key questions (choose, number, when) also
take a spoken answer after a beep, as the flow's menus do: the <Record> goes to
/voice/callback/<step>/heard, read as the keys are: an escape word is the way back, a
key said as a word ("uno") is that key.

Then the request is stored with request_callback(), and only then confirmed: the
number read back digit by digit and when to expect the call (or, if the number had a
callback pending, that one and its place), then <Hangup/>.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import twiml
from ivr_app.call.dialog import AGAIN, GAVE_UP, KEY, Listen, ask, read, wrong
from ivr_app.call.fallback import human_on_error, xml
from ivr_app.call.heard import recorded_answer
from ivr_app.call.queueing import dispatch_soon
from ivr_app.call.turn import Event, Speech
from ivr_app.call.voice import _call_sid, _event
from ivr_app.callbacks.dialog import DIALOG_KEY, Caller, Dialog, caller_now
from ivr_app.callbacks.numbers import callable_number, spoken_digits
from ivr_app.callbacks.placing import request_callback
from ivr_app.flow import builtins
from ivr_app.line import holding, slots
from ivr_app.platform.security import twilio_signed
from ivr_app.services import Services, services
from ivr_app.state.callbacks import AlreadyPending, Callback
from speech.recording import is_recording_sid, recording_url

log = logging.getLogger(__name__)
bp = Blueprint("callback_offer", __name__, url_prefix="/voice/callback")

URL = "/voice/callback"
STORING = "storing"  # the dialog hash's `callback` while request_callback() runs, then its id
NUMBER_DIGITS = 20  # keys a typed number may have: 00, a country code, 15 digits; and spare


@bp.post("/start")
@twilio_signed
@human_on_error
def start() -> Response:
    """The caller left the queue for a callback: out of the line, and the first question."""
    sid = _call_sid()
    ivr = services()
    unavailable = bool(request.args.get(holding.UNAVAILABLE))
    caller = caller_now() if ivr.redis.exists(DIALOG_KEY.format(sid=sid)) else \
        _begin(ivr, sid, unavailable)
    return xml(_first_question(caller))


def offer_to(ivr: Services, sid: str) -> VoiceResponse:
    """The dialog for a caller in line now (the survey's "not solved"): out of line, and
    the first question."""
    return _first_question(_begin(ivr, sid, unavailable=False))


def _first_question(caller: Caller) -> VoiceResponse:
    first = "choose" if caller.dialog.offer != slots.TURN else _number_question(caller)
    return _question(caller, first)


def _begin(ivr: Services, sid: str, unavailable: bool) -> Caller:
    """Which offer the wait makes now, the caller ID if we may call it; then out of line.
    A queue that is `unavailable` offers what an unknown wait does: a callback or a message."""
    waiter = ivr.queues.waiter(sid)
    _, state = ivr.store.load(sid)
    position = ivr.queues.position(waiter.queue, sid) if waiter is not None else None
    if position is None or state is None:
        raise LookupError(f"call {sid} is not waiting in any queue")
    flow = ivr.registry.of_call(state)
    now = ivr.clock()
    estimate = math.inf if unavailable else holding.estimate(ivr, waiter, position)
    waited = now.timestamp() - waiter.entered
    offer = slots.offer(flow, waiter.queue, estimate, now, waited) or slots.TURN
    opening = slots.next_opening(flow, now) if offer == slots.CLOSED else None
    dialog = Dialog(offer, slot=opening.isoformat() if opening else "",
                    number=callable_number(state["from"], flow.callbacks) or "")
    caller = Caller(ivr, sid, flow, state["lang"], waiter, dialog)
    caller.save()
    ivr.queues.leave(sid)  # the waiter record keeps the place, for coming back to it
    return caller


@bp.post("/<step>")
@twilio_signed
@human_on_error
def answer(step: str) -> Response:
    """The caller's keys (or silence) at one question: 0 is always back to the line."""
    if step not in KEYS:  # not a question we asked: human_on_error finds a person
        raise LookupError(f"no callback question {step!r}")
    return _act(caller_now(), step, _event())


@bp.post("/<step>/heard")
@twilio_signed
@human_on_error
def heard(step: str) -> Response:
    """The caller's spoken answer at a one-key question (or the key that ended it)."""
    if step not in SPOKEN:
        raise LookupError(f"no spoken callback question {step!r}")
    caller = caller_now()
    lang, flow = caller.lang, caller.flow
    keys = builtins.DIGIT_WORDS.get(lang, ())[:3]  # 0 (back in line), 1 and 2
    return _act(caller, step, recorded_answer(lang, [*flow.escape_words.get(lang, ()), *keys]))


def _act(caller: Caller, step: str, event: Event) -> Response:
    """0 or an escape word is back to the line; silence and wrong answers ask again."""
    answer = read(event, KEYS[step], caller.flow, caller.lang, tries=caller.dialog.tries,
                  retries=caller.flow.retries)
    if answer.kind == KEY:
        return xml(ANSWERS[step](caller, answer.key) or _retry(caller, step, "not_understood"))
    if answer.kind == AGAIN:
        return xml(_retry(caller, step, answer.why))
    return xml(_back_in_line(caller))


@bp.post("/recorded")
@twilio_signed
@human_on_error
def recorded() -> Response:
    """The voice message is in (even if they hung up to end it): store the request with it."""
    caller, form = caller_now(), request.form
    if form.get("Digits") == "0":
        return xml(_back_in_line(caller))
    if request.args.get("silence") or not is_recording_sid(form.get("RecordingSid", "")):
        return xml(_retry(caller, "record", "no_input"))
    seconds = form.get("RecordingDuration", "")
    url = recording_url(caller.ivr.config["TWILIO_ACCOUNT_SID"], form["RecordingSid"])
    message = {"url": url, "seconds": int(seconds) if seconds.isdigit() else None}
    return xml(_store(caller, {"voice_message": message}))


# -- the answers ---------------------------------------------------------------------

def _choose(caller: Caller, digits: str) -> VoiceResponse | None:
    if digits not in ("1", "2"):
        return None
    caller.dialog.message = digits == "2"
    return _go(caller, _number_question(caller))


def _number(caller: Caller, digits: str) -> VoiceResponse | None:
    if digits == "2":
        return _go(caller, "enter")
    if digits != "1":
        return None
    if caller.dialog.message:
        return _go(caller, "record")
    opening = slots.next_opening(caller.flow, caller.ivr.clock())
    if caller.dialog.offer == slots.TURN and opening is not None:
        caller.dialog.slot = opening.isoformat()
        return _go(caller, "when")
    return _store(caller)


def _enter(caller: Caller, digits: str) -> VoiceResponse | None:
    number = callable_number(digits, caller.flow.callbacks)
    if number is None:
        return _retry(caller, "enter", "callback_bad_number")
    caller.dialog.number = number
    return _go(caller, "number")


def _when(caller: Caller, digits: str) -> VoiceResponse | None:
    if digits not in ("1", "2"):
        return None
    if digits == "1":
        caller.dialog.slot = ""
    return _store(caller)


ANSWERS: dict[str, Callable[[Caller, str], VoiceResponse | None]] = {
    "choose": _choose, "number": _number, "enter": _enter, "when": _when,
}
KEYS: dict[str, tuple[str, ...] | None] = {  # what each question takes; None: a number
    "choose": ("1", "2"), "number": ("1", "2"), "enter": None, "when": ("1", "2"),
    "record": (),  # keys other than 0 before the beep are wrong answers
}
SPOKEN = ("choose", "number", "when")  # one-key questions: they may be answered aloud


# -- asking --------------------------------------------------------------------------

def _number_question(caller: Caller) -> str:
    return "number" if caller.dialog.number else "enter"


def _go(caller: Caller, step: str) -> VoiceResponse:
    caller.dialog.tries = 0
    caller.save()
    return _question(caller, step)


def _retry(caller: Caller, step: str, why: str) -> VoiceResponse:
    """Say why and ask again; after the flow's retries, back to the line."""
    if wrong(why, caller.dialog.tries, caller.flow.retries).kind == GAVE_UP:
        return _back_in_line(caller)
    caller.dialog.tries += 1
    caller.save()
    return _question(caller, step, caller.words(why))


def _question(caller: Caller, step: str, *lead: str) -> VoiceResponse:
    """A question; a voice message is recorded after its prompt, which a key (0: back to
    the line) still interrupts."""
    said = (*lead, QUESTIONS[step](caller), caller.words("callback_keep_waiting"))
    listen = step in SPOKEN and caller.lang in caller.ivr.recognizer.languages()
    return ask(VoiceResponse(), f"{URL}/{step}", [Speech(caller.lang, s) for s in said],
               caller.flow, digits=NUMBER_DIGITS if step == "enter" else 1,
               timeout=caller.flow.timeout,
               listen=Listen(f"{URL}/{step}/heard", caller.lang) if listen else None,
               message=f"{URL}/recorded" if step == "record" else "")


QUESTIONS: dict[str, Callable[[Caller], str]] = {
    "choose": lambda caller: caller.words("callback_choose"),
    "number": lambda caller: caller.words("callback_number", number=caller.spoken_number()),
    "enter": lambda caller: caller.words("callback_enter_number"),
    "when": lambda caller: caller.words("callback_when",
                                        slot=caller.said_time(caller.dialog.slot)),
    "record": lambda caller: caller.words("callback_record"),
}


# -- the two endings -----------------------------------------------------------------

def _store(caller: Caller, context: dict[str, Any] | None = None) -> VoiceResponse:
    """Store the request (once, whatever Twilio retries), then confirm it and say goodbye;
    a request that could not be stored is never confirmed: back to the line instead."""
    ivr, dialog = caller.ivr, caller.dialog
    key = DIALOG_KEY.format(sid=caller.sid)
    if not ivr.redis.hsetnx(key, "callback", STORING):
        stored_id, already = ivr.redis.hmget(key, "callback", "already")
        stored = ivr.callbacks.get(stored_id or "")
        if stored is None:  # another request is storing it now: never confirm unstored
            raise LookupError(f"call {caller.sid}: its callback is being stored elsewhere")
        return _confirm(caller, stored, already=already == "1")
    try:
        due = dt.datetime.fromisoformat(dialog.slot) if dialog.slot else None
        callback = request_callback(ivr, caller.sid, dialog.number, due, context=context)
    except AlreadyPending as pending:  # one callback per number: say which they have
        ivr.redis.hset(key, mapping={"callback": pending.callback.id, "already": "1"})
        return _confirm(caller, pending.callback, already=True)
    except Exception:
        log.exception("call %s: callback not stored; the caller goes back in line", caller.sid)
        ivr.redis.hdel(key, "callback")
        return _back_in_line(caller)
    ivr.redis.hset(key, "callback", callback.id)
    return _confirm(caller, callback)


def _confirm(caller: Caller, callback: Callback, already: bool = False) -> VoiceResponse:
    """The number and when to expect the call, then goodbye; `already`: the callback the
    number had before, and its place in line or its time."""
    ivr = caller.ivr
    number = spoken_digits(callback.number, caller.flow.callbacks)
    when = callback.due_at if callback.state != "waiting" else ""
    said = [caller.words("callback_already", number=number)] if already else \
        [caller.words("callback_message_saved")] * caller.dialog.message
    if when:
        key = "callback_pending_slot" if already else "callback_confirmed_slot"
        said.append(caller.words(key, number=number, slot=caller.said_time(when)))
    else:
        position = ivr.queues.position(callback.queue, callback.id)
        in_line = ivr.queues.waiter(callback.id)
        if not already:
            said.append(caller.words("callback_confirmed_turn", number=number))
        elif position:
            said.append(caller.words("queue_position", position=position))
        seconds = holding.estimate(ivr, in_line, position) if position and in_line else 0.0
        said.append(holding.wait_sentence(caller.flow.messages[caller.lang], seconds))
    response = VoiceResponse()
    caller.say(response, *said, caller.words("callback_goodbye"))
    response.hangup()
    return response


def _back_in_line(caller: Caller) -> VoiceResponse:
    """The caller changed their mind (or could not answer): the same place in the same line."""
    ivr, waiter = caller.ivr, caller.waiter
    entered = dt.datetime.fromtimestamp(waiter.entered, dt.UTC)
    ivr.queues.join(caller.sid, waiter.queue, waiter.lang, waiter.reason, entered,
                    place=waiter.place, prefer=waiter.prefer, test=waiter.test)
    ivr.redis.delete(DIALOG_KEY.format(sid=caller.sid))
    dispatch_soon(ivr, waiter.queue)
    response = VoiceResponse()
    caller.say(response, caller.words("callback_back_in_line"))
    twiml.enqueue_human(response, waiter.queue, fallback=caller.flow.human.fallback_number)
    return response
