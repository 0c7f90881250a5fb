"""The collaborators a running app uses, built once and handed to the views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import current_app

from .registry import FlowRegistry
from .state import CallStore

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    redis: redis.Redis
    registry: FlowRegistry
    store: CallStore
    clock: Clock = utc_now


def services() -> Services:
    """The current app's services (set by create_app)."""
    return current_app.extensions["ivr"]
