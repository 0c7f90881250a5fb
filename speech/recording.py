"""Download a call recording from Twilio's API, waiting briefly while it is not there yet.

The address is built from the recording's sid and our account, never taken from a URL a
request carries: the account's credentials go with every download, so they only ever go
to Twilio's API host (or the TWILIO_API_BASE the operator set), over the path Twilio
documents for a recording's audio.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import requests

RETRY_EVERY = 0.1  # seconds between asks while Twilio answers 404 (not stored yet)
TWILIO_API = "https://api.twilio.com"
_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


class RecordingUnavailable(Exception):
    """The recording could not be had before the deadline; the message says why."""


def is_recording_sid(text: str) -> bool:
    return bool(_RECORDING_SID.fullmatch(text))


def recording_url(account_sid: str, recording_sid: str, api_base: str = TWILIO_API) -> str:
    """Where Twilio's API serves a recording of this account (add .wav for the audio)."""
    if not is_recording_sid(recording_sid):
        raise ValueError(f"{recording_sid[:40]!r} is not a recording sid (RE and 32 hex digits)")
    return f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Recordings/{recording_sid}"


def download(session: requests.Session, wav_url: str, auth: tuple[str, str], deadline: float,
             clock: Callable[[], float] = time.monotonic) -> bytes:
    """The recording as WAV bytes; raises RecordingUnavailable by `deadline` (clock time)."""
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
    """Fetches recordings by sid from Twilio's API (or `api_base`), with the account's
    credentials."""

    def __init__(self, account_sid: str, auth_token: str, api_base: str = ""):
        self.auth = (account_sid, auth_token)
        self.api_base = api_base.rstrip("/")  # a stand-in or proxy: same paths, another host
        self.session = requests.Session()
        self.session.trust_env = not self.api_base  # a stand-in on 127.0.0.1 needs no proxy

    def __call__(self, recording_sid: str, deadline: float) -> bytes:
        """The recording `recording_sid` as WAV bytes, by `deadline` (time.monotonic)."""
        try:
            url = recording_url(self.auth[0], recording_sid, self.api_base or TWILIO_API)
        except ValueError as exc:
            raise RecordingUnavailable(str(exc)) from exc
        return download(self.session, url + ".wav", self.auth, deadline)
