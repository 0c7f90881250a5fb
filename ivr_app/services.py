"""The collaborators the web app and the workers share, built once per process.

A container only: what is done with them lives in the module whose job it is (putting a
caller in line: call/queueing.py; a call's flow version: the flow registry; URLs Twilio
fetches: platform/telephony.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import redis
import rq
from flask import current_app
from twilio.rest import Client

from ivr_app.flow.registry import FlowRegistry
from ivr_app.platform.breaker import Breaker
from ivr_app.platform.clock import Clock, utc_now
from ivr_app.platform.redis_client import connect
from ivr_app.platform.telephony import client_from_config
from ivr_app.state.agents import Roster
from ivr_app.state.callbacks import Callbacks
from ivr_app.state.calls import CallStore
from ivr_app.state.flows import LastGoodFlows
from ivr_app.state.queues import Queues
from ivr_app.state.remembered import Remembered
from ivr_app.state.texts import Texts
from ivr_app.state.wait_stats import WaitStats
from speech.listen import Listener
from speech.models import model_dirs
from speech.recording import TwilioRecordings
from speech.vosk_recognizer import VoskRecognizer


@dataclass
class Services:
    """Settings, Redis, the flow registry and clock, and the stores and clients built on them
    when first used."""

    config: Mapping[str, Any]
    redis: redis.Redis  # decode_responses=True
    registry: FlowRegistry
    clock: Clock = utc_now
    breaker: Breaker = field(default_factory=Breaker)  # every Redis command of the process

    @cached_property
    def store(self) -> CallStore:
        return CallStore(self.redis, wait_replicas=self.config["REDIS_WAIT_REPLICAS"],
                         wait_ms=self.config["REDIS_WAIT_MS"])

    @cached_property
    def roster(self) -> Roster:
        return Roster(self.redis)

    @cached_property
    def callbacks(self) -> Callbacks:
        return Callbacks(self.redis)

    @cached_property
    def remembered(self) -> Remembered:
        return Remembered(self.redis, self.config["CALLER_HASH_KEY"])

    @cached_property
    def texts(self) -> Texts:
        return Texts(self.redis, self.remembered.digest)

    @cached_property
    def queues(self) -> Queues:
        return Queues(self.redis)

    @cached_property
    def jobs(self) -> rq.Queue:
        """The RQ queue for background work; RQ needs a connection that does not decode."""
        raw = connect(self.config, self.breaker, decode_responses=False)
        return rq.Queue("default", connection=raw)

    @cached_property
    def recognizer(self) -> VoskRecognizer:
        """Speech recognition for the languages whose Vosk model is configured (config.py)."""
        return VoskRecognizer(model_dirs(self.config))

    @cached_property
    def listener(self) -> Listener:
        """Recordings to what callers said, within SPEECH_BUDGET_SECONDS."""
        fetch = TwilioRecordings(self.config["TWILIO_ACCOUNT_SID"],
                                 self.config["TWILIO_AUTH_TOKEN"], self.config["TWILIO_API_BASE"])
        return Listener(self.recognizer, fetch, self.config["SPEECH_BUDGET_SECONDS"])

    @cached_property
    def twilio(self) -> Client:
        """Twilio's REST client, for calling agents and redirecting live calls."""
        return client_from_config(self.config)

    @cached_property
    def wait_stats(self) -> WaitStats:
        return WaitStats(self.redis, self.clock, self.config["DEFAULT_HANDLE_SECONDS"],
                         self.config["WRAP_UP_SECONDS"])

    def close(self) -> None:
        """Close this process's Redis connections (tests build many apps)."""
        self.redis.close()
        if "listener" in self.__dict__:
            self.listener.close()
        if "jobs" in self.__dict__:
            self.jobs.connection.close()


def build_services(config: Mapping[str, Any], connection: redis.Redis | None = None,
                   clock: Clock = utc_now) -> Services:
    """Services for one process, from settings (see config.py)."""
    breaker = Breaker(config["REDIS_COOLDOWN_SECONDS"])
    if connection is None:
        connection = connect(config, breaker)
    registry = FlowRegistry(config["FLOWS_DIR"], config["FLOW_CHECK_SECONDS"],
                            keeper=LastGoodFlows(connection))
    return Services(config, connection, registry, clock, breaker)


def services() -> Services:
    """The current app's services (set by create_app); the app itself, not an attribute
    read through the `current_app` proxy, which first misses the proxy's own (every step)."""
    return current_app._get_current_object().extensions["ivr"]  # type: ignore[attr-defined]
