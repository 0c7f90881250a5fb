"""One way to ask a question on the line, and one way to read its answer.

Every question, the flow's and the line's own (the callback offer, a pending callback,
a call we remember, the keys while holding, a callback's "press 1", the agent's
whisper), is asked by `ask`: keys only (Twilio's own speech recognition is never asked
for), the prompt nested so that a key interrupts it, and after it what silence does:

    <Gather action="/voice/remembered" finishOnKey="#" input="dtmf" method="POST"
            numDigits="1" timeout="5">
      <Say>prompt</Say>
    </Gather>
    <Redirect method="POST">/voice/remembered?silence=1</Redirect>

Where a question differs, it says so by a parameter of `ask`: an answer that may be
spoken (`listen`: a beep and a <Record> after a one-second wait for a key), a voice
message recorded after the prompt (`message`), a call we placed that ends on silence
(`goodbye`), or hold music whose end lets Twilio fetch the wait URL again (`hold`).

The flow's own answers are read by the engine (engine.handle); the line's own questions
read theirs with `read`, by the same rules: 0 and the escape words are the way out, a key
said as a word ("dos") is that key, silence and wrong answers ask again up to the
retries, then give up. Two have no way out (`escape=False`): the agent's whisper (the
agent is not a caller to put through to a person) and the keys while holding (the caller
waits for a person already, and 0 says their place again).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr_app.call import answers
from ivr_app.call.turn import Event, Speech
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow

KEY_WAIT = 1  # seconds after the prompt for a key, before the beep
SPEECH_SILENCE = 2  # seconds of silence that end a spoken answer, or stand for none
SPEECH_MAX_LENGTH = 5  # seconds: a menu answer is a few words
MESSAGE_SECONDS = 60  # a voice message's longest
ANY_KEY = "0123456789*#"

# What an answer is (Answer.kind).
KEY = "key"  # a listed key, pressed or said as a word
ESCAPE = "escape"  # 0 or an escape word: the way out (a person, or back in line)
AGAIN = "again"  # silence or a wrong answer: say why, and ask again
GAVE_UP = "gave up"  # silence or a wrong answer with the retries used up


@dataclass(frozen=True)
class Listen:
    """A question whose answer may be spoken in `lang`: recorded after a beep, to `url`."""

    url: str
    lang: str


@dataclass(frozen=True)
class Answer:
    kind: str
    key: str = ""  # KEY: the key (or, at a question of any keys, the keys typed)
    why: str = ""  # AGAIN and GAVE_UP: the message that says why ("no_input", ...)


def ask(response: VoiceResponse, action: str, prompt: Sequence[Speech], flow: Flow | None,
        *, digits: int = 1, finish: str = "#", timeout: int | None = None,
        listen: Listen | None = None, message: str = "",
        goodbye: Sequence[Speech] | None = None, hold: bool = False) -> VoiceResponse:
    """Add a question to `response`: keys (up to `digits`, ended by `finish`) go to
    `action`; with no key after `timeout` seconds (Twilio's 5 when None), silence is
    reported to `action` with `silence=1`.

    `listen`: a spoken answer is recorded after a beep instead. `message`: a voice message
    is recorded after the beep and posted to that URL (its silence too). `goodbye`: a call
    we placed says it and hangs up. `hold`: nothing follows the question (hold music,
    whose end makes Twilio fetch the wait URL again). The prompt is said in the flow's
    voices, or in a bare language when `flow` is None.
    """
    wait = KEY_WAIT if listen is not None or message else timeout
    gather = response.gather(input="dtmf", action=action, method="POST", num_digits=digits,
                             finish_on_key=finish, timeout=wait)
    speak(gather, flow, prompt)
    if listen is not None and flow is not None:
        say(gather, flow, listen.lang, flow.messages[listen.lang]["speech_hint"])
        record_answer(response, listen.url)
    if message:
        response.record(action=message, method="POST", max_length=MESSAGE_SECONDS, timeout=5,
                        finish_on_key="#0", play_beep=True)
        response.redirect(with_silence(message), method="POST")  # nothing recorded
    elif goodbye is not None:
        speak(response, flow, goodbye)
        response.hangup()
    elif not hold:
        response.redirect(with_silence(action), method="POST")
    return response


def with_silence(url: str) -> str:
    """The URL that reports silence at the question whose keys go to `url`."""
    return f"{url}{'&' if '?' in url else '?'}silence=1"


def record_answer(response: VoiceResponse, action: str) -> None:
    """After a question: the caller's spoken answer, recorded after a beep, to `action`."""
    response.record(action=action, method="POST", max_length=SPEECH_MAX_LENGTH,
                    timeout=SPEECH_SILENCE, play_beep=True, trim="trim-silence",
                    finish_on_key=ANY_KEY)


def read(event: Event, keys: Collection[str] | None, flow: Flow | None, lang: str, *,
         tries: int = 0, retries: int = 0, escape: bool = True) -> Answer:
    """What the answer to one of the line's own questions is.

    `keys` lists the answers the question takes (None: any keys, as a typed number);
    `tries` counts the silences and wrong answers so far at this question, and after
    `retries` of them the caller gives up. With `escape`, 0 and the flow's escape words
    are the way out.
    """
    if escape and flow is not None and answers.is_escape(flow, event):
        return Answer(ESCAPE)
    if event.kind == "digits" and (keys is None or event.value in keys):
        return Answer(KEY, key=event.value)
    said = builtins.spoken_key(event.value, lang) if event.kind == "speech" else None
    if said is not None and keys is not None and said in keys:
        return Answer(KEY, key=said)
    why = {"silence": "no_input", "unheard": "use_keys"}.get(event.kind, "not_understood")
    return wrong(why, tries, retries)


def wrong(why: str, tries: int, retries: int) -> Answer:
    """A wrong answer (or none) after `tries` others: ask again, or give up after
    `retries`."""
    return Answer(AGAIN if tries < retries else GAVE_UP, why=why)


def say(verb: VoiceResponse | Gather, flow: Flow, lang: str, *texts: str) -> None:
    """<Say> each text with the voice and locale the flow gives this language."""
    voice = flow.languages[lang]
    for text in texts:
        verb.say(text, voice=voice.voice, language=voice.locale)


def speak(verb: VoiceResponse | Gather, flow: Flow | None, speech: Sequence[Speech]) -> None:
    """Say (or play) each thing, in the flow's voices, or in a bare language without one."""
    for item in speech:
        if item.play:
            verb.play(item.play)
        elif flow is None:
            verb.say(item.text, language=item.lang)
        else:
            say(verb, flow, item.lang, item.text)
