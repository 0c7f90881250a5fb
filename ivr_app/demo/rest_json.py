"""What Twilio's REST API looks like on the wire, for the stand-in in twilio_rest.py: the
HTTP handler, the fields of a Calls or Messages resource, and Twilio's error body."""

from __future__ import annotations

import datetime as dt
import json
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import MultiDict

VERSION = "2010-04-01"
Reply = tuple[int, dict[str, Any]]


class Handler(BaseHTTPRequestHandler):
    def _serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        url = urlsplit(self.path)
        standin = self.server.standin  # type: ignore[attr-defined]
        auth = self.headers.get("Authorization", "")
        if standin.recordings is not None and "/Recordings/" in url.path:
            status, wav, _ = standin.recordings.answer(url.path, auth)
            self._send(status, "audio/x-wav", wav)
            return
        form = body if self.command == "POST" else url.query  # a list's filters: the query
        reply = standin.respond(self.command, url.path, auth,
                                MultiDict(parse_qsl(form, keep_blank_values=True)))
        if reply is not None:
            self._send(reply[0], "application/json", json.dumps(reply[1]).encode())

    def _send(self, status: int, kind: str, data: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting (a timeout test)

    do_GET = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: TwilioStandin.requests has it all


def resource(account_sid: str, kind: str, sid: str) -> dict[str, Any]:
    """The fields every Calls and Messages resource has."""
    now = rfc2822_now()
    uri = f"/{VERSION}/Accounts/{account_sid}/{kind}/{sid}"
    sub = "recordings" if kind == "Calls" else "media"
    return {"sid": sid, "account_sid": account_sid, "api_version": VERSION, "status": "queued",
            "direction": "outbound-api", "price": None, "price_unit": "USD",
            "date_created": now, "date_updated": now, "uri": uri + ".json",
            "subresource_uris": {sub: f"{uri}/{sub.title()}.json"}}


def error(status: int, code: int, message: str) -> Reply:
    """Twilio's error body; without 'type' and 'title', twilio-python raises TwilioRestException."""
    return status, {"code": code, "message": message, "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}


def rfc2822_now() -> str:
    return format_datetime(dt.datetime.now(dt.UTC))
