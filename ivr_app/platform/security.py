"""Refuse webhook requests that Twilio did not sign."""

from __future__ import annotations

import base64
import functools
import hmac
from collections.abc import Callable
from hashlib import sha1, sha256
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, request
from werkzeug.datastructures import MultiDict

HOST_HEADER_NOTICE = """\
*** PUBLIC_BASE_URL is not set: Twilio's signatures are checked against the address each
*** request names in its own Host header (and X-Forwarded-* with TRUSTED_PROXIES). Set
*** PUBLIC_BASE_URL=https://your-host so that only the address Twilio calls is trusted."""


def signed_url() -> str:
    """The URL Twilio requested, as Twilio saw it.

    Behind a proxy or tunnel Flask sees another scheme, host or port than the
    one Twilio signed, so a configured PUBLIC_BASE_URL wins; otherwise the URL
    Flask sees, which honours X-Forwarded-* only from TRUSTED_PROXIES hops. The query
    is taken as sent: Flask's request.url decodes "%D9%A0", which Twilio signed encoded.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or request.root_url
    query = request.query_string.decode()
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def signature(token: str, url: str, params: MultiDict[str, str]) -> str:
    """Twilio's signature: HMAC-SHA1 of the URL and the sorted form fields, in base64."""
    signed = url + "".join(name + value for name in sorted(params)
                           for value in sorted(set(params.getlist(name))))
    mac = hmac.new(token.encode(), signed.encode(), sha1)
    return base64.b64encode(mac.digest()).decode()


def _other_port_form(url: str) -> str:
    """The same URL with its default port written out, or left out if it was written.

    Twilio may sign either form (twilio.request_validator checks both).
    """
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    if parts.port:
        netloc = parts.netloc[:len(parts.netloc) - len(host)] + host.rsplit(":", 1)[0]
    else:
        netloc = f"{parts.netloc}:{443 if parts.scheme in ('https', 'wss') else 80}"
    return parts._replace(netloc=netloc).geturl()


def valid_signature(token: str, url: str, params: MultiDict[str, str], given: str) -> bool:
    """Whether `given` signs this request, in constant time; the URL as received is tried
    first, so a good request costs one HMAC."""
    given_bytes = given.encode()
    return any(hmac.compare_digest(signature(token, candidate, params).encode(), given_bytes)
               for candidate in (url, _other_port_form(url)))


STREAM_PROOF = "proof"  # the <Stream> <Parameter> that binds a media stream to its call


def stream_proof(token: str, sid: str) -> str:
    """What a call's media stream must show in `start.customParameters`: Twilio signs the
    stream's handshake over its URL alone, so the same signature would open any call's
    stream; this HMAC of the CallSid, keyed with the auth token, opens only that call's."""
    return hmac.new(token.encode(), f"stream:{sid}".encode(), sha256).hexdigest()


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 403 unless X-Twilio-Signature matches this request and our auth token."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        if token:
            given = request.headers.get("X-Twilio-Signature", "")
            if not given or not valid_signature(token, signed_url(), request.form, given):
                abort(403)
        elif not current_app.config.get("INSECURE_DEV"):
            abort(403)
        return view(*args, **kwargs)

    return checked
