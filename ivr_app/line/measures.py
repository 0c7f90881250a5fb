"""What the metrics page counts, from the day's call summaries (state/call_log.py) and the
callbacks asked for that day. Pure: it is given the records and returns numbers.

- calls per hour of the day (server's time zone, TZ);
- how calls ended: self-service, a person, a callback, hung up in line or in the menus;
- where callers asked for a person (0 or an escape word), per question;
- call start to an agent taking the call, for callers who asked for a person (0, an
  escape word, a supervisor) or were sent to one (silence, wrong answers, our errors):
  p50 and p90, per flow, per menu where it happened and per queue; callers who hung up
  first are counted apart (their time to a person is unknown); see time_to_person();
- hang-ups in line against everyone who waited;
- the first wait estimate a caller heard against the wait they had;
- callbacks on time (reached on the first try, and for a chosen slot within ON_TIME of
  it), late (more tries, or later than that), missed, cancelled, still pending.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from typing import Any

from ivr_app.call.turn import (
    REASON_ASKED,
    REASON_ERROR,
    REASON_NO_INPUT,
    REASON_NOT_UNDERSTOOD,
    REASON_SUPERVISOR,
    REASON_UNHEARD,
)
from ivr_app.state.call_log import OUTCOMES
from ivr_app.state.callbacks import Callback

ON_TIME = dt.timedelta(minutes=10)
ASKED = (REASON_ASKED, REASON_SUPERVISOR)  # the caller asked for a person
SENT = (REASON_NO_INPUT, REASON_NOT_UNDERSTOOD, REASON_UNHEARD, REASON_ERROR)  # we sent them
CALLBACK_KINDS = ("on-time", "late", "missed", "cancelled", "pending")


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5 is the median); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(calls: list[dict[str, Any]], callbacks: list[tuple[Callback, list[dict]]]
            ) -> dict[str, Any]:
    """Every number of the page; `callbacks` pairs each record with its history."""
    hours = [0] * 24
    for call in calls:
        hours[dt.datetime.fromtimestamp(call["started"]).hour] += 1
    outcomes = Counter(call["outcome"] for call in calls)
    zero_outs = Counter(call["zero_out"] for call in calls if call["zero_out"])
    waited = [c for c in calls if c["waited_s"] is not None]
    in_line = sum(c["outcome"] == "in-line" for c in waited)
    waits = [(c["told_s"], c["waited_s"]) for c in waited
             if c["outcome"] == "person" and c["told_s"] is not None]
    errors = [abs(told - had) for told, had in waits]
    kinds = Counter(callback_kind(c, h) for c, h in callbacks)
    return {
        "calls": len(calls),
        "per_hour": hours,
        "outcomes": [(kind, outcomes[kind]) for kind in OUTCOMES],
        "zero_outs": zero_outs.most_common(),
        "to_person": time_to_person(calls),
        "line": {"waited": len(waited), "abandoned": in_line,
                 "rate": in_line / len(waited) if waited else None},
        "waits": waits,
        "wait_error_s": sum(errors) / len(errors) if errors else None,
        "callbacks": [(kind, kinds[kind]) for kind in CALLBACK_KINDS],
    }


def time_to_person(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Call start to an agent answering, for callers who asked for a person or were sent to
    one: overall (the headline), asked and sent apart, per flow, per menu where it
    happened, per queue. `hung_up_first` counts those who hung up before an agent answered."""
    wanted = [c for c in calls if c.get("reason") in ASKED + SENT]

    def figures(group: list[dict[str, Any]]) -> dict[str, Any]:
        times = [c["to_person_s"] for c in group if c["to_person_s"] is not None]
        return {"count": len(times), "p50": percentile(times, 0.5),
                "p90": percentile(times, 0.9),
                "hung_up_first": sum(c["outcome"] == "in-line" for c in group)}

    def by(field: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for call in wanted:
            groups.setdefault(call.get(field) or "", []).append(call)
        return {name: figures(group) for name, group in sorted(groups.items())}

    return {**figures(wanted), "asked": figures([c for c in wanted if c["reason"] in ASKED]),
            "sent": figures([c for c in wanted if c["reason"] in SENT]),
            "by_flow": by("flow"), "by_menu": by("person_node"), "by_queue": by("queue")}


def callback_kind(callback: Callback, history: list[dict[str, str]]) -> str:
    """On time, late, missed, cancelled or pending (see the module's docstring)."""
    if callback.state in ("missed", "cancelled"):
        return callback.state
    if callback.state not in ("connected", "completed"):
        return "pending"
    if callback.attempts > 1:
        return "late"
    dialled = next((e["at"] for e in history if e["state"] == "dialing"), None)
    if callback.due_at and dialled and (dt.datetime.fromisoformat(dialled) -
                                        dt.datetime.fromisoformat(callback.due_at)) > ON_TIME:
        return "late"
    return "on-time"


_E164 = re.compile(r"\+[1-9][0-9]{6,14}\Z")  # a phone number as Twilio writes it
CSV_FIELDS = ("sid", "started", "flow", "version", "from", "lang", "outcome", "zero_out",
              "reason", "queue", "agent", "to_person_s", "waited_s", "told_s", "callback")


def csv_row(call: dict[str, Any]) -> list[Any]:
    """A call as one CSV line (times in ISO, the server's zone)."""
    row = dict(call, started=dt.datetime.fromtimestamp(call["started"]).astimezone()
               .isoformat(timespec="seconds"))
    return [_round(row.get(name)) for name in CSV_FIELDS]


def _round(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _E164.match(value):
        return "'" + value  # a spreadsheet must not take a note for a formula; a number is one
    return round(value, 1) if isinstance(value, float) else ("" if value is None else value)
