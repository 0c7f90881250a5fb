"""The Twilio REST client, built from config, optionally pointed at a stand-in or a proxy."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

DEFAULT_TIMEOUT = 10.0  # seconds per connect and per read, as requests counts them
# What moving a live call needs: Twilio's credentials, and a base URL Twilio can fetch ours at.
REST_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")

# Client() falls back to os.environ for credentials, edge and region it is not given, even
# when handed an empty mapping (`environment or os.environ`). A non-empty mapping keeps the
# config the only source.
_NO_ENVIRONMENT = {"TWILIO_EDGE": "", "TWILIO_REGION": ""}
# The library logs each request's URL, query, headers and the response's headers at INFO:
# account and call ids, and whatever a proxy adds. Only its warnings are kept.
HTTP_LOG = "twilio.http_client"


class RebasedHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that sends every request for a *.twilio.com host to `api_base`.

    The path and query are kept, so `https://api.twilio.com/2010-04-01/...` becomes
    `{api_base}/2010-04-01/...`. The library's timeout, logging and auth are unchanged.
    """

    def __init__(self, api_base: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_base = _checked_base(api_base)
        if self.session is not None:
            # The base was chosen on purpose: HTTP(S)_PROXY from the environment must not
            # reroute it (a stand-in on 127.0.0.1 would otherwise go through the proxy).
            self.session.trust_env = False

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, rebase(url, self.api_base), *args, **kwargs)


def rebase(url: str, base: SplitResult) -> str:
    """`url` moved onto `base` if its host is twilio.com or one of its subdomains."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "twilio.com" and not host.endswith(".twilio.com"):
        return url
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def make_client(account_sid: str, auth_token: str, api_base: str = "",
                timeout: float = DEFAULT_TIMEOUT) -> Client:
    """A Twilio REST client; with `api_base`, requests go there instead of *.twilio.com."""
    if not account_sid or not auth_token:
        raise ValueError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must both be set to use "
                         "Twilio's REST API (calls, redirects, SMS)")
    logging.getLogger(HTTP_LOG).setLevel(logging.WARNING)
    if api_base:
        http_client: TwilioHttpClient = RebasedHttpClient(api_base, timeout=timeout)
    else:
        http_client = TwilioHttpClient(timeout=timeout)
    return Client(account_sid, auth_token, http_client=http_client,
                  environment=_NO_ENVIRONMENT)


def client_from_config(config: Mapping[str, Any]) -> Client:
    """make_client from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_API_BASE, TWILIO_TIMEOUT."""
    return make_client(config.get("TWILIO_ACCOUNT_SID", ""), config.get("TWILIO_AUTH_TOKEN", ""),
                       config.get("TWILIO_API_BASE", ""),
                       float(config.get("TWILIO_TIMEOUT") or DEFAULT_TIMEOUT))


def missing_for_rest(config: Mapping[str, Any], *also: str) -> list[str]:
    """Which settings moving calls through Twilio needs (and `also`) are empty: what stops us
    asking Twilio to ring someone or redirect a call."""
    return [name for name in (*REST_SETTINGS, *also) if not config[name]]


def public_url(config: Mapping[str, Any], path: str) -> str:
    """An absolute URL Twilio can fetch (REST calls need them); needs PUBLIC_BASE_URL."""
    base = config["PUBLIC_BASE_URL"]
    if not base:
        raise RuntimeError("PUBLIC_BASE_URL is not set: Twilio cannot be given URLs of "
                           "this app to fetch when it calls agents")
    return base.rstrip("/") + path


def _checked_base(api_base: str) -> SplitResult:
    base = urlsplit(api_base)
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        raise ValueError(f"TWILIO_API_BASE must look like http://127.0.0.1:8765 (scheme, host, "
                         f"port, optional path), got {api_base!r}")
    return base
