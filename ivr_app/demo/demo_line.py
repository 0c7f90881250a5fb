"""Twilio played by `up` when there is no Twilio account: the calls the line places (ringing
an agent, calling a customer back) exist here, and the console shows them and answers for
their callee, so a newcomer can walk a whole call end to end.

It is the tests' REST stand-in (twilio_rest.py) plus what a person on those calls does,
asked for over HTTP by the console or by `simulate`, and what Twilio itself does on its own
time (docs/demo-twilio.md says which of Twilio's pages each follows):

    GET  /demo/calls                       the calls placed, newest first: what they hear,
                                           the room they are in, talking or waiting
    GET  /demo/calls/<sid>                 one call: its status and the TwiML it plays now
    POST /demo/calls/<sid>/dial            a simulated caller's call comes in (From, To,
                                           StatusCallback): the REST API can move it now
    POST /demo/calls/<sid>/answer          the callee picks up (Twilio fetches the call's TwiML)
    POST /demo/calls/<sid>/press  Digits=1 keys for the question they hear (its <Gather>)
    POST /demo/calls/<sid>/hangup          the callee hangs up (Twilio reports the end)
    POST /demo/pick-up            To=+1..  the person at that phone picks up: the call
                                           ringing it now, or the next one placed to it
                                           within PICK_UP_SECONDS (an agent's Accept)

and, as Twilio does: a call placed and not answered within its Timeout ends `no-answer`; a
call update with Url or Twiml plays the new TwiML at once (the caller leaves <Enqueue>); a
call update with Status ends the call and reports it to its status callback; `<Dial>
<Conference>` joins a room, and a room that ends finishes the `<Dial>` of everyone still in
it (its `action` URL, else the verbs after it, else the call ends: conference.py); TwiML that
plays out with nothing to wait for ends the call. A call ends once, in its room first.

Each action runs on its own thread and answers 202 at once: the webhooks it sends may need
the very web worker that asked. Inbound calls the console's "Try a call" makes never went
through Twilio, so a call it does not know is taken for one of those.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

from werkzeug.datastructures import MultiDict

from ivr_app.demo.conference import Rooms, Seat, seat_in
from ivr_app.demo.rest_json import Reply, error, rfc2822_now
from ivr_app.demo.twilio_rest import ROUTE, TERMINAL, CallRecord, TwilioStandin, Webhook

log = logging.getLogger(__name__)
DEMO = re.compile(r"/demo/calls(?:/([^/]+)(?:/(answer|press|hangup|dial))?)?")
PICK_UP = "/demo/pick-up"
PICK_UP_SECONDS = 60.0  # an Accept before the phone rings (a callback's customer answers)
RINGING = ("queued", "ringing")
PLAYED_OUT = {"Say", "Play", "Pause", "Hangup"}  # a document of only these ends the call


class DemoTwilio(TwilioStandin):
    """The stand-in, its webhooks sent over loopback to the app `up` runs."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: dict[str, str] = {}  # the last TwiML each call got
        self.rooms = Rooms()
        self._over: set[str] = set()  # calls whose end was reported
        self._picking_up: dict[str, float] = {}  # phone -> until when its next call is answered
        self._timers: list[threading.Timer] = []

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        super().stop()

    def respond(self, method: str, path: str, auth: str, form: MultiDict) -> Reply | None:
        demo = DEMO.fullmatch(path)
        if demo:
            return self._demo(method, demo[1], demo[2], form)
        if path == PICK_UP and method == "POST":
            return self._pick_up(form.get("To", ""))
        route = ROUTE.fullmatch(path)
        if route and route[2] == "Calls" and route[3]:
            with self._lock:
                known = route[3] in self._calls
            if not known:  # a simulated caller's call: Twilio would know it
                self.incoming_call(route[3], "+15005550006", "+15005550001")
        return super().respond(method, path, auth, form)

    def _demo(self, method: str, sid: str | None, action: str | None,
              form: MultiDict) -> Reply:
        if sid is None:
            return (200, {"calls": self.placed()}) if method == "GET" else \
                error(405, 20004, "Method not allowed")
        if action == "dial" and method == "POST":
            self.incoming_call(sid, form.get("From", ""), form.get("To", ""),
                               form.get("StatusCallback", ""))
            return 201, {"sid": sid}
        with self._lock:
            known = self._calls.get(sid)
            if known is None:
                return error(404, 20404, f"no call {sid}")
            if action is None:
                return 200, {"sid": sid, "status": known.resource["status"],
                             "twiml": self.heard.get(sid, "")}
            if action == "answer" and known.resource["status"] not in RINGING:
                return error(409, 21220, f"call {sid} is not ringing")
        digits = form.get("Digits", "")
        steps = {"answer": lambda: self._keep(sid, self.answer(sid)),
                 "press": lambda: self._press(sid, digits),
                 "hangup": lambda: self.hang_up(sid)}
        self._later(steps[action])
        return 202, {"sid": sid, "action": action}

    def _pick_up(self, phone: str) -> Reply:
        """Answer the call ringing `phone`, or the next one placed to it soon; a phone whose
        latest call is answered already is left alone."""
        with self._lock:
            latest = next((c.resource for c in reversed(self._calls.values())
                           if c.resource["to"] == phone), {"status": ""})
            if latest["status"] == "in-progress":
                return 200, {"to": phone, "picked_up": ""}
            ringing = latest["sid"] if latest["status"] in RINGING else ""
            if not ringing:
                self._picking_up[phone] = time.monotonic() + PICK_UP_SECONDS
        if ringing:
            self._later(lambda: self._keep(ringing, self.answer(ringing)))
        return 200, {"to": phone, "picked_up": ringing}

    def _create_call(self, form: MultiDict) -> Reply:
        """Placed as Twilio places it; not answered within its Timeout, it ends no-answer
        (picked up at once if its phone's person said so: _pick_up)."""
        status, created = super()._create_call(form)
        if status == 201 and self._picking_up.pop(created["to"], 0) > time.monotonic():
            sid = created["sid"]
            self._later(lambda: self._keep(sid, self.answer(sid)))
        elif status == 201:
            timer = threading.Timer(float(form.get("Timeout") or 60), self._later,
                                    args=(lambda: self._ring_out(created["sid"]),))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        return status, created

    def _ring_out(self, sid: str) -> None:
        with self._lock:
            if self._calls[sid].resource["status"] not in RINGING or sid in self._over:
                return
            self._over.add(sid)
        self.fail_call(sid, "no-answer")

    def hang_up(self, sid: str, duration: int = 30) -> Webhook | None:
        """The call ends, once: it leaves its room first (which may end the room for the
        others), then its status callback hears the end."""
        with self._lock:
            if sid in self._over:
                return None
            self._over.add(sid)
            resource = self._calls[sid].resource
            if resource["status"] not in TERMINAL:
                resource.update(status="completed", end_time=rfc2822_now())
        self._leaves_room(sid)
        return super().hang_up(sid, duration)

    def _leaves_room(self, sid: str) -> None:
        for seat in self.rooms.leave(sid):
            self._dial_over(seat)

    def _dial_over(self, seat: Seat) -> None:
        """The room ended under this call: its `<Dial>` goes on as Twilio's does."""
        twiml = self._dial_action(seat) if seat.dial.get("action") else seat.next_twiml()
        if twiml:
            self._keep(seat.sid, twiml)
        else:
            self.hang_up(seat.sid, seat.seconds)

    def _update_call(self, call: CallRecord, form: MultiDict) -> Reply:
        """Twilio's call update: new TwiML plays at once on a live call; a Status ends it, and
        its status callback hears so."""
        status, updated = super()._update_call(call, form)
        sid = call.resource["sid"]
        if status != 200:
            return status, updated
        if form.get("Status"):
            self._later(lambda: self.hang_up(sid))
        elif (form.get("Url") or form.get("Twiml")) and updated["status"] not in RINGING:
            self._later(lambda: self._moved(sid))
        return status, updated

    def _moved(self, sid: str) -> None:
        """A call update: the new TwiML plays at once. A call in a `<Dial>` leaves it, and
        Twilio requests that `<Dial>`'s action, playing nothing of its answer (Twilio's
        changelog, "Changes to <Dial> behavior", 2021-05-24)."""
        seat = self.rooms.seat(sid)
        if seat is not None and seat.dial.get("action"):
            self._dial_action(seat)
        self._keep(sid, self.fetch_twiml(sid))

    def _dial_action(self, seat: Seat) -> str:
        """The call's `<Dial>` is over: its `action` URL, requested signed; what it answers."""
        with self._lock:
            call = self._calls[seat.sid]
            params = self._params(call) | {"DialCallStatus": "completed",
                                           "DialCallDuration": str(seat.seconds)}
        return self._post(urljoin(call.url, seat.dial.get("action", "")), params).body

    def _later(self, step: Any) -> None:
        """Off the request's thread: the webhooks it sends may need the worker that asked."""
        threading.Thread(target=self._quietly, args=(step,), daemon=True).start()

    def placed(self) -> list[dict[str, Any]]:
        """The calls the app placed, newest first, each with the words it hears now, the
        room it is in ("" if none) and whether it talks there or waits."""
        return [{"sid": c["sid"], "to": c["to"], "status": c["status"],
                 "url": self._calls[c["sid"]].url, "hears": _words(self.heard.get(c["sid"])),
                 "asks": "<Gather" in self.heard.get(c["sid"], "")}
                | dict(zip(("room", "talking"), self.rooms.where(c["sid"]), strict=True))
                for c in reversed(self.created_calls)]

    def _keep(self, sid: str, twiml: str) -> None:
        """The call plays new TwiML: it leaves the room it was in, joins the one the TwiML
        names, or ends if the TwiML plays out with nothing to wait for. Whoever sees the new
        TwiML sees the call in its room; a call over meanwhile plays nothing."""
        self._leaves_room(sid)
        seat = seat_in(sid, twiml)
        with self._lock:
            if sid in self._over:
                return
            if seat is not None:
                self.rooms.join(seat)
            self.heard[sid] = twiml
        if seat is None and {verb.tag for verb in ET.fromstring(twiml)} <= PLAYED_OUT:
            self.hang_up(sid)

    def _press(self, sid: str, digits: str) -> None:
        """Answer the question the callee hears: post the keys to its Gather's action."""
        twiml = self.heard.get(sid, "")
        gather = ET.fromstring(twiml).find("Gather") if twiml else None
        if gather is None:
            return
        params = self._params(self._calls[sid]) | {"Digits": digits}
        hook = self._post(urljoin(self._calls[sid].url, gather.get("action", "")), params)
        self._keep(sid, hook.body)

    @staticmethod
    def _quietly(step: Any) -> None:
        try:
            step()
        except Exception:  # the call moved on meanwhile; the console shows where it is
            log.exception("demo line: that step did not happen")


def _words(twiml: str | None) -> str:
    """What a callee is told in a TwiML document, as one line."""
    if not twiml:
        return ""
    return " ".join(e.text or "" for e in ET.fromstring(twiml).iter("Say"))
