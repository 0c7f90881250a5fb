"""Twilio played by `up` when there is no Twilio account: the calls the line places (ringing
an agent, calling a customer back) exist here, and the console shows them and answers for
their callee, so a newcomer can walk a whole call end to end.

It is the tests' REST stand-in (twilio_rest.py) plus what a person on those calls does,
asked for over HTTP by the console or by `simulate`, and what Twilio itself does on its own
time (docs/demo-twilio.md says which of Twilio's pages each follows):

    GET  /demo/calls                       the calls placed, newest first, with what they hear
    GET  /demo/calls/<sid>                 one call: its status and the TwiML it plays now
    POST /demo/calls/<sid>/dial            a simulated caller's call comes in (From, To,
                                           StatusCallback): the REST API can move it now
    POST /demo/calls/<sid>/answer          the callee picks up (Twilio fetches the call's TwiML)
    POST /demo/calls/<sid>/press  Digits=1 keys for the question they hear (its <Gather>)
    POST /demo/calls/<sid>/hangup          the callee hangs up (Twilio reports the end)

and, as Twilio does: a call placed and not answered within its Timeout ends `no-answer`; a
call update with Url or Twiml plays the new TwiML at once (the caller leaves <Enqueue>); a
call update with Status ends the call and reports it to its status callback; a call that
hangs up ends its conference (endConferenceOnExit), and each other call in it whose <Dial>
has an action goes on to what the action answers (a flow's survey).

Each action runs on its own thread and answers 202 at once: the webhooks it sends may need
the very web worker that asked. Inbound calls the console's "Try a call" makes never went
through Twilio, so a call it does not know is taken for one of those.
"""

from __future__ import annotations

import logging
import re
import threading
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

from werkzeug.datastructures import MultiDict

from ivr_app.demo.rest_json import Reply, error
from ivr_app.demo.twilio_rest import ROUTE, CallRecord, TwilioStandin, Webhook

log = logging.getLogger(__name__)
DEMO = re.compile(r"/demo/calls(?:/([^/]+)(?:/(answer|press|hangup|dial))?)?")
RINGING = ("queued", "ringing")


class DemoTwilio(TwilioStandin):
    """The stand-in, its webhooks sent over loopback to the app `up` runs."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: dict[str, str] = {}  # the last TwiML each call got
        self._timers: list[threading.Timer] = []

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        super().stop()

    def respond(self, method: str, path: str, auth: str, form: MultiDict) -> Reply | None:
        demo = DEMO.fullmatch(path)
        if demo:
            return self._demo(method, demo[1], demo[2], form)
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
        digits = form.get("Digits", "")
        steps = {"answer": lambda: self._keep(sid, self.answer(sid)),
                 "press": lambda: self._press(sid, digits),
                 "hangup": lambda: self.hang_up(sid)}
        self._later(steps[action])
        return 202, {"sid": sid, "action": action}

    def _create_call(self, form: MultiDict) -> Reply:
        """Placed as Twilio places it; not answered within its Timeout, it ends no-answer."""
        status, created = super()._create_call(form)
        if status == 201:
            timer = threading.Timer(float(form.get("Timeout") or 60), self._later,
                                    args=(lambda: self._ring_out(created["sid"]),))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        return status, created

    def hang_up(self, sid: str, duration: int = 30) -> Webhook | None:
        """The call ends (its final callback), and with it the conference it was in."""
        ended = super().hang_up(sid, duration)
        room = _room(self.heard.get(sid))
        for other, twiml in list(self.heard.items()) if room else ():
            dial = ET.fromstring(twiml).find("Dial")
            if other == sid or _room(twiml) != room or dial is None or not dial.get("action"):
                continue
            params = self._params(self._calls[other]) | {"DialCallStatus": "completed"}
            self._keep(other, self._post(urljoin(self._calls[other].url, dial.get("action", "")),
                                         params).body)
        return ended

    def _ring_out(self, sid: str) -> None:
        if self.call(sid)["status"] in RINGING:
            self.fail_call(sid, "no-answer")

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
            self._later(lambda: self._keep(sid, self.fetch_twiml(sid)))
        return status, updated

    def _later(self, step: Any) -> None:
        """Off the request's thread: the webhooks it sends may need the worker that asked."""
        threading.Thread(target=self._quietly, args=(step,), daemon=True).start()

    def placed(self) -> list[dict[str, Any]]:
        """The calls the app placed, newest first, each with the words it hears now."""
        return [{"sid": c["sid"], "to": c["to"], "status": c["status"],
                 "url": self._calls[c["sid"]].url, "hears": _words(self.heard.get(c["sid"])),
                 "asks": "<Gather" in self.heard.get(c["sid"], "")}
                for c in reversed(self.created_calls)]

    def _keep(self, sid: str, twiml: str) -> None:
        self.heard[sid] = twiml

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


def _room(twiml: str | None) -> str:
    """The conference a TwiML document puts its call in ("" if none)."""
    found = ET.fromstring(twiml).find("Dial/Conference") if twiml else None
    return (found.text or "").strip() if found is not None else ""


def _words(twiml: str | None) -> str:
    """What a callee hears in a TwiML document, as one line."""
    if not twiml:
        return ""
    root = ET.fromstring(twiml)
    said = [e.text or "" for e in root.iter("Say")]
    rooms = [e.text or "" for e in root.iter("Conference")]
    return " ".join(said + [f"[conference {room}]" for room in rooms])
