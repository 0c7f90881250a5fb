"""What the caller's answer means at any question: the escape (0 or an escape word) and
the supervisor words, checked by the engine before the node's own type interprets the
answer (flow/nodes/: the node to go to, REPEAT, or None: not understood).
"""

from __future__ import annotations

import copy
from typing import Any

from ivr_app.call import bands
from ivr_app.call.turn import Event
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow
from ivr_app.flow.nodes import of


def is_escape(flow: Flow, event: Event) -> bool:
    if event.kind == "digits":
        return event.value == "0"
    if event.kind == "speech":
        words = [w for ws in flow.escape_words.values() for w in ws]
        return any(builtins.contains_phrase(event.value, w) for w in words)
    return False


def asks_for_supervisor(flow: Flow, event: Event) -> bool:
    """Someone who says "supervisor" or "jefe" skips the line to the supervisors' queue."""
    if event.kind != "speech" or not flow.human.supervisor_queue:
        return False
    words = [w for ws in builtins.SUPERVISOR_WORDS.values() for w in ws]
    return any(builtins.contains_phrase(event.value, w) for w in words)


def is_way_out(flow: Flow, event: Event) -> bool:
    """0, an escape word or a supervisor word: a person, whatever the question."""
    return is_escape(flow, event) or asks_for_supervisor(flow, event)


def understood(flow: Flow, state: dict[str, Any], event: Event) -> bool:
    """Whether the engine would act on this answer at the call's question, rather than count
    it as a wrong one (the state is left as it is)."""
    if event.kind not in ("digits", "speech"):
        return False
    if bands.band(flow, state["lang"], event) == bands.AGAIN:
        return False
    if asks_for_supervisor(flow, event) or is_escape(flow, event):
        return True
    node = flow.nodes[state["node"]]
    answer = of(node).answer
    return answer is not None and answer(flow, copy.deepcopy(state), node, event) is not None
