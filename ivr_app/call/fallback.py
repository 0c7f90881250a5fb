"""When our own code or Redis fails while a caller is on the line, they still reach a person.

`human_on_error` answers any failure of a webhook with TwiML that puts the caller in
Twilio's queue for a person (or dials the fallback number). Twilio then holds them,
but only our own line rings agents: so the caller is also lined up in it, with the
reason "our error" and the time they really arrived. If Redis is what failed, that
waits in this process until Redis answers again (the next request that reaches it),
and at the latest happens when Twilio next asks the wait URL for them (line/holding.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import redis
from flask import Flask, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from ivr_app.call import dialog, engine, twiml
from ivr_app.call.queueing import dispatch_soon
from ivr_app.call.turn import REASON_ERROR
from ivr_app.flow.model import Flow
from ivr_app.services import Services, services
from ivr_app.state.callbacks import UnknownCallback
from ivr_app.state.calls import UnknownStep

log = logging.getLogger(__name__)
_CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
PENDING_KEPT = 1000  # callers waiting to be lined up in one process, at most
# The app's callers a fallback sent to Twilio's queue while Redis was down, not yet in our
# line: (sid, form, arrived), oldest first. init_app keeps them in app.extensions.
PENDING = "ivr.pending_line_ups"
Pending = deque[tuple[str, dict[str, str], dt.datetime]]


class NotACall(LookupError):
    """A signed request without a CallSid: answered (a person), never refused with a 4xx."""


# Failures we understand and log in one line; anything else is a bug: its traceback is kept.
KNOWN_FAILURES = (redis.RedisError, UnknownStep, NotACall, UnknownCallback)


def is_call_sid(text: str) -> bool:
    """Whether `text` is a CallSid as Twilio writes them (CA and 32 hex digits, nothing else)."""
    return bool(_CALL_SID.fullmatch(text))


def xml(twiml_body: str | object) -> Response:
    """A TwiML answer as Twilio expects it."""
    return Response(str(twiml_body), mimetype="text/xml")


def answer_on_error(answer: Callable[[Services, str], Response],
                    what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A webhook decorator: any failure of ours is logged in one place and answered by
    `answer(services, call sid)`; `what` says in the log what the caller got instead."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except HTTPException:
                raise
            except Exception as exc:
                sid = request.form.get("CallSid", "?")
                ivr = services()
                if isinstance(exc, KNOWN_FAILURES):
                    log.warning("call %s: %s failed (%s); %s", sid, request.path, exc, what)
                else:
                    log.exception("call %s: %s failed; %s", sid, request.path, what)
                return answer(ivr, sid)

        return guarded

    return decorate


def _to_person(ivr: Services, sid: str) -> Response:
    config = current_app.config
    flow = ivr.registry.last_good(config["IVR_FLOW"])
    line_up_after_error(ivr, sid, request.form, flow, ivr.clock())
    return xml(twiml.to_human_fallback(flow, config["FALLBACK_QUEUE"], config["FALLBACK_NUMBER"]))


human_on_error = answer_on_error(_to_person, "the caller goes to a person")
# Twilio's reports (call status): dropped, and repaired later by the cron jobs and the
# callback reconciler, which ask Twilio what they missed.
noted_on_error = answer_on_error(lambda ivr, sid: Response(status=204),
                                 "the report is dropped; the cron jobs repair what it changes")


def say_and_hang_up(ivr: Services, words: Mapping[str, str]) -> Response:
    """Words in the flow's first language (the call's own is in Redis, out of reach)."""
    flow = ivr.registry.last_good(current_app.config["IVR_FLOW"])
    response = VoiceResponse()
    if flow is not None and flow.default_language in words:
        dialog.say(response, flow, flow.default_language, words[flow.default_language])
    else:
        response.say(words.get("en", next(iter(words.values()))), language="en-US")
    response.hangup()
    return xml(response)


def line_up_after_error(ivr: Services, sid: str, form: Mapping[str, str], flow: Flow | None,
                        arrived: dt.datetime) -> None:
    """Put a caller our fallback sent to Twilio's queue in our own line, now or later."""
    if not is_call_sid(sid):
        return
    try:
        line_up(ivr, sid, form, flow, arrived)
    except Exception as exc:  # Redis too: Twilio's queue holds them; we try again later
        log.warning("call %s: not lined up yet (%s); will be when Redis answers", sid, exc)
        pending: Pending = current_app.extensions[PENDING]
        if len(pending) < PENDING_KEPT:
            pending.append((sid, dict(form), arrived))


def line_up(ivr: Services, sid: str, form: Mapping[str, str], flow: Flow | None,
            arrived: dt.datetime, queue: str = "") -> bool:
    """Join the line at the caller's real arrival time; False if they are in it already.

    A call we have state for keeps it (the agent sees its path); one we never knew gets a
    state that says it reached a person through our error.
    """
    if ivr.queues.waiter(sid) is not None:
        return False
    _, state = ivr.store.load(sid)
    outcome = (state or {}).get("outcome") or {}
    queue = queue or outcome.get("queue") or \
        (flow.human.queue if flow else current_app.config["FALLBACK_QUEUE"])
    reason = outcome.get("reason") if outcome.get("type") == "human" else REASON_ERROR
    if state is None:
        state = engine.new_state(flow, form, arrived) if flow else \
            {"sid": sid, "from": form.get("From", ""), "lang": "", "vars": {}, "path": []}
        state["outcome"] = {"type": "human", "queue": queue, "reason": reason,
                            "at": arrived.isoformat(timespec="seconds")}
        ivr.store.commit(sid, state, "")
    ivr.queues.join(sid, queue, state.get("lang", ""), reason, arrived,
                    place=ivr.queues.place_at(arrived))
    dispatch_soon(ivr, queue)
    log.info("call %s: lined up in %s (%s), arrived %s", sid, queue, reason,
             arrived.isoformat(timespec="seconds"))
    return True


def init_app(app: Flask, ivr: Services) -> None:
    """Keep the app's callers not yet lined up, and line them up before the next request
    once Redis answers again."""
    pending: Pending = deque()
    app.extensions[PENDING] = pending

    @app.before_request
    def line_up_pending() -> None:
        if pending:
            flush_pending(ivr, pending, ivr.registry.last_good(app.config["IVR_FLOW"]))


def flush_pending(ivr: Services, pending: Pending, flow: Flow | None) -> None:
    """Line up the callers this process could not, now that Redis may answer again."""
    while pending and not ivr.breaker.is_open:
        sid, form, arrived = pending[0]
        try:
            line_up(ivr, sid, form, flow, arrived)
        except Exception as exc:
            log.warning("call %s: still not lined up (%s)", sid, exc)
            return
        pending.popleft()
