"""An agent hands a live call to the supervisors, warm: their note and the context go along."""

from __future__ import annotations

from urllib.parse import urlencode

from ivr_app.services import Services


class NoSupervisorQueue(ValueError):
    """The call's flow names no supervisor queue to escalate to."""


def escalate(ivr: Services, sid: str, agent_id: str, note: str) -> tuple[str, str]:
    """Move the caller to the supervisors' queue (REST redirect); returns (queue, reason).

    LookupError if the call is unknown, NoSupervisorQueue if its flow has none.
    """
    _, state = ivr.store.load(sid)
    if state is None:
        raise LookupError(f"no call {sid}")
    supervisors = ivr.flow_of(state).human.supervisor_queue
    if not supervisors:
        raise NoSupervisorQueue("this flow has no supervisor queue")
    note = note.strip()
    if note:
        ivr.store.add_note(sid, f"{agent_id}: {note}" if agent_id else note)
    reason = f"escalated by {agent_id or 'an agent'}" + (f": {note}" if note else "")
    ivr.enter_queue(sid, state, supervisors, reason)
    query = urlencode({"queue": supervisors})
    ivr.twilio.calls(sid).update(url=ivr.public_url(f"/voice/requeue?{query}"), method="POST")
    return supervisors, reason
