"""An IVR with an escape hatch: YAML call flows answering Twilio voice webhooks."""

from __future__ import annotations

import logging
import os
from typing import Any

import redis
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .flow.errors import FlowError
from .registry import FlowRegistry
from .services import Clock, Services, utc_now
from .state import CallStore

log = logging.getLogger(__name__)

_FROM_ENV = ("REDIS_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "FLOWS_DIR", "IVR_FLOW",
             "PUBLIC_BASE_URL", "FALLBACK_QUEUE", "FALLBACK_NUMBER")


def config_from_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings from environment variables; views never read the environment themselves."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {k: env[k] for k in _FROM_ENV if env.get(k)}
    if env.get("TRUSTED_PROXIES"):
        config["TRUSTED_PROXIES"] = int(env["TRUSTED_PROXIES"])
    if env.get("IVR_INSECURE_DEV") == "1":
        config["INSECURE_DEV"] = True
    return config


def create_app(config: dict[str, Any] | None = None, *, connection: redis.Redis | None = None,
               clock: Clock = utc_now) -> Flask:
    """Build the app; with no `config`, settings come from the environment."""
    app = Flask(__name__)
    app.config.from_mapping(
        REDIS_URL="redis://127.0.0.1:6379/0",
        TWILIO_ACCOUNT_SID="",
        TWILIO_AUTH_TOKEN="",
        FLOWS_DIR="flows",
        IVR_FLOW="main",
        PUBLIC_BASE_URL="",
        TRUSTED_PROXIES=0,
        INSECURE_DEV=False,
        FALLBACK_QUEUE="support",
        FALLBACK_NUMBER="",
        FLOW_CHECK_SECONDS=1.0,
    )
    app.config.update(config_from_env() if config is None else config)

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)
    if not app.config["TWILIO_AUTH_TOKEN"]:
        if app.config["INSECURE_DEV"]:
            log.warning("!" * 72 + "\nTWILIO_AUTH_TOKEN is not set and IVR_INSECURE_DEV=1: "
                        "webhook signatures are NOT checked.\nAnyone can drive calls. Never "
                        "run like this on a public address.\n" + "!" * 72)
        else:
            log.error("TWILIO_AUTH_TOKEN is not set: every webhook will be refused (403). "
                      "Set it, or IVR_INSECURE_DEV=1 for local development.")

    if connection is None:
        connection = redis.Redis.from_url(app.config["REDIS_URL"], decode_responses=True,
                                          socket_timeout=2, socket_connect_timeout=2)
    registry = FlowRegistry(app.config["FLOWS_DIR"], app.config["FLOW_CHECK_SECONDS"])
    try:
        registry.current(app.config["IVR_FLOW"])
    except FlowError as exc:
        log.error("flow %r cannot answer calls; callers go straight to a person until it "
                  "is fixed:\n%s", app.config["IVR_FLOW"], exc)
    app.extensions["ivr"] = Services(connection, registry, CallStore(connection), clock)

    from . import voice

    app.register_blueprint(voice.bp)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"redis": bool(connection.ping()),
                "flow": registry.last_good(app.config["IVR_FLOW"]) is not None}

    return app
