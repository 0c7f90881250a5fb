"""Settings: defaults, and how environment variables override them.

Only this module (and the entry points) read the environment; the app, the
views and the workers receive a plain mapping.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # Redis Sentinel, which wins over REDIS_URL: "host:port,host:port" and the master's name.
    "REDIS_SENTINELS": "",
    "REDIS_SENTINEL_MASTER": "",
    "REDIS_PASSWORD": "",  # with Sentinel: the password of the master and replicas
    "REDIS_DB": 0,  # with Sentinel: the database number
    "REDIS_TIMEOUT": 1.0,  # seconds a Redis command may take before the caller goes to a person
    "REDIS_COOLDOWN_SECONDS": 5.0,  # after a Redis failure, fail fast for this long
    # Each step's commit waits until this many replicas have it (Redis WAIT), at most
    # REDIS_WAIT_MS; 0: not at all (docs/capacity.md: what a master's death loses without it).
    "REDIS_WAIT_REPLICAS": 0,
    "REDIS_WAIT_MS": 50,
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_API_BASE": "",  # another address for Twilio's REST API (a proxy, or a test stand-in)
    "TWILIO_TIMEOUT": 10.0,  # seconds per connect and per read of a REST request
    "TWILIO_CALLER_ID": "",  # the number agents see when the line rings them
    # Twilio's webhooks are a few KB: anything much larger is refused (413) before parsing.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "LOG_LEVEL": "INFO",  # one line per webhook at INFO (ivr_app.access); WARNING hides them
    "FLOWS_DIR": "flows",
    "IVR_FLOW": "main",
    "PUBLIC_BASE_URL": "",
    "TRUSTED_PROXIES": 0,
    "INSECURE_DEV": False,
    "FALLBACK_QUEUE": "support",
    "FALLBACK_NUMBER": "",
    "TEST_CALLERS": "",  # numbers (E.164, comma-separated) whose calls are tests: no statistics
    "FLOW_CHECK_SECONDS": 1.0,
    "AGENTS_FILE": "",  # YAML roster added to Redis at start (agents already there are kept)
    "CALLER_HASH_KEY": "",  # keys the hash of caller numbers (empty: one kept in Redis)
    "AGENT_API_TOKEN": "",  # bearer token of the agent and supervisor API
    "AGENT_RING_SECONDS": 20,
    "WRAP_UP_SECONDS": 30,
    "WAIT_ANNOUNCE_SECONDS": 60,
    "DEFAULT_HANDLE_SECONDS": 300,
    "VOSK_MODELS_DIR": "",  # one Vosk model per language in <dir>/<lang>; empty: no speech
    "VOSK_MODEL_ES": "",  # a Spanish model elsewhere (wins over VOSK_MODELS_DIR/es)
    "VOSK_MODEL_EN": "",
    "SPEECH_BUDGET_SECONDS": 3.0,  # recording's end to our answer; then the caller uses keys
    "SPEECH_MIN_CONFIDENCE": 0.5,  # least word confidence to act on what was recognised
    # The stream server's wss:// address (call/stream.py, signed as Twilio signs it); empty: no
    # media streams, spoken answers are recorded after each prompt.
    "STREAM_URL": "",
    "STREAM_MAX": 20,  # concurrent streams one stream server hears; more are refused (README)
    "HOLD_MUSIC_URL": "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
    "SECRET_KEY": "",  # signs console sessions; empty: one kept in Redis, shared by every process
    "TWILIO_DEMO": "",  # "1" when `up` plays Twilio itself (no account); the console shows it
}

def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings that environment variables give; IVR_INSECURE_DEV=1 for INSECURE_DEV."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        if env.get(name) and not isinstance(default, bool):
            config[name] = type(default)(env[name])  # int and float settings are numbers
    if env.get("IVR_INSECURE_DEV") == "1":
        config["INSECURE_DEV"] = True
    return config


def settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults with `overrides` on top; with None, the environment's settings."""
    return {**DEFAULTS, **(from_env() if overrides is None else overrides)}
