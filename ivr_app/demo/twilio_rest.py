"""A stand-in for Twilio's REST API (2010-04-01 Calls and Messages) on 127.0.0.1, for tests.

It records every request, can be told to fail or hang, and does what Twilio does once a
call exists (status callbacks, fetching the call's TwiML, signed as Twilio signs them) only
when a test asks, so tests stay deterministic.

    standin = TwilioStandin(app=flask_app).start()  # or the `twilio_standin` fixture
    sid = client_from_config(standin.config()).calls.create(to=A, from_=B, url=U).sid
    twiml = standin.answer(sid)  # ringing and answered callbacks, then the TwiML at U
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from ivr_app.demo.recordings import RecordingServer
from ivr_app.demo.rest_json import VERSION, Handler, Reply, error, resource, rfc2822_now

ACCOUNT_SID = "AC" + "5a" * 16
AUTH_TOKEN = "standin-auth-token-0123456789abc"
ROUTE = re.compile(r"/2010-04-01/Accounts/([^/]+)/(Calls|Messages)(?:/([^/]+))?\.json")
TERMINAL = ("completed", "busy", "no-answer", "failed", "canceled")
EVENT_OF = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
OPT_OUT = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT")
CALL_NULLS = ("parent_call_sid", "phone_number_sid", "start_time", "end_time", "duration",
              "answered_by", "forwarded_from", "group_sid", "caller_name", "trunk_sid")


@dataclass(frozen=True)
class Recorded:
    """A request the stand-in received; `form` keeps repeated keys (form.getlist)."""
    method: str
    path: str
    form: MultiDict
    at: float  # time.monotonic()


@dataclass(frozen=True)
class Webhook:
    """A request the stand-in made to the app, as Twilio would, and the app's answer."""
    url: str
    params: dict[str, str]
    signature: str
    status: int
    body: str


@dataclass
class CallRecord:
    """A call the stand-in knows: its resource, TwiML source, status callback and events."""
    resource: dict[str, Any]
    url: str
    twiml: str
    callback: str
    events: list[str]
    amd: bool
    sequence: int = 0


@dataclass
class _Fault:
    remaining: int
    path: str
    status: int
    hang: float


class TwilioStandin:
    """Twilio's REST API for calls and SMS, on a free port of 127.0.0.1."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN,
                 app: Flask | None = None, recordings: RecordingServer | None = None) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.app = app  # webhooks go to this app in-process; None: over HTTP, loopback only
        self.recordings = recordings  # also serves these recordings, as Twilio's API does
        self.webhooks: list[Webhook] = []
        self._requests: list[Recorded] = []
        self._calls: dict[str, CallRecord] = {}
        self._messages: dict[str, dict[str, Any]] = {}
        self._opted_out: set[str] = set()  # numbers that texted an opt-out word
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.standin = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"  # bound already

    def start(self) -> TwilioStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes requests told to hang
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def config(self) -> dict[str, str]:
        """The app settings that point its REST client here."""
        return {"TWILIO_ACCOUNT_SID": self.account_sid, "TWILIO_AUTH_TOKEN": self.auth_token,
                "TWILIO_API_BASE": self.url}

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def call(self, sid: str) -> dict[str, Any]:
        """The call resource as a fetch would return it now."""
        with self._lock:
            return dict(self._calls[sid].resource)

    @property
    def created_calls(self) -> list[dict[str, Any]]:
        """The calls created through the REST API, oldest first."""
        with self._lock:
            return [dict(c.resource) for c in self._calls.values()
                    if c.resource["direction"] == "outbound-api"]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The texts sent through the REST API, oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages.values()]

    def text_in(self, from_: str, to: str, body: str, url: str) -> Webhook:
        """A person texts the line: the message webhook at `url`, signed. As Twilio does on a
        long code, an opt-out word stops every later text to them (START lets them again)."""
        word = body.strip().upper()
        with self._lock:
            if word in OPT_OUT:
                self._opted_out.add(from_)
            elif word in ("START", "YES", "UNSTOP"):
                self._opted_out.discard(from_)
        return self._post(url, {"AccountSid": self.account_sid, "ApiVersion": VERSION,
                                "MessageSid": "SM" + secrets.token_hex(16), "From": from_,
                                "To": to, "Body": body, "NumMedia": "0"})

    def incoming_call(self, sid: str, from_: str, to: str, status_callback: str = "") -> None:
        """A call that came in to the app (a simulated caller): the REST API can now reach it."""
        with self._lock:
            resource = self._callresource(sid, to, from_, "inbound")
            resource.update(status="in-progress", start_time=resource["date_created"])
            self._calls[sid] = CallRecord(resource, "", "", status_callback, ["completed"], False)

    def fail_next(self, count: int = 1, status: int = 500, path: str = "") -> None:
        """Answer the next `count` requests whose path contains `path` with HTTP `status`."""
        with self._lock:
            self._faults.append(_Fault(count, path, status, hang=0.0))

    def hang_next(self, seconds: float, count: int = 1, path: str = "") -> None:
        """Hold the next `count` matching requests for `seconds` before answering."""
        with self._lock:
            self._faults.append(_Fault(count, path, 0, hang=seconds))

    # -- what Twilio does once a call exists ---------------------------------------------

    def answer(self, sid: str, answered_by: str = "human") -> str:
        """The callee picks up: ringing and answered callbacks, then the call's TwiML."""
        self._not_yet_connected(sid, "answer")
        self._progress(sid, "ringing")
        self._progress(sid, "in-progress", start_time=rfc2822_now(), answered_by=answered_by)
        return self.fetch_twiml(sid)

    def fetch_twiml(self, sid: str) -> str:
        """The call's TwiML: its Twiml, or what its Url answers (as after a redirect)."""
        with self._lock:
            call = self._calls[sid]
            twiml, url, params = call.twiml, call.url, self._params(call)
        if twiml or not url:
            assert twiml, f"call {sid} has no Url or Twiml: redirect it through the REST API"
            return twiml
        hook = self._post(url, params)
        assert hook.status == 200, f"{url} answered {hook.status}: {hook.body[:300]}"
        return hook.body

    def hang_up(self, sid: str, duration: int = 30) -> Webhook | None:
        """The call ends (or, ended through the REST API, reports it): the final callback."""
        status = self.call(sid)["status"]
        final = status if status in TERMINAL else "completed"
        return self._progress(sid, final, end_time=rfc2822_now(), duration=str(duration))

    def hang_up_quietly(self, sid: str) -> None:
        """The call ends but its final status callback is lost on the way."""
        with self._lock:
            self._calls[sid].resource.update(status="completed", end_time=rfc2822_now())

    def fail_call(self, sid: str, status: str = "no-answer") -> Webhook | None:
        """The call never connects: busy, no-answer, failed or canceled."""
        if status not in TERMINAL[1:]:
            raise ValueError(f"fail_call status must be one of {TERMINAL[1:]}, got {status!r}")
        self._not_yet_connected(sid, "fail")
        if status in ("busy", "no-answer"):
            self._progress(sid, "ringing")
        return self._progress(sid, status, end_time=rfc2822_now(), duration="0")

    def _not_yet_connected(self, sid: str, verb: str) -> None:
        status = self.call(sid)["status"]
        if status not in ("queued", "ringing"):
            raise ValueError(f"call {sid} is {status}: only a queued call can {verb}")

    def _progress(self, sid: str, status: str, **fields: Any) -> Webhook | None:
        with self._lock:
            call = self._calls[sid]
            if not call.amd:
                fields.pop("answered_by", None)
            call.resource.update(status=status, date_updated=rfc2822_now(), **fields)
            if not call.callback or EVENT_OF.get(status, "completed") not in call.events:
                return None
            params = self._params(call) | {"CallbackSource": "call-progress-events",
                                           "SequenceNumber": str(call.sequence),
                                           "Timestamp": rfc2822_now()}
            if status in TERMINAL:
                params["CallDuration"] = fields["duration"]
            call.sequence += 1
            url = call.callback
        return self._post(url, params)

    def _params(self, call: CallRecord) -> dict[str, str]:
        r = call.resource
        params = {"AccountSid": self.account_sid, "ApiVersion": VERSION, "CallSid": r["sid"],
                  "CallStatus": r["status"], "Called": r["to"], "Caller": r["from"],
                  "Direction": r["direction"], "From": r["from"], "To": r["to"]}
        return params | ({"AnsweredBy": r["answered_by"]} if r["answered_by"] else {})

    def _post(self, url: str, params: dict[str, str]) -> Webhook:
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature}
        parts = urlsplit(url)
        if self.app is not None:
            got = self.app.test_client().post(
                parts.path + (f"?{parts.query}" if parts.query else ""), data=params,
                base_url=f"{parts.scheme}://{parts.netloc}", headers=headers)
            status, body = got.status_code, got.get_data(as_text=True)
        elif parts.hostname in ("127.0.0.1", "localhost"):
            with requests.Session() as session:
                session.trust_env = False  # never through a proxy: traffic stays on loopback
                sent = session.post(url, data=params, headers=headers, timeout=15,
                                    allow_redirects=False)
            status, body = sent.status_code, sent.text
        else:
            raise ValueError(f"webhook URL {url} is not on 127.0.0.1: give the stand-in the "
                             "Flask app (TwilioStandin(app=...)) to deliver it in-process")
        self.webhooks.append(Webhook(url, params, signature, status, body))
        return self.webhooks[-1]

    # -- the REST API, answered on the server's threads ------------------------------------

    def respond(self, method: str, path: str, auth: str, form: MultiDict) -> Reply | None:
        with self._lock:
            self._requests.append(Recorded(method, path, form, time.monotonic()))
            fault = next((f for f in self._faults if f.remaining and f.path in path), None)
            if fault:
                fault.remaining -= 1
        if fault and fault.hang and self._stopping.wait(fault.hang):
            return None  # stopping: leave it unanswered
        if fault and not fault.hang:
            return error(fault.status, 20000 + fault.status, "Injected failure")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if auth != f"Basic {expected}":
            return error(401, 20003, "Authenticate")
        route = ROUTE.fullmatch(path)
        if not route or route[1] != self.account_sid:
            return error(404, 20404, f"The requested resource {path} was not found")
        kind, sid = route[2], route[3]
        with self._lock:
            if sid is None and method == "POST":
                return self._create_call(form) if kind == "Calls" else self._create_message(form)
            if sid is None and kind == "Calls":
                return self._list_calls(path, form)
            found = (self._calls if kind == "Calls" else self._messages).get(sid or "")
            if found is None or method not in ("GET", "POST"):
                return error(404, 20404, f"The requested resource {path} was not found")
            if isinstance(found, CallRecord):
                return self._update_call(found, form) if method == "POST" else (200, found.resource)
            return 200, found

    def _list_calls(self, path: str, form: MultiDict) -> Reply:
        """Calls, newest first, filtered by To like Twilio's list (one page is enough here)."""
        calls = [c.resource for c in reversed(self._calls.values())
                 if "To" not in form or c.resource["to"] == form["To"]]
        return 200, {"calls": calls, "uri": path, "first_page_uri": path, "page": 0,
                     "page_size": len(calls), "next_page_uri": None,
                     "previous_page_uri": None, "start": 0, "end": len(calls)}

    def _create_call(self, form: MultiDict) -> Reply:
        for name, code in (("To", 21201), ("From", 21213)):
            if not form.get(name):
                return error(400, code, f"No '{name}' number is specified")
        if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
            return error(400, 21205, "Url parameter is required.")
        resource = self._callresource("CA" + secrets.token_hex(16), form["To"], form["From"],
                                       "outbound-api")
        self._calls[resource["sid"]] = CallRecord(
            resource, form.get("Url", ""), form.get("Twiml", ""), form.get("StatusCallback", ""),
            events=form.getlist("StatusCallbackEvent") or ["completed"],
            amd=bool(form.get("MachineDetection")))
        return 201, resource

    def _callresource(self, sid: str, to: str, from_: str, direction: str) -> dict[str, Any]:
        return resource(self.account_sid, "Calls", sid) | dict.fromkeys(CALL_NULLS) | {
            "to": to, "to_formatted": to, "from": from_, "from_formatted": from_,
            "direction": direction, "queue_time": "0"}

    def _update_call(self, call: CallRecord, form: MultiDict) -> Reply:
        if call.resource["status"] in TERMINAL:
            return error(400, 21220, "Call is not in-progress. Cannot redirect.")
        if form.get("Url") or form.get("Twiml"):
            call.url, call.twiml = form.get("Url", call.url), form.get("Twiml", "")
        call.callback = form.get("StatusCallback", call.callback)
        if form.get("Status"):
            call.resource.update(status=form["Status"], end_time=rfc2822_now())
        call.resource["date_updated"] = rfc2822_now()
        return 200, call.resource

    def _create_message(self, form: MultiDict) -> Reply:
        if not form.get("To"):
            return error(400, 21604, "A 'To' phone number is required.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return error(400, 21602, "Message body is required.")
        if form["To"] in self._opted_out:
            return error(400, 21610, "Attempt to send to unsubscribed recipient")
        message = resource(self.account_sid, "Messages", "SM" + secrets.token_hex(16)) | {
            "to": form["To"], "from": form.get("From"), "body": form.get("Body", ""),
            "messaging_service_sid": form.get("MessagingServiceSid"), "num_segments": "1",
            "num_media": str(len(form.getlist("MediaUrl"))), "date_sent": None,
            "error_code": None, "error_message": None}
        self._messages[message["sid"]] = message
        return 201, message
