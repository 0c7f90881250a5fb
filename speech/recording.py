"""Download a call recording from Twilio, waiting briefly while it is not there yet."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

RETRY_EVERY = 0.1  # seconds between asks while Twilio answers 404 (not stored yet)


class RecordingUnavailable(Exception):
    """The recording could not be had before the deadline; the message says why."""


def is_twilio(url: str) -> bool:
    """Whether `url` is on twilio.com over HTTPS: the only place our credentials go."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com"))


def download(session: requests.Session, url: str, auth: tuple[str, str], deadline: float,
             clock: Callable[[], float] = time.monotonic) -> bytes:
    """The recording as WAV bytes; raises RecordingUnavailable by `deadline` (clock time)."""
    wav_url = url if url.endswith(".wav") else url + ".wav"
    while True:
        left = deadline - clock()
        if left <= 0:
            raise RecordingUnavailable(f"{wav_url} was not available in time")
        try:
            got = session.get(wav_url, auth=auth, timeout=left)
        except requests.RequestException as exc:
            raise RecordingUnavailable(f"{wav_url}: {exc}") from exc
        if got.status_code == 200:
            return got.content
        if got.status_code != 404:
            raise RecordingUnavailable(f"{wav_url} answered {got.status_code}")
        time.sleep(max(0.0, min(RETRY_EVERY, deadline - clock())))


class TwilioRecordings:
    """Fetches the recordings Twilio names in RecordingUrl, with the account's credentials."""

    def __init__(self, account_sid: str, auth_token: str, api_base: str = ""):
        self.auth = (account_sid, auth_token)
        self.api_base = api_base.rstrip("/")  # a stand-in or proxy: same paths, another host
        self.session = requests.Session()
        self.session.trust_env = not self.api_base  # a stand-in on 127.0.0.1 needs no proxy

    def __call__(self, url: str, deadline: float) -> bytes:
        """The recording at a Twilio RecordingUrl, by `deadline` (time.monotonic)."""
        if not is_twilio(url):
            raise RecordingUnavailable(f"{url} is not a Twilio address; recordings come from "
                                       "https://api.twilio.com")
        if self.api_base:
            url = self.api_base + urlsplit(url).path
        return download(self.session, url, self.auth, deadline)
