"""Turn an engine Turn into TwiML, with twilio's VoiceResponse only.

A turn's question is asked as every question is (dialog.ask), so that silence, a key
and an error each take one clear path:

    <Gather input="dtmf" action="/voice/step?seq=N" numDigits=".." timeout="..">
      <Say>prompt</Say><Say>escape announcement</Say>
    </Gather>
    <Redirect>/voice/step?seq=N&amp;silence=1</Redirect>

Twilio posts the keys to the Gather's action; with no keys it falls through to
the Redirect, which reports the silence for the same step.

A menu (or language) question in a language that has a speech model also
takes a spoken answer, after a beep:

    <Gather input="dtmf" action="/voice/step?seq=N" numDigits="1" finishOnKey="" timeout="1">
      <Say>prompt</Say><Say>escape announcement</Say><Say>speech hint</Say>
    </Gather>
    <Record action="/voice/heard?seq=N" maxLength="5" timeout="2" playBeep="true"
            trim="trim-silence" finishOnKey="0123456789*#"/>
    <Redirect>/voice/step?seq=N&amp;silence=1</Redirect>

A key during the prompt (or the second after it) goes to the Gather's action as
before. Otherwise the beep sounds and the caller speaks: the recording goes to
/voice/heard, which recognises it. A key during the recording ends it and
reaches /voice/heard as `Digits`, and counts as that key. Silence leaves an
empty recording, for which Twilio calls no action and goes on to the Redirect.

With a stream server (STREAM_URL), a call's first answer starts a one-way Media Stream of
the caller's audio before anything else, and the stream server hears spoken answers
during the prompts too (call/stream.py); the questions asked while that stream is live
leave out the Record:

    <Start><Stream url="wss://..." /></Start>
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection
from urllib.parse import urlencode

from twilio.twiml.voice_response import VoiceResponse

from ivr_app.call import dialog
from ivr_app.call.engine import Turn
from ivr_app.flow.model import Flow
from ivr_app.platform.security import STREAM_PROOF

STEP_URL = "/voice/step"
QUEUE_EXIT_URL = "/voice/queue-exit"
HEARD_URL = "/voice/heard"
WAIT_URL = "/voice/wait"
# Rendered turns, kept per flow version with the step number left out: building TwiML
# with VoiceResponse costs more than the rest of a step's own code.
KEPT_TURNS = 2048
# The step number "\x01" as it stands in a URL; no flow text holds it (the loader refuses
# control characters).
_SEQ_MARK = "seq=%01"
_PROOF_MARK = "\x02"  # the stream's proof in a kept template (no flow text holds it either)
_kept: OrderedDict[tuple, str] = OrderedDict()
_kept_lock = threading.Lock()


def step_url(seq: int | str, **extra: str) -> str:
    return f"{STEP_URL}?{urlencode({'seq': seq, **extra})}"


def render(flow: Flow, turn: Turn, seq: int, speech: Collection[str] = (),
           stream: str = "", proof: str = "") -> str:
    """The TwiML document for a turn; `seq` is the step number its answer will carry.

    `speech` names the languages whose spoken answers are recorded: a question whose answer
    may be spoken in one of them also records the caller after the prompt. A `stream` URL
    starts a Media Stream of the caller's audio to it first, carrying the call's `proof`.
    """
    listen = turn.ask is not None and turn.ask.voice in speech
    key = (flow.name, flow.version, tuple(turn.speech), turn.ask, turn.human, turn.hangup,
           listen, stream)
    with _kept_lock:
        template = _kept.get(key)
        if template is not None:
            _kept.move_to_end(key)
    if template is None:
        template = _render(flow, turn, "\x01", listen, stream)
        urls = 0 if turn.ask is None else 3 if listen else 2  # each carries the step number
        if template.count(_SEQ_MARK) != urls:  # cannot happen; never risk a wrong answer
            return _render(flow, turn, seq, listen, stream).replace(_PROOF_MARK, proof)
        with _kept_lock:
            _kept[key] = template
            while len(_kept) > KEPT_TURNS:
                _kept.popitem(last=False)
    return template.replace(_SEQ_MARK, f"seq={seq}").replace(_PROOF_MARK, proof)


def _render(flow: Flow, turn: Turn, seq: int | str, listen: bool, stream: str = "") -> str:
    response = VoiceResponse()
    if stream:
        started = response.start().stream(url=stream, track="inbound_track")
        started.parameter(name=STREAM_PROOF, value=_PROOF_MARK)  # each call's own, put in later
    if turn.ask is not None:
        digits = turn.ask.max_digits  # "#" ends typed digits, but may be a menu's own key
        heard = f"{HEARD_URL}?{urlencode({'seq': seq})}"
        dialog.ask(response, step_url(seq), turn.speech, flow, digits=digits,
                   finish="#" if digits > 1 else "", timeout=turn.ask.timeout,
                   listen=dialog.Listen(heard, turn.ask.voice) if listen else None)
    else:
        dialog.speak(response, flow, turn.speech)
    if turn.human is not None:
        enqueue_human(response, turn.human.queue, fallback=flow.human.fallback_number)
    elif turn.hangup:
        response.hangup()
    return str(response)


def enqueue_human(response: VoiceResponse, queue: str, fallback: str = "") -> None:
    """Put the caller in a human queue; the exit URL deals with a full or failed queue."""
    query = urlencode({"queue": queue, **({"fallback": fallback} if fallback else {})})
    response.enqueue(queue, action=f"{QUEUE_EXIT_URL}?{query}", method="POST",
                     wait_url=f"{WAIT_URL}?{urlencode({'queue': queue})}",
                     wait_url_method="POST")


def to_human_fallback(flow: Flow | None, queue: str, number: str) -> str:
    """TwiML that reaches a person when our own code failed: no Redis, no flow state needed."""
    response = VoiceResponse()
    if flow is not None:
        lang = flow.default_language
        dialog.say(response, flow, lang, flow.messages[lang]["to_human"])
        queue, number = flow.human.queue, flow.human.fallback_number or number
    if queue:
        enqueue_human(response, queue, fallback=number)
    else:
        response.dial(number)
    return str(response)


def hang_up() -> str:
    """<Hangup/> alone: for a call that is over before its request came."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


def after_queue(result: str, queue: str, fallback: str) -> str:
    """What follows an <Enqueue>: done if bridged or gone, else dial out or queue again."""
    response = VoiceResponse()
    if result in ("bridged", "hangup"):
        response.hangup()
    elif fallback:
        response.dial(fallback)
    else:
        response.pause(length=5)  # a full or failing queue: try again, never hang up
        enqueue_human(response, queue)
    return str(response)
