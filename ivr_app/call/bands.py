"""Three bands per spoken answer: act on it, read it back for a yes, or ask again.

A recogniser's confidence (speech/rejection.py gives 0.5 at its bar, less below it) puts
a spoken answer in one of the flow's bands for its language (Flow.bands):
- ACCEPT, at `accept` or above: acted on, as a key would be;
- CONFIRM, from `confirm`: read back ("Did you say billing? Say yes or press one; if not,
  say no or press two"); yes or 1 acts on it, while no, 2, silence or anything unclear
  asks the question again with its keys read out; 0 and the escape words still reach a
  person. A wrong guess costs the caller one question, not a trip to the wrong place. The
  way out (an escape or supervisor word) is taken at once from this band too: a person is
  never the wrong place;
- AGAIN, below: not understood, asked again.
Keys, and speech typed in a trial (no confidence), are what they say. The engine (read
back) and barge-in (what it may act on during a prompt) both judge by `band`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr_app.call.turn import Event
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow
from speech import Heard

ACCEPT = "accept"
CONFIRM = "confirm"
AGAIN = "again"


def heard_event(heard: Heard) -> Event:
    """What a recogniser heard, as the caller's answer: speech with its confidence (the
    bands judge it), the phrase an answer turned away as [unk] was nearest (with its low
    confidence: it may still be read back), or "unclear" for nothing heard."""
    if heard.trusted(0.0):
        return Event("speech", heard.text, heard.confidence)
    if heard.nearest is not None:
        return Event("speech", *heard.nearest)
    return Event("unclear", heard.text, heard.confidence)


def band(flow: Flow, lang: str, event: Event) -> str:
    """The band a caller's answer falls in, in `lang`."""
    if event.kind != "speech" or event.confidence is None:
        return ACCEPT
    bands = flow.bands(lang)
    if event.confidence >= bands.accept:
        return ACCEPT
    return CONFIRM if event.confidence >= bands.confirm else AGAIN


def judged(flow: Flow, lang: str, event: Event) -> Event:
    """The answer as the line takes it: speech below the bands is "unclear"."""
    if band(flow, lang, event) == AGAIN:
        return Event("unclear", event.value, event.confidence)
    return event


def read_back(event: Event, languages: Sequence[str]) -> bool | None:
    """What an answer to "did you say ...?" is, in the first of `languages` (those the
    read-back was said in) that makes sense of it: True (yes, 1), False (no, 2), None (else)."""
    for lang in languages:
        said = event.value if event.kind == "digits" else (
            builtins.spoken_key(event.value, lang) if event.kind == "speech" else None)
        if said in ("1", "2"):
            return said == "1"
        if event.kind != "speech":
            return None
        if any(builtins.contains_phrase(event.value, w) for w in builtins.YES_WORDS.get(lang, ())):
            return True
        if any(builtins.contains_phrase(event.value, w) for w in builtins.NO_WORDS.get(lang, ())):
            return False
    return None
    if any(builtins.contains_phrase(event.value, w) for w in builtins.YES_WORDS.get(lang, ())):
        return True
    if any(builtins.contains_phrase(event.value, w) for w in builtins.NO_WORDS.get(lang, ())):
        return False
    return None
