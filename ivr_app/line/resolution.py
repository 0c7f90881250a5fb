"""Was it solved? First-contact resolution from the call log (state/call_log.py).

Two signs say a call did not solve the caller's problem: its survey answered "no"
(survey/questions.py), or the same number called again within the repeat window
(REPEAT_WINDOW_HOURS, 72 by default) of it. A call that reached a person and shows
neither was resolved at first contact; the share is given per queue, per agent and per
flow. Repeats are also counted per the first call's `topic`, when the flow set one.
Test calls (TEST_CALLERS, `simulate`) and calls tried from the console count neither as
a first call nor as a repeat.
"""

from __future__ import annotations

from typing import Any

from ivr_app.state.call_log import CallLog


def counted(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls of real callers: no test call, no call tried from the console."""
    return [c for c in calls if not c.get("trial") and not c.get("test")]


def repeated(log: CallLog, calls: list[dict[str, Any]], window_s: float) -> set[str]:
    """The calls followed by another real call from the same number within `window_s` of
    their end (a withheld number is no one's: it repeats nothing)."""
    known = [c for c in counted(calls) if c["from"].startswith("+")]
    later = log.following([(c["from"], c["started"], c["ended"] + window_s) for c in known])
    return {c["sid"] for c, then in zip(known, later, strict=True) if counted(then)}


def survey(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Surveys asked and answered, the share answered "solved", the mean rating."""
    asked = [c["survey"] for c in counted(calls) if c.get("survey")]
    answered = [s["resolved"] for s in asked if s["resolved"] is not None]
    ratings = [s["rating"] for s in asked if s["rating"] is not None]
    return {"asked": len(asked), "answered": len(answered),
            "resolved_share": sum(answered) / len(answered) if answered else None,
            "rating_mean": sum(ratings) / len(ratings) if ratings else None}


def repeat_share(calls: list[dict[str, Any]], repeats: set[str]) -> float | None:
    real = counted(calls)
    return sum(c["sid"] in repeats for c in real) / len(real) if real else None


def repeats_by_topic(calls: list[dict[str, Any]], repeats: set[str]) -> dict[str, float]:
    """The repeat share of the calls of each topic the flow knew."""
    topics: dict[str, list[bool]] = {}
    for call in counted(calls):
        if call.get("topic"):
            topics.setdefault(call["topic"], []).append(call["sid"] in repeats)
    return {topic: sum(seen) / len(seen) for topic, seen in sorted(topics.items())}


def first_contact(calls: list[dict[str, Any]], repeats: set[str]) -> dict[str, Any]:
    """Of the calls an agent took, the share resolved (no "no", no repeat): overall, per
    queue, per agent and per flow."""
    helped = [c for c in counted(calls) if c["outcome"] == "person"]

    def share(group: list[dict[str, Any]]) -> dict[str, Any]:
        resolved = sum(resolved_at_first(c, repeats) for c in group)
        return {"count": len(group), "resolved": resolved,
                "share": resolved / len(group) if group else None}

    def by(field: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for call in helped:
            groups.setdefault(call.get(field) or "", []).append(call)
        return {name: share(group) for name, group in sorted(groups.items())}

    return {**share(helped), "by_queue": by("queue"), "by_agent": by("agent"),
            "by_flow": by("flow")}


def resolved_at_first(call: dict[str, Any], repeats: set[str]) -> bool:
    said = (call.get("survey") or {}).get("resolved")
    return said is not False and call["sid"] not in repeats


def figures(log: CallLog, calls: list[dict[str, Any]], window_s: float) -> dict[str, Any]:
    """Every figure of resolution for these calls, and the survey and repeat figures of
    each flow among them (the metrics API and page show these)."""
    repeats = repeated(log, calls, window_s)

    def of(group: list[dict[str, Any]]) -> dict[str, Any]:
        return {"survey": survey(group), "repeat_72h_share": repeat_share(group, repeats)}

    flows = sorted({c["flow"] for c in calls})
    return {**of(calls), "repeats_by_topic": repeats_by_topic(calls, repeats),
            "first_contact": first_contact(calls, repeats),
            "by_flow": {flow: of([c for c in calls if c["flow"] == flow]) for flow in flows}}
