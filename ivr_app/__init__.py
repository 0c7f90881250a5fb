"""An IVR with an escape hatch: YAML call flows answering Twilio voice webhooks."""

from __future__ import annotations

import logging
from typing import Any

import redis
import yaml
from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import get_content_length

from ivr_app.api import agents, metrics
from ivr_app.call import fallback, heard, voice
from ivr_app.callbacks import dialog as callback_dialog
from ivr_app.callbacks import offer, placing, replies, returning
from ivr_app.console import init_console
from ivr_app.flow.errors import FlowError
from ivr_app.line import agent_leg, holding, remembered
from ivr_app.platform import logs
from ivr_app.platform.clock import Clock, utc_now
from ivr_app.platform.config import settings
from ivr_app.platform.security import HOST_HEADER_NOTICE
from ivr_app.services import build_services
from ivr_app.survey import questions as survey

log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None, *, connection: redis.Redis | None = None,
               clock: Clock = utc_now, typed_speech: bool = False) -> Flask:
    """Build the app; with no `config`, settings come from the environment (config.py).

    A `connection` handed in must use decode_responses=True. `typed_speech` builds it for
    the simulator, which types what a caller says (SpeechResult); an app on the phone line
    hears callers only from their recordings, and ignores SpeechResult.
    """
    app = Flask(__name__)
    app.config.from_mapping(settings(config))
    logs.configure(app.config["LOG_LEVEL"])  # under gunicorn: nothing else configures it

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
    elif not app.config["PUBLIC_BASE_URL"]:
        log.warning("\n%s", HOST_HEADER_NOTICE)

    ivr = build_services(app.config, connection, clock)
    try:
        ivr.registry.current(app.config["IVR_FLOW"])
    except FlowError as exc:
        log.error("flow %r cannot answer calls; callers go straight to a person until it "
                  "is fixed:\n%s", app.config["IVR_FLOW"], exc)
    app.extensions["ivr"] = ivr
    app.extensions[voice.TYPED_SPEECH] = typed_speech
    if app.config["AGENTS_FILE"]:
        try:
            added = ivr.roster.seed(app.config["AGENTS_FILE"])
            log.info("roster: %d agent(s) added from %s", added, app.config["AGENTS_FILE"])
        except (OSError, ValueError, yaml.YAMLError, redis.RedisError) as exc:
            log.error("roster file %s not loaded: %s", app.config["AGENTS_FILE"], exc)

    heard.report_speech(ivr, app.config["IVR_FLOW"])
    # A pending callback first (the caller may want it now), then a call we remember.
    greeters: list[voice.Greeter] = [returning.greeting, remembered.greeting]
    app.extensions[voice.GREETERS] = greeters
    # When a caller's call ends: the agent ringing or talking lets go, an offer half-chosen
    # is dropped.
    enders: list[voice.Ender] = [agent_leg.let_go, callback_dialog.let_go]
    app.extensions[voice.ENDERS] = enders
    for blueprint in (voice.bp, heard.bp, holding.bp, agent_leg.bp, agents.bp, metrics.bp,
                      placing.bp, offer.bp, returning.bp, remembered.bp, replies.bp,
                      survey.bp):
        app.register_blueprint(blueprint)
    init_console(app)

    logs.init_app(app)  # first of the hooks, so its line is written after the others ran

    webhook_limit = app.config["MAX_CONTENT_LENGTH"]  # no page lowers it (a flow's raises it)

    @app.before_request
    def refuse_large_bodies() -> None:
        """Webhooks are a few KB: a larger body is refused before anything parses it (the
        length read as Request.content_length reads it, from the environ: its headers' view
        raises and catches a KeyError for the Transfer-Encoding a webhook never has). The
        request is read once, not through the proxy; only a body over the webhooks' limit
        asks for the request's own, which a page may raise."""
        req = request._get_current_object()  # type: ignore[attr-defined]
        env = req.environ
        length = get_content_length(env.get("CONTENT_LENGTH"), env.get("HTTP_TRANSFER_ENCODING"))
        if length and length > webhook_limit and length > req.max_content_length:
            abort(413)

    fallback.init_app(app, ivr)  # callers sent to Twilio's queue while Redis was down

    @app.get("/health")
    def health() -> tuple[dict[str, Any], int]:
        """200 when calls can take their full path; 503 (with what is wrong) when not."""
        try:
            redis_ok = bool(ivr.redis.ping())
        except redis.RedisError:
            redis_ok = False
        flow_ok = ivr.registry.last_good(app.config["IVR_FLOW"]) is not None
        return {"redis": redis_ok, "flow": flow_ok}, 200 if redis_ok and flow_ok else 503

    return app
