"""Twilio's conference rooms as the demo line plays them: who is in which room, and whose
`<Dial>` ends when someone leaves.

Twilio's `<Conference>` page: a call whose TwiML reaches `<Dial><Conference>name</Conference>`
joins the room of that name (made by the first to join). The room starts when a participant
with `startConferenceOnEnter` (true by default) is in it; until then the others wait, hearing
its `waitUrl`. It ends when a participant with `endConferenceOnExit` leaves, or when the last
one does; every call still in it then leaves its `<Dial>`, which goes on as Twilio's `<Dial>`
page says: its `action` URL is requested and its answer plays, or, with no `action`, the
verbs after `<Dial>` play, and with none the call ends.
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Seat:
    """One call in a room: the `<Dial>` that brought it and the verbs that follow it."""
    sid: str
    room: str
    dial: ET.Element
    after: list[ET.Element]
    starts: bool  # startConferenceOnEnter
    ends: bool  # endConferenceOnExit
    since: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> int:
        return round(time.monotonic() - self.since)

    def next_twiml(self) -> str:
        """The TwiML after the `<Dial>` ("" if none: the call ends)."""
        if not self.after:
            return ""
        return "<Response>" + "".join(ET.tostring(v, encoding="unicode")
                                      for v in self.after) + "</Response>"


def seat_in(sid: str, twiml: str) -> Seat | None:
    """The seat a call takes when it plays this TwiML (None: it joins no room)."""
    verbs = list(ET.fromstring(twiml)) if twiml else []
    for i, verb in enumerate(verbs):
        conference = verb.find("Conference") if verb.tag == "Dial" else None
        if conference is not None:
            return Seat(sid, (conference.text or "").strip(), verb, verbs[i + 1:],
                        starts=_flag(conference, "startConferenceOnEnter"),
                        ends=_flag(conference, "endConferenceOnExit", default=False))
    return None


def _flag(element: ET.Element, name: str, default: bool = True) -> bool:
    value = element.get(name)
    return default if value is None else value.lower() == "true"


class Rooms:
    """The rooms in use now, by name; thread-safe."""

    def __init__(self) -> None:
        self._seats: dict[str, Seat] = {}  # by call sid
        self._lock = threading.Lock()

    def join(self, seat: Seat) -> None:
        with self._lock:
            self._seats[seat.sid] = seat

    def leave(self, sid: str) -> list[Seat]:
        """The call leaves its room; the seats of the others if that ends the room."""
        with self._lock:
            seat = self._seats.pop(sid, None)
            if seat is None:
                return []
            others = [s for s in self._seats.values() if s.room == seat.room]
            if not seat.ends:
                return []  # the others talk on (if none is left, the room is over)
            for other in others:
                del self._seats[other.sid]
            return others

    def seat(self, sid: str) -> Seat | None:
        with self._lock:
            return self._seats.get(sid)

    def where(self, sid: str) -> tuple[str, bool]:
        """The room the call is in now ("" if none), and whether it talks there: someone
        else is in it and the room has started (until then it hears the waitUrl)."""
        with self._lock:
            seat = self._seats.get(sid)
            if seat is None:
                return "", False
            room = [s for s in self._seats.values() if s.room == seat.room]
            return seat.room, len(room) > 1 and any(s.starts for s in room)
