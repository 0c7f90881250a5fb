"""The lifecycle of one call, written once: the states of the caller's call, an agent's leg,
a callback's leg and the conference that joins them, and what each event may change.

Events come from everywhere (a webhook, a status callback, a job, the console, the API) and
in any order: Twilio numbers its status callbacks (`SequenceNumber`) but may deliver them
late or shuffled, a step can arrive after the call's `completed`, a whisper can be answered
after the caller hung up. Each record moves only along these tables, by compare-and-set in
Redis, so a late event is ignored and an ended call never comes back.

The caller's call (Twilio's CallStatus, kept by state/calls.py):

    queued -> initiated -> ringing -> in-progress -> completed | busy | failed |
                                                     no-answer | canceled   (final)

An agent (state/agents.py), following the leg we place to their phone:

    available --offer--> offered --accepted--> busy --leg ended--> wrap-up --> available
                            |  caller gone, a callback's customer not reached: available
                            |  not answered, not accepted: away (the next agent is rung)

A callback's leg (state/callbacks.py): requested -> waiting -> dialing -> connected ->
completed, with retry-wait and missed when the customer is not reached.

The conference `call-<sid>` exists while the caller (or called-back customer) is in it;
the agent joins on accept, and either side leaving ends it (endConferenceOnExit), which
ends the other leg's <Dial>: its status callback then moves the agent to wrap-up.
"""

from __future__ import annotations

# -- the caller's call: Twilio's statuses, in the order a call goes through them ---------
CALL_STATUSES = ("queued", "initiated", "ringing", "in-progress")
ENDED = ("completed", "busy", "failed", "no-answer", "canceled")  # final: nothing moves on
FINAL_RANK = len(CALL_STATUSES)


def call_rank(status: str) -> int:
    """How far along a call a status is: a status callback of a lower rank than the one
    kept is late, and every final status has the same, highest rank. -1 if unknown."""
    if status in ENDED:
        return FINAL_RANK
    return CALL_STATUSES.index(status) if status in CALL_STATUSES else -1

# -- an agent, following their leg -------------------------------------------------------
AGENT_STATUSES = ("available", "offered", "busy", "wrap-up", "away")
# event -> (the statuses it may come from, the status it leads to); every event is about one
# call ("" for none), and moves the agent only while that is their call. The person's own
# choice (available, away, wrap-up from the screen or the API) is refused while a call is
# theirs (offered or busy), and is the one change made directly (Roster.set_status).
AGENT_EVENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "accepted": (("offered",), "busy"),  # they pressed 1 or clicked Accept
    "caller-gone": (("offered",), "available"),  # the caller hung up while they rang
    "not-taken": (("offered",), "away"),  # no answer, busy, or not accepted: next agent
    "withdrawn": (("offered",), "available"),  # the offer was taken back, not their doing
    "leg-ended": (("busy",), "wrap-up"),  # either side hung up: the conference ended
    # a callback's customer did not answer, even after the agent accepted it on the screen
    "not-reached": (("offered", "busy"), "available"),
    "wrap-up-over": (("wrap-up",), "available"),
}

# -- a callback's leg --------------------------------------------------------------------
CALLBACK_PENDING = ("requested", "waiting", "retry-wait")  # asked for, not being dialled
CALLBACK_MOVES: dict[str, tuple[str, ...]] = {
    "requested": ("waiting", "cancelled"),
    "waiting": ("dialing", "cancelled"),
    "dialing": ("connected", "retry-wait", "missed", "waiting"),
    "connected": ("completed",),
    "retry-wait": ("waiting", "cancelled"),
}

# -- the conference that joins the caller and the agent ----------------------------------
CONFERENCE_STATES = ("holding", "joined", "ended")  # caller in / agent in too / either left


def room_name(caller_sid: str) -> str:
    """The conference of one call (or callback `CB..`): the caller and their agent meet in it."""
    return f"call-{caller_sid}"
