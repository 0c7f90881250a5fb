"""Settings: every environment variable the app reads, declared once with its type, default
and meaning, and read from the environment into a plain mapping.

Only this module (and the entry points) read the environment; the app, the views and the
workers receive a plain mapping. docs/configuration.md is generated from the declarations
(`python -m ivr_app settings --markdown`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class Settings(BaseSettings):
    """The line's settings, each an environment variable of the same name."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True)

    REDIS_URL: str = Field("redis://127.0.0.1:6379/0", description=(
        "Redis for call state and the job queue. `up` starts one locally when it does not "
        "answer."))
    REDIS_SENTINELS: str = Field("", description=(
        "`host:port,host:port,...` of Redis Sentinels; when set it wins over `REDIS_URL`, and "
        "every process follows the master they name."))
    REDIS_SENTINEL_MASTER: str = Field("", description=(
        "The master's name in the sentinels' configuration."))
    REDIS_PASSWORD: str = Field("", description=(
        "With Sentinel: the password of the master and replicas."))
    REDIS_DB: int = Field(0, description="With Sentinel: the database number.")
    REDIS_TIMEOUT: float = Field(1.0, description=(
        "Seconds a Redis command may take before the caller is put through to a person."))
    REDIS_COOLDOWN_SECONDS: float = Field(0.5, description=(
        "After a Redis failure, one request tries Redis again this often (the others answer "
        "from fallbacks meanwhile), so a process serves normally again within about this "
        "long of Redis, or the master Sentinel names, answering."))
    REDIS_WAIT_REPLICAS: int = Field(0, description=(
        "Each step's commit waits until this many replicas have it (Redis `WAIT`), so a step "
        "a caller heard survives the master's host dying; 0: not at all (`docs/capacity.md` "
        "weighs what it saves and costs)."))
    REDIS_WAIT_MS: int = Field(50, description=(
        "The longest a commit waits for those replicas; the step goes on either way."))
    TWILIO_ACCOUNT_SID: str = Field("", description=(
        "Your Twilio account (`AC...`), for what the app asks of Twilio's REST API."))
    TWILIO_AUTH_TOKEN: str = Field("", description=(
        "Checks the `X-Twilio-Signature` of every webhook. Without it every webhook is "
        "refused, unless `IVR_INSECURE_DEV=1`."))
    TWILIO_API_BASE: str = Field("", description=(
        "Another address for Twilio's REST API (a proxy); the tests point it at a local "
        "stand-in."))
    TWILIO_TIMEOUT: float = Field(10.0, description=(
        "Seconds per connect and per read of a REST request."))
    TWILIO_CALLER_ID: str = Field("", description=(
        "Your Twilio number; agents see it when the line rings them, and callback texts "
        "come from it."))
    MAX_CONTENT_LENGTH: int = Field(64 * 1024, description=(
        "Largest request body in bytes: Twilio's webhooks are a few KB, anything much larger "
        "is refused (413) before parsing."))
    LOG_LEVEL: str = Field("INFO", description=(
        "One line per webhook at `INFO` (`ivr_app.access`); `WARNING` hides them."))
    FLOWS_DIR: str = Field("flows", description="Folder of flow files.")
    IVR_FLOW: str = Field("main", description=(
        "The flow that answers calls: `FLOWS_DIR/IVR_FLOW.yaml`."))
    PUBLIC_BASE_URL: str = Field("", description=(
        "The address Twilio calls, e.g. `https://ivr.example.com`; signatures are checked "
        "against it, and Twilio is given URLs on it. Needed behind a proxy or tunnel. Without "
        "it signatures are checked against the Host header each request brings, and the app "
        "and `up` say so loudly at start."))
    TRUSTED_PROXIES: int = Field(0, description=(
        "How many proxy hops in front of the app may set `X-Forwarded-*` headers; 0 ignores "
        "them."))
    INSECURE_DEV: bool = Field(False, validation_alias="IVR_INSECURE_DEV", description=(
        "`1` accepts unsigned webhooks, for development only; the app warns loudly. `up` "
        "sets it when there is no token."))
    FALLBACK_QUEUE: str = Field("support", description=(
        "Queue for callers when the app itself fails and no flow can be loaded."))
    FALLBACK_NUMBER: str = Field("", description=(
        "A phone number (E.164, e.g. `+5215512345678`) to dial when the human queue fails, "
        "unless the flow sets `human.fallback_number`."))
    TEST_CALLERS: str = Field("", description=(
        "Numbers (E.164, comma-separated) of your own test phones. Their calls go through the "
        "line as any call, but are left out of the wait statistics and `/api/queues`, so "
        "testing never skews the estimates real callers hear, are never remembered as a "
        "customer's earlier call, and count in no survey or repeat-call figure. `simulate` "
        "adds its own number (not one given with `--from`)."))
    REPEAT_WINDOW_HOURS: int = Field(72, description=(
        "A call from the same number within this many hours of an earlier one counts "
        "against that call's first-contact resolution on the metrics (`/api/metrics`, the "
        "console). Test calls count neither way."))
    FLOW_CHECK_SECONDS: float = Field(1.0, description=(
        "How often, at most, the flow file is looked at for edits."))
    PORT: int = Field(8000, description="Port of the web process (`up --port` wins).")
    AGENTS_FILE: str = Field("", description=(
        "A YAML roster added to Redis at start; agents already there keep their edits. "
        "`up` and `lint` use `ivr_app/demo/agents.yaml` without it."))
    CALLER_HASH_KEY: str = Field("", description=(
        "Keys the hash of caller numbers kept with remembered calls; empty: one is made once "
        "and kept in Redis."))
    AGENT_API_TOKEN: str = Field("", description=(
        "Bearer token of the agent and supervisor API (`/api/...`). Unset: the API answers "
        "403."))
    AGENT_RING_SECONDS: int = Field(20, description=(
        "How long an agent's phone rings before the next agent is tried."))
    WRAP_UP_SECONDS: int = Field(30, description=(
        "After a call, how long an agent rests before the next one."))
    WAIT_ANNOUNCE_SECONDS: int = Field(60, description=(
        "How often a waiting caller hears their place and estimated wait."))
    DEFAULT_HANDLE_SECONDS: int = Field(300, description=(
        "Talk time assumed per queue until 5 calls have been measured (wrap-up: "
        "`WRAP_UP_SECONDS` until 5 are measured)."))
    VOSK_MODELS_DIR: str = Field("", description=(
        "One Vosk model folder per language (`es`, `en`, ...). Empty: no speech (`up`, `lint` "
        "and `simulate` use `var/models`)."))
    VOSK_MODEL_ES: str = Field("", description=(
        "A Spanish model folder elsewhere; wins over `VOSK_MODELS_DIR/es`."))
    VOSK_MODEL_EN: str = Field("", description=(
        "An English model folder elsewhere; wins over `VOSK_MODELS_DIR/en`."))
    SPEECH_BUDGET_SECONDS: float = Field(3.0, description=(
        "Time for a speech step, from the recording's end to our answer (download and "
        "recognition); then the caller is asked to use keys."))
    STREAM_URL: str = Field("", description=(
        "The stream server's public `wss://` address (e.g. `wss://ivr.example.com/stream`): "
        "each call's first answer starts a Media Stream to it, and callers can answer by "
        "speaking over the prompts. Empty: spoken answers are recorded after each prompt."))
    STREAM_MAX: int = Field(20, description=(
        "Live streams one stream server hears at once; more are refused (HTTP 503) and those "
        "calls record spoken answers after the prompt."))
    HOLD_MUSIC_URL: str = Field(
        "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3", description=(
            "Music between announcements; a clip of a minute or less keeps announcements on "
            "time."))
    SECRET_KEY: str = Field("", description=(
        "Signs console sessions. Unset: a random key is made once and kept in Redis, so every "
        "web process agrees."))
    TWILIO_DEMO: str = Field("", description=(
        "`1` when `up` plays Twilio itself (no account): the console lists the calls the line "
        "placed."))

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what from_env hands in: never the process's environment behind its back."""
        return (init_settings,)


class SettingsError(ValueError):
    """Environment variables whose values do not fit their declared type."""


class _Variables(EnvSettingsSource):
    """Environment variables from a mapping (the process's, or one a test hands in)."""

    def __init__(self, variables: Mapping[str, str]):
        self.variables = variables
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name: value for name, value in self.variables.items() if value}


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings that (non-empty) environment variables give, typed; SettingsError names
    every variable whose value is not of its type, and what was expected."""
    given = _Variables(os.environ if environ is None else environ)()
    try:
        read = Settings(**given)
    except ValidationError as exc:
        raise SettingsError("settings from the environment are not valid:\n" + "\n".join(
            f"  {error['loc'][0]}={error['input']!r}: {error['msg']}"
            for error in exc.errors())) from None
    return read.model_dump(include=read.model_fields_set)


_PAGE = """# Configuration

Every setting is an environment variable, read once when a process starts. A value that does
not fit its type stops the process with an error naming the variable and what was expected;
an empty one counts as unset.

This page is made from the declarations in `ivr_app/platform/config.py`
(`python -m ivr_app settings --markdown > docs/configuration.md`), and a test keeps it so.

"""
_TYPES: dict[Any, str] = {str: "text", int: "integer", float: "number", bool: "`1` or `0`"}


def markdown() -> str:
    """docs/configuration.md: the settings table, made from the declarations above."""
    rows = [f"| `{field.validation_alias or name}` | {_TYPES[field.annotation]} | "
            f"{_shown(field.default)} | {field.description} |"
            for name, field in Settings.model_fields.items()]
    return _PAGE + "\n".join(["| Variable | Type | Default | Meaning |", "|---|---|---|---|",
                              *rows]) + "\n"


def _shown(default: Any) -> str:
    if isinstance(default, bool):
        return f"`{int(default)}`"
    return f"`{default}`" if default != "" else ""


def defaults() -> dict[str, Any]:
    """Every setting at its default."""
    return Settings().model_dump()


def settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults with `overrides` on top; with None, the environment's settings."""
    return {**defaults(), **(from_env() if overrides is None else overrides)}


def settings_command(as_markdown: bool) -> int:
    """`settings`: check the environment's settings (1 if any is not valid), or print
    docs/configuration.md."""
    if as_markdown:
        print(markdown(), end="")
        return 0
    try:
        given = from_env()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"settings ok: {len(given)} set by the environment, the rest at their defaults")
    return 0
