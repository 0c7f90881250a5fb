"""A flow tried on a recorded day: each call's answers played again, in order, on a draft.

A call's summary keeps the answers the caller gave in the flow (state/call_log.py:
`inputs`, keys and recognised speech with its confidence) and the language its number
had chosen before, if any. Replaying them through the engine (pure over state and flow: no Redis, no
Twilio, no line, no agents) tells where each call would have ended with the draft:

- self-service: the draft said goodbye;
- a person: the draft handed the caller over, at which question and to which queue;
- hung up in the menus: the caller's answers ran out while the draft still asked, and
  the caller really did hang up there;
- unanswered: the draft asked more than the caller ever answered (they went elsewhere
  on the day), so what they would have done is not known.

An answer the draft did not accept (a key or phrase its question does not take) is
counted, and the time to a person is counted in questions answered and in seconds, the
seconds being the caller's own pace on the day: each answer as long after the one
before as it really came. Played on the flow the calls really met, every call ends
where it really ended.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter
from typing import Any

from ivr_app.call import engine
from ivr_app.call.turn import Event
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes.language import REMEMBERED

SELF_SERVICE, PERSON, HUNG_UP, UNANSWERED = "self-service", "person", "hung-up", "unanswered"
ENDINGS = (SELF_SERVICE, PERSON, HUNG_UP, UNANSWERED)
# calls not replayed, by why
OTHER_FLOW, TRIED, GREETED = "another-flow", "tried", "greeted"
LABELS = {  # how the command says each (the console has its own words: console/text.py)
    SELF_SERVICE: "self-service", PERSON: "a person", HUNG_UP: "hung up in the menus",
    UNANSWERED: "unanswered", OTHER_FLOW: "another flow", TRIED: "tried from the console",
    GREETED: "asked about an earlier call or a callback first"}
HANDED_OVER = ("person", "callback", "in-line")  # summary outcomes past the flow's handover


@dataclasses.dataclass(frozen=True)
class Ending:
    """Where one call ended in the flow, and what it took to get there."""

    sid: str
    ending: str  # one of ENDINGS
    node: str = ""  # the question (or transfer) where a person was reached
    queue: str = ""
    questions: int = 0  # answers given before the ending
    seconds: float = 0.0  # from the call's start to its last answer used
    refused: int = 0  # answers the flow did not accept


@dataclasses.dataclass
class Day:
    """Calls of one flow on one day: what happened, and what the draft would have done."""

    flow: str
    day: str
    happened: list[Ending]
    draft: list[Ending]
    left_out: Counter[str]  # calls not replayed, by why

    def as_dict(self) -> dict[str, Any]:
        return {"flow": self.flow, "day": self.day, "calls": len(self.draft),
                "left_out": dict(self.left_out),
                "happened": _figures(self.happened), "draft": _figures(self.draft),
                "changed": [{"sid": h.sid, "happened": _where(h), "draft": _where(d)}
                            for h, d in zip(self.happened, self.draft, strict=True)
                            if _where(h) != _where(d)]}


def replay_day(draft: Flow, summaries: list[dict[str, Any]], day: dt.date) -> Day:
    """Replay a day's summaries of the draft's flow; what happened is read from each."""
    result = Day(draft.name, day.isoformat(), [], [], Counter())
    for summary in summaries:
        why = _left_out(draft, summary)
        if why:
            result.left_out[why] += 1
            continue
        result.draft.append(play(draft, summary))
        result.happened.append(happened(summary))
    return result


def play(flow: Flow, summary: dict[str, Any]) -> Ending:
    """One call's recorded answers, in order, on a flow."""
    started = dt.datetime.fromtimestamp(summary["started"], dt.UTC)
    state = engine.new_state(flow, {"CallSid": summary["sid"], "From": summary["from"]},
                             started)
    if summary.get("remembered_lang"):  # its language question passes, as it did
        state[REMEMBERED] = summary["remembered_lang"]
    turn = engine.start(flow, state, started)
    inputs, used, last = summary.get("inputs", []), 0, started
    while turn.ask is not None and not turn.hangup and turn.human is None:
        if used == len(inputs):
            gave_up = summary["outcome"] == "hung-up"
            return Ending(summary["sid"], HUNG_UP if gave_up else UNANSWERED,
                          questions=used, seconds=_since(started, last),
                          refused=_refused(state))
        last = dt.datetime.fromisoformat(inputs[used]["at"])
        turn = engine.handle(flow, state, _event(inputs[used]), last)
        used += 1
    if turn.human is not None:
        return Ending(summary["sid"], PERSON, node=state["outcome"]["node"],
                      queue=turn.human.queue, questions=used,
                      seconds=_since(started, last), refused=_refused(state))
    return Ending(summary["sid"], SELF_SERVICE, questions=used,
                  seconds=_since(started, last), refused=_refused(state))


def happened(summary: dict[str, Any]) -> Ending:
    """Where the call really ended, as its summary says."""
    inputs = summary.get("inputs", [])
    last = dt.datetime.fromisoformat(inputs[-1]["at"]).timestamp() if inputs else \
        summary["started"]
    kind = summary["outcome"]
    ending = PERSON if kind in HANDED_OVER else (SELF_SERVICE if kind == SELF_SERVICE
                                                 else HUNG_UP)
    return Ending(summary["sid"], ending, node=summary["person_node"],
                  queue=summary["queue"] if ending == PERSON else "",
                  questions=len(inputs), seconds=max(0.0, last - summary["started"]),
                  refused=sum(bool(e.get("refused")) for e in inputs))


def _left_out(draft: Flow, summary: dict[str, Any]) -> str:
    if summary["flow"] != draft.name:
        return OTHER_FLOW
    if summary.get("trial"):
        return TRIED
    if summary.get("greeted"):  # its first answers went to a question the flow does not ask
        return GREETED
    return ""


def _event(entry: dict[str, Any]) -> Event:
    """The answer as it came in, before the day's bands judged it."""
    return Event(entry.get("heard", entry["event"]), entry.get("input", ""),
                 entry.get("confidence"))


def _refused(state: dict[str, Any]) -> int:
    """Answers heard as said that the question did not take (the engine marks them)."""
    return sum(bool(entry.get("refused")) for entry in state["path"])


def _since(started: dt.datetime, last: dt.datetime) -> float:
    return max(0.0, (last - started).total_seconds())


def _where(ending: Ending) -> dict[str, str]:
    return {"ending": ending.ending, "node": ending.node if ending.ending == PERSON else ""}


def _said(where: dict[str, str]) -> str:
    return LABELS[where["ending"]] + (f" at {where['node']}" if where["node"] else "")


def _figures(endings: list[Ending]) -> dict[str, Any]:
    people = [e for e in endings if e.ending == PERSON]
    return {
        "endings": {name: sum(e.ending == name for e in endings) for name in ENDINGS},
        "people_at": dict(Counter(f"{e.node} ({e.queue})" for e in people)),  # node (queue)
        "calls_with_refused_answers": sum(e.refused > 0 for e in endings),
        "refused_answers": sum(e.refused for e in endings),
        "to_person_questions_median": _median([e.questions for e in people]),
        "to_person_seconds_median": _median([e.seconds for e in people]),
    }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def report(day: Day) -> str:
    """The replay as a table: what happened beside what the draft would have done."""
    left = ", ".join(f"{n} {LABELS[why]}" for why, n in sorted(day.left_out.items()))
    lines = [f"flow {day.flow}, {day.day}: {len(day.draft)} calls replayed"
             + (f" (left out: {left})" if left else "")]
    real, draft = _figures(day.happened), _figures(day.draft)
    rows = [(LABELS[name], real["endings"][name], draft["endings"][name]) for name in ENDINGS]
    rows += [("calls with answers refused", real["calls_with_refused_answers"],
              draft["calls_with_refused_answers"]),
             ("questions to a person, median", real["to_person_questions_median"],
              draft["to_person_questions_median"]),
             ("seconds to a person, median", real["to_person_seconds_median"],
              draft["to_person_seconds_median"])]
    rows += [(f"person at {where}", real["people_at"].get(where, 0),
              draft["people_at"].get(where, 0))
             for where in sorted(real["people_at"].keys() | draft["people_at"].keys())]
    lines.append(f"{'':34} {'happened':>9} {'draft':>9}")
    lines += [f"{name:34} {_shown(a):>9} {_shown(b):>9}" for name, a, b in rows]
    changed = day.as_dict()["changed"]
    lines.append(f"{len(changed)} calls would end elsewhere" + (":" if changed else ""))
    lines += [f"  {c['sid']}: {_said(c['happened'])} -> {_said(c['draft'])}" for c in changed]
    return "\n".join(lines) + "\n"


def _shown(value: float | None) -> str:
    return "-" if value is None else str(value)
