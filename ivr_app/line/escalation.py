"""An agent hands a live call to the supervisors, warm: their note and the context go along.

The caller leaves their line for the supervisors' in one step (the queue join moves
them); if Twilio does not take the redirect, the move is undone and the caller stays
where they were. Nothing changes when the move is refused.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from ivr_app.call.queueing import dispatch_soon
from ivr_app.call.turn import REASON_ESCALATED
from ivr_app.platform.telephony import missing_for_rest, public_url
from ivr_app.services import Services
from ivr_app.state.queues import Snapshot

log = logging.getLogger(__name__)


class NoSupervisorQueue(ValueError):
    """The call's flow names no supervisor queue to escalate to."""


class CannotMove(RuntimeError):
    """Twilio's settings are missing, so a live call cannot be moved (nothing changed)."""


class RedirectFailed(RuntimeError):
    """Twilio did not take the redirect; the move was undone."""


def escalate(ivr: Services, sid: str, agent_id: str, note: str) -> tuple[str, str]:
    """Move the caller to the supervisors' queue (REST redirect); returns (queue, reason).

    LookupError if the call is unknown, NoSupervisorQueue if its flow has none,
    CannotMove without Twilio's settings, RedirectFailed if the move was undone.
    """
    _, state = ivr.store.load(sid)
    if state is None:
        raise LookupError(f"no call {sid}")
    supervisors = ivr.registry.of_call(state).human.supervisor_queue
    if not supervisors:
        raise NoSupervisorQueue("this flow has no supervisor queue")
    missing = missing_for_rest(ivr.config)
    if missing:
        raise CannotMove(f"a live call cannot be moved without {', '.join(missing)} set; "
                         "nothing was changed")
    reason = REASON_ESCALATED.format(agent=agent_id or "an agent")  # the note goes apart
    before = ivr.queues.snapshot(sid)
    ivr.queues.join(sid, supervisors, state["lang"], reason, ivr.clock(),
                    test=bool(state.get("test")))
    query = urlencode({"queue": supervisors})
    try:
        ivr.twilio.calls(sid).update(url=public_url(ivr.config, f"/voice/requeue?{query}"),
                                     method="POST")
    except Exception as exc:
        log.exception("call %s: Twilio did not redirect it to %s; move undone", sid, supervisors)
        ivr.queues.put_back(before)
        raise RedirectFailed(f"Twilio did not redirect the call, so it {_still(before)}; "
                             "try again") from exc
    note = note.strip()
    if note:
        ivr.store.add_note(sid, f"{agent_id}: {note}" if agent_id else note)
    dispatch_soon(ivr, supervisors)
    return supervisors, reason


def _still(before: Snapshot) -> str:
    """Where a call whose move was undone is, in words."""
    if before.in_line:
        return f"still waits in {before.record['queue']}"
    if before.record.get("room"):
        return "is still with its agent"
    return "is where it was"
