"""Refuse webhook requests that Twilio did not sign."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator


def signed_url() -> str:
    """The URL Twilio requested, as Twilio saw it.

    Behind a proxy or tunnel Flask sees another scheme, host or port than the
    one Twilio signed, so a configured PUBLIC_BASE_URL wins; otherwise the URL
    Flask sees, which honours X-Forwarded-* only from TRUSTED_PROXIES hops.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        return request.url
    query = request.query_string.decode()
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 403 unless X-Twilio-Signature matches this request and our auth token."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        if token:
            signature = request.headers.get("X-Twilio-Signature", "")
            if not signature or not RequestValidator(token).validate(
                    signed_url(), request.form, signature):
                abort(403)
        elif not current_app.config.get("INSECURE_DEV"):
            abort(403)
        return view(*args, **kwargs)

    return checked
