"""A caller on a terminal: plays TwiML the way Twilio does and signs every request.

It drives the real app through its webhooks, so a simulated call takes the same code path as
a phone call: `<Gather>` waits for the caller, silence falls through to the next verb,
`<Record>` takes a WAV the caller "says" (served as Twilio serves recordings, by a
RecordingServer) or, in silence, nothing, `<Redirect>` is followed, `<Enqueue>`/`<Dial>` hand
the caller to a person, `<Hangup>` ends the call; a `<Stream>`'s parameters go with its stream.
"""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import redis
from flask import Flask
from twilio.request_validator import RequestValidator

from ivr_app.demo.media_stream import speak_over, stream_parameters
from ivr_app.demo.recordings import RecordingServer, wav_seconds
from ivr_app.demo.twilio_rest import TwilioStandin

BASE_URL = "http://localhost"
DEFAULT_CALLER = "+15005550006"  # Twilio's test number: a valid number, never called back
DIAL_OVER = {"DialCallStatus": "completed", "DialCallDuration": "60"}  # a <Dial>'s action


@dataclass
class Ending:
    """How the call ended: with a person (queue or number), a goodbye, or a hang-up."""

    kind: str  # "human", "goodbye" or "hung up"
    queue: str = ""
    number: str = ""
    reason: str = ""

    def __str__(self) -> str:
        if self.kind == "human":
            where = f"queue {self.queue!r}" if self.queue else f"number {self.number}"
            return f"a person ({where}, reason: {self.reason or 'unknown'})"
        return self.kind


@dataclass
class Call:
    """One simulated call: what the caller heard, and how it ended."""

    app: Flask
    token: str
    sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    caller: str = DEFAULT_CALLER
    number: str = "+15005550001"
    echo: Callable[[str], None] | None = None
    base_url: str = BASE_URL  # where Twilio believes the app is (PUBLIC_BASE_URL)
    recordings: RecordingServer | None = None  # serves what `speaks` records
    stream_url: str = ""  # a stream server that hears the call (`speaks_over`)
    rest: TwilioStandin | None = None  # Twilio's REST API, through which it moves the call
    stream_parameters: dict[str, str] = field(default_factory=dict)  # the <Stream>'s
    heard: list[str] = field(default_factory=list)
    ending: Ending | None = None
    _gather: ET.Element | None = None
    _rest: list[ET.Element] = field(default_factory=list)
    _queue: ET.Element | None = None  # the <Enqueue> the caller is holding in
    room: str = ""  # the conference the caller talks in with an agent
    agent: str = ""  # that agent's id
    _dial: ET.Element | None = None  # the <Dial> that put the caller in that conference

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    # -- what the caller does -------------------------------------------------------

    def dial(self) -> Call:
        self._run(self.post("/voice", {}))
        return self

    def press(self, keys: str) -> Call:
        """Type keys at the question; as on Twilio, the Gather's finishOnKey ends them and
        its numDigits caps them (the finish key itself is not posted)."""
        self.echo_line(f"CALLER presses {keys}")
        self._need_question()
        finish = self._gather.get("finishOnKey", "#")
        finished = bool(finish) and finish in keys
        if finished:
            keys = keys[:keys.index(finish)]
        limit = self._gather.get("numDigits")
        keys = keys[:int(limit)] if limit else keys
        if not keys:  # only the finish key: Twilio goes on as after silence
            return self.stays_silent()
        return self._answer({"Digits": keys, "FinishedOnKey": finish if finished else ""})

    def says(self, words: str, confidence: float = 0.9) -> Call:
        self.echo_line(f"CALLER says {words!r}")
        return self._answer({"SpeechResult": words, "Confidence": str(confidence)})

    def speaks(self, wav: bytes, not_ready: int = 0, delay: float = 0.0) -> Call:
        """Say a recorded answer after the beep: Twilio records it and posts its URL.
        `not_ready` and `delay` make the recording late to appear or slow to download."""
        self.echo_line(f"CALLER speaks ({len(wav)} bytes of audio)")
        self._need_question()
        record = next((v for v in self._rest if v.tag == "Record"), None)
        if record is None:
            raise RuntimeError("this question takes no spoken answer (speech is off for it)")
        if self.recordings is None:
            raise RuntimeError("give the Call a RecordingServer to serve what it speaks")
        url = self.recordings.add(wav, not_ready=not_ready, delay=delay)
        self._gather, self._rest = None, []
        self._run(self.post(record.get("action", ""), {
            "RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[-1],
            "RecordingDuration": str(wav_seconds(wav)), "Digits": ""}))
        return self

    def speaks_over(self, wav: bytes) -> Call:
        """Say a WAV during the prompt, on the call's Media Stream to the stream server."""
        self.echo_line(f"CALLER speaks over the prompt ({len(wav)} bytes of audio)")
        self._need_question()
        if self.rest is None:
            raise RuntimeError("give the Call a stream server's URL and the REST stand-in")
        moved = speak_over(self.stream_url, self.token, self.sid, self.stream_parameters, wav,
                           self.rest)
        if moved is None:
            self.echo_line("IVR    (nothing understood: the prompt plays on)")
        return self if moved is None else self.moved(moved)

    def moved(self, document: str) -> Call:
        """Twilio moved the live call (a REST update): its new TwiML plays from the start. A
        caller holding in <Enqueue> leaves the queue, its action hearing "redirected"; one in a
        <Dial> (an agent's room) leaves it, its action asked too; neither answer is played."""
        queue, self._queue = self._queue, None
        if queue is not None:
            self.echo_line("IVR    (the call leaves the line)")
            if queue.get("action"):
                self.post(queue.get("action", ""), {"QueueResult": "redirected",
                                                    "QueueTime": "30"})
        else:  # out of the agent's room, or a prompt cut short
            self.echo_line(f"IVR    ({'the agent left' if self.room else 'the prompt is cut short'}"
                           ": the call moves on)")
            if self._dial is not None and self._dial.get("action"):
                self.post(self._dial.get("action", ""), DIAL_OVER)  # its answer not played
        self._gather, self._rest = None, []
        self.room, self._dial = "", None  # out of any conference, unless it joins one again
        self._run(document)
        return self

    def stays_silent(self) -> Call:
        self.echo_line("CALLER stays silent")
        self._need_question()
        rest, self._gather, self._rest = self._rest, None, []
        self._play(rest)
        if self._queue is not None and self._gather is None and self.ending.kind == "human":
            self._hold()  # Twilio fetches the waitUrl again when its document ends
        return self

    def conference_ends(self) -> Call:
        """The agent hung up, ending the conference: Twilio requests the <Dial> action."""
        dial, self._dial, self.room = self._dial, None, ""
        if dial is None:
            raise RuntimeError("the caller is not in a conference")
        self.echo_line("IVR    (the agent left the conference)")
        if not dial.get("action"):
            self.ending = Ending("goodbye")
            self.echo_line("END the agent hung up")
            return self
        self._run(self.post(dial.get("action", ""), DIAL_OVER))
        return self

    def hang_up(self) -> None:
        """Put the phone down; Twilio then reports the queue left (if holding) and the end."""
        if self.ending is None:
            self.ending = Ending("hung up")
        if self._queue is not None:
            queue, self._queue, self._gather = self._queue, None, None
            self.post(queue.get("action", ""), {"QueueResult": "hangup", "QueueTime": "30"})
        self.post("/voice/status", {"CallStatus": "completed", "CallDuration": "30"})

    def queue_fails(self, result: str) -> Call:
        """Twilio's queue drops the holding caller ("queue-full", "system-error"): the
        <Enqueue> action hears it, and its answer plays."""
        queue, self._queue, self._gather = self._queue, None, None
        self.echo_line(f"QUEUE  {result}")
        self._run(self.post(queue.get("action", ""), {"QueueResult": result, "QueueTime": "5"}))
        return self

    def snapshot(self) -> dict[str, Any]:
        """Where the conversation stands, as plain data: resume() picks it up in any process."""
        def xml(verb: ET.Element | None) -> str | None:
            return None if verb is None else ET.tostring(verb, encoding="unicode")

        return {"sid": self.sid, "caller": self.caller, "number": self.number,
                "base_url": self.base_url, "heard": self.heard,
                "ending": None if self.ending is None else asdict(self.ending),
                "gather": xml(self._gather), "rest": [xml(v) for v in self._rest],
                "queue": xml(self._queue), "room": self.room, "agent": self.agent}

    @classmethod
    def resume(cls, app: Flask, token: str, saved: dict[str, Any]) -> Call:
        """The call a snapshot() describes, ready for the caller's next action."""
        def verb(text: str | None) -> ET.Element | None:
            return None if text is None else ET.fromstring(text)

        call = cls(app, token, sid=saved["sid"], caller=saved["caller"],
                   number=saved["number"], base_url=saved["base_url"],
                   heard=list(saved["heard"]))
        call.ending = Ending(**saved["ending"]) if saved["ending"] else None
        call._gather, call._queue = verb(saved["gather"]), verb(saved["queue"])
        call._rest = [verb(v) for v in saved["rest"]]
        call.room, call.agent = saved.get("room", ""), saved.get("agent", "")
        return call

    @property
    def waiting(self) -> bool:
        """Whether the IVR is waiting for the caller to answer a question."""
        return self._gather is not None

    def keys_asked(self) -> dict[str, Any] | None:
        """How the question asked now takes keys, as Twilio reads its <Gather>: where they go,
        how many end it (0: no limit), the key that ends them ("" for none), the seconds Twilio
        waits for the next key, whether speech is recorded after it; None if nothing asked."""
        if self._gather is None:
            return None
        return {"action": self._gather.get("action", ""),
                "digits": int(self._gather.get("numDigits") or 0),
                "finish": self._gather.get("finishOnKey", "#"),
                "timeout": int(self._gather.get("timeout") or 5),
                "records": any(v.tag == "Record" for v in self._rest)}

    def last_heard(self) -> str:
        return self.heard[-1] if self.heard else ""

    # -- playing TwiML ------------------------------------------------------------------

    def _answer(self, params: dict[str, str]) -> Call:
        self._need_question()
        action = self._gather.get("action", "")
        self._gather, self._rest = None, []
        self._run(self.post(action, params))
        return self

    def _need_question(self) -> None:
        if self._gather is None:
            raise RuntimeError(f"the call is not waiting for input (ended: {self.ending})")

    def _run(self, document: str) -> None:
        root = ET.fromstring(document)
        if root.tag != "Response":
            raise ValueError(f"not TwiML: {document[:200]}")
        self.stream_parameters = stream_parameters(document) or self.stream_parameters
        self._play(list(root))

    def _play(self, verbs: list[ET.Element]) -> None:
        for i, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                self._hear(verb)
            elif verb.tag == "Gather":
                for inner in verb:
                    self._hear(inner)
                self._gather, self._rest = verb, verbs[i + 1:]
                return
            elif verb.tag == "Record":
                continue  # a silent caller leaves an empty recording: Twilio goes on
            elif verb.tag == "Redirect":
                self._run(self.post(verb.text or "", {}))
                return
            elif verb.tag == "Dial" and verb.find("Conference") is not None:
                self._dial = verb
                self._joins(verb.findtext("Conference", "").strip())
                return
            elif verb.tag in ("Enqueue", "Dial"):
                self._to_person(verb)
                return
            elif verb.tag == "Leave":
                self._leave_queue()
                return
            elif verb.tag == "Hangup":
                self.ending = Ending("goodbye")
                self.echo_line("END goodbye")
                return
        if self.ending is None:  # Twilio hangs up at the end of a document
            self.ending = Ending("hung up")
            self.echo_line("END hung up (end of TwiML)")
        # at the end of a waitUrl document the caller simply holds on (see stays_silent)

    def _hear(self, verb: ET.Element) -> None:
        if verb.tag == "Say":
            text = f"[{verb.get('language', '')}] {verb.text or ''}"
        elif verb.tag == "Play":
            text = f"[plays {verb.text}]"
        else:
            return
        self.heard.append(text)
        self.echo_line(f"IVR    {text}")

    def _to_person(self, verb: ET.Element) -> None:
        target = (verb.text or "").strip()
        if verb.tag == "Enqueue":  # not an end: the caller holds until a person takes it
            self.ending = Ending("human", queue=target, reason=self._reason())
            self.echo_line(f"QUEUE  in line for {self.ending}")
            if verb.get("waitUrl"):
                self._queue = verb
                self._hold()
            return
        number = verb.findtext("Number") or target
        self.ending = Ending("human", number=number.strip(), reason=self._reason())
        self.echo_line(f"END {self.ending}")

    def _joins(self, room: str) -> None:
        """<Dial><Conference>: the caller is put through to the agent who took the call."""
        self.room = room
        self.agent = self._agent_in_redis()
        self.echo_line(f"CALLER connected to agent {self.agent}")
        self.echo_line(f"IVR    [conference {room}: you talk with {self.agent}]")

    def _agent_in_redis(self) -> str:
        """Who took the call: the agent it was offered to (or who handled it)."""
        ivr = self.app.extensions["ivr"]
        waiter = ivr.queues.waiter(self.sid)
        return (waiter.offered if waiter else "") or ivr.store.handled_by(self.sid) or "?"

    def _hold(self) -> None:
        """Play the queue's wait document, as Twilio does while the caller holds."""
        wait_url = self._queue.get("waitUrl", "")
        self._run(self.post(wait_url, {"QueueTime": "0", "QueueSid": "QU" + "0" * 32}))

    def _leave_queue(self) -> None:
        queue, self._queue = self._queue, None
        self.echo_line("CALLER leaves the queue")
        self._run(self.post(queue.get("action", ""), {"QueueResult": "leave",
                                                      "QueueTime": "30"}))

    def _reason(self) -> str:
        """Why the line says the caller went to a person ("" while Redis cannot say)."""
        try:
            return self._reason_in_redis()
        except redis.RedisError:
            return ""

    def _reason_in_redis(self) -> str:
        ivr = self.app.extensions["ivr"]
        waiter = ivr.queues.waiter(self.sid)
        if waiter is not None:
            return waiter.reason
        _, state = ivr.store.load(self.sid)
        outcome = (state or {}).get("outcome") or {}
        return outcome.get("reason", "our error" if state else "")

    # -- signing as Twilio does ---------------------------------------------------------

    def post(self, url: str, params: dict[str, str]) -> str:
        """A request signed as Twilio signs it, with the call's usual parameters; raises on
        any answer but 2xx (Twilio would hang up). Tests send odd input with it."""
        form = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01",
                "CallSid": self.sid, "CallStatus": "in-progress", "Direction": "inbound",
                "From": self.caller, "To": self.number, "Caller": self.caller,
                "Called": self.number, **params}
        signature = RequestValidator(self.token).compute_signature(self.base_url + url, form)
        response = self.client.post(url, data=form, base_url=self.base_url,
                                    headers={"X-Twilio-Signature": signature})
        if response.status_code >= 300:
            raise RuntimeError(f"POST {url} answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:300]}")
        return response.get_data(as_text=True)

    def echo_line(self, line: str) -> None:
        """Print a line of the call's story (when the call echoes)."""
        if self.echo is not None:
            self.echo(line)


def apply_input(call: Call, line: str) -> None:
    """One caller action: keys, `say: words`, `wav: file.wav` (after the beep), `stream:
    file.wav` (over the prompt), or an empty line for silence."""
    line = line.strip()
    if not line:
        call.stays_silent()
    elif line.lower().startswith("say:"):
        call.says(line[4:].strip())
    elif line.lower().startswith("wav:"):
        call.speaks(Path(line[4:].strip()).read_bytes())
    elif line.lower().startswith("stream:"):
        call.speaks_over(Path(line[7:].strip()).read_bytes())
    else:
        call.press(line)


def choose_language(call: Call, lang: str) -> bool:
    """Answer a language question with the key for `lang`; False if none is being asked."""
    ivr = call.app.extensions["ivr"]
    _, state = ivr.store.load(call.sid)
    if not call.waiting or state is None:
        return False
    flow = ivr.registry.of_call(state)
    for choice in getattr(flow.nodes[state["node"]], "choices", ()):
        if choice.language == lang:
            call.press(choice.key)
            return True
    return False
