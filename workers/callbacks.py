"""Jobs that keep callback promises: bring one into line when due, and reconcile."""

from __future__ import annotations

import datetime as dt
import logging

from rq.job import Job
from twilio.base.exceptions import TwilioException

from ivr_app.callbacks import placing
from ivr_app.services import Services
from ivr_app.state.callbacks import Callback
from workers import context
from workers.routing import dispatch

log = logging.getLogger(__name__)
LOST_AFTER = dt.timedelta(seconds=60)  # a step that should take a second, still pending
STALE_CALL = dt.timedelta(minutes=5)  # an outbound call with no report for this long
LIVE_JOB_STATES = ("queued", "scheduled", "started", "deferred")


def callback_due(callback_id: str) -> bool:
    """A chosen slot or the next try has come: the callback joins the line at its place."""
    ivr = context.current()
    callback = ivr.callbacks.get(callback_id)
    return callback is not None and placing.bring_into_line(ivr, callback)


def reconcile() -> dict[str, int]:
    """Find every callback whose record says a job or a call should exist and make it so."""
    ivr = context.current()
    return reconcile_with(ivr)


def reconcile_with(ivr: Services) -> dict[str, int]:
    """The reconciler's work on given services; counts what it repaired, by kind."""
    now = ivr.clock()
    repaired = {"brought_into_line": 0, "rescheduled": 0, "rejoined": 0, "calls_resolved": 0}
    queues: set[str] = set()
    for callback in ivr.callbacks.active():
        queues.add(callback.queue)
        if callback.state in ("requested", "retry-wait"):
            due = dt.datetime.fromisoformat(callback.due_at) if callback.due_at else now
            if due <= now - LOST_AFTER or (due <= now and not _job_alive(ivr, callback)):
                repaired["brought_into_line"] += placing.bring_into_line(ivr, callback)
            elif due > now and not _job_alive(ivr, callback):
                placing.schedule(ivr, callback.id, due, callback.attempts)
                repaired["rescheduled"] += 1
        elif callback.state == "waiting":
            if ivr.queues.position(callback.queue, callback.id) is None:
                ivr.queues.join(callback.id, callback.queue, callback.lang, callback.reason,
                                now, place=callback.place)
                repaired["rejoined"] += 1
        elif callback.state == "dialing":
            repaired["calls_resolved"] += _resolve_dialing(ivr, callback, now)
        elif callback.state == "connected":
            repaired["calls_resolved"] += _resolve_connected(ivr, callback, now)
    for queue in queues:
        dispatch(ivr, queue)
    if any(repaired.values()):
        log.warning("callback reconciler repaired %s", repaired)
    return repaired


def _job_alive(ivr: Services, callback: Callback) -> bool:
    job_id = f"callback-{callback.id}-{callback.attempts}"
    try:
        return Job.fetch(job_id, connection=ivr.jobs.connection).get_status() in LIVE_JOB_STATES
    except Exception:  # no such job (lost, or never made)
        return False


def _resolve_dialing(ivr: Services, callback: Callback, now: dt.datetime) -> int:
    """A try whose outcome never arrived: ask Twilio what became of its call."""
    updated = dt.datetime.fromisoformat(callback.updated)
    if callback.call_sid:
        if now - updated < STALE_CALL:
            return 0
        status = _status_now(ivr, callback)
        if status in placing.FINISHED:
            placing.not_reached(ivr, callback, f"{status} (found by the reconciler)")
            return 1
        return 0
    if now - updated < LOST_AFTER:
        return 0
    marker = ivr.callbacks.attempt_marker(callback.id, callback.attempts)
    placed = _find_placed_call(ivr, callback, marker)
    if placed is None:
        return 0  # ask again next time
    if placed:
        ivr.callbacks.set_fields(callback.id, call_sid=placed)
        ivr.callbacks.record_attempt_call(callback.id, callback.attempts, placed)
        return 1
    # Never placed (the worker died first, or Twilio never got the request): try again.
    ivr.callbacks.forget_attempt(callback.id, callback.attempts)
    ivr.roster.follow(callback.agent, callback.id, "withdrawn", now)
    ivr.queues.clear_offer(callback.id, callback.agent)
    ivr.callbacks.move(callback.id, ("dialing",), "waiting", now, note="try was never placed",
                       attempts=callback.attempts - 1, agent="")
    ivr.queues.join(callback.id, callback.queue, callback.lang, callback.reason, now,
                    place=callback.place)
    return 1


def _resolve_connected(ivr: Services, callback: Callback, now: dt.datetime) -> int:
    """A call whose end was never reported: once Twilio says it is over, it is completed."""
    if not callback.call_sid or now - dt.datetime.fromisoformat(callback.updated) < STALE_CALL:
        return 0
    if _status_now(ivr, callback) not in placing.FINISHED:
        return 0
    ivr.callbacks.move(callback.id, ("connected",), "completed", now,
                       note="its end was found by the reconciler")
    ivr.queues.leave(callback.id)
    return 1


def _status_now(ivr: Services, callback: Callback) -> str:
    """The status Twilio gives the try's call now; "" if Twilio cannot tell us now (ask
    again next pass: one callback never stops the others' repairs)."""
    try:
        return ivr.twilio.calls(callback.call_sid).fetch().status
    except (TwilioException, OSError):
        log.exception("callback %s: cannot ask Twilio about call %s", callback.id,
                      callback.call_sid)
        return ""


def _find_placed_call(ivr: Services, callback: Callback, marker: str | None) -> str | None:
    """This try's call sid: from its marker, or from Twilio's calls to the number since the
    try began; "" if there is none, None if Twilio cannot tell us now."""
    if not marker or marker.startswith("CA"):
        return marker or ""
    since = dt.datetime.fromisoformat(marker) - dt.timedelta(seconds=5)
    try:
        calls = ivr.twilio.calls.list(to=callback.number, limit=50)
    except (TwilioException, OSError):  # a failed page is TwilioException, not its Rest child
        log.exception("callback %s: cannot ask Twilio whether a try was placed", callback.id)
        return None
    others = {c.call_sid for c in ivr.callbacks.pending_for(callback.number)
              if c.id != callback.id and c.call_sid}  # another callback to the same number
    ours = [c for c in calls if c.date_created and c.date_created >= since
            and c.sid not in others]
    return ours[-1].sid if ours else ""
