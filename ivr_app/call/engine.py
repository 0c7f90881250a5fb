"""The flow interpreter: given a call's state and what the caller did, decide what next.

Pure logic with no Flask, Redis or TwiML in it, so every rule of the escape
hatch can be read (and tested) in one place. What each kind of node does is its
type's (flow/nodes/): the engine carries out what entering it returns, asks its
question, and lets it interpret the answer. The rules kept here hold at every node:
- key 0 or an escape word at any input node goes to the flow's human target;
- silence or a wrong answer is retried `flow.retries` times, then goes to a human;
- the call is hung up only where a node's type says so (a goodbye);
- a spoken answer in the middle band is read back for a yes first (call/bands.py),
  except the way out: a person is never the wrong place to send a caller.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from typing import Any

from ivr_app.call import answers, bands, kept_language
from ivr_app.call.turn import (
    REASON_ASKED,
    REASON_NO_INPUT,
    REASON_NOT_UNDERSTOOD,
    REASON_SUPERVISOR,
    REASON_UNHEARD,
    Ask,
    Event,
    Human,
    Speech,
    Turn,
)
from ivr_app.flow import builtins
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes import asked_in, of
from ivr_app.flow.nodes.base import READ_BACK, REPEAT
from ivr_app.flow.turn_rules import MAX_TURN_NODES


def new_state(flow: Flow, call: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    """The state of a call that has just come in."""
    return {
        "sid": call.get("CallSid", ""),
        "from": call.get("From", ""),
        "to": call.get("To", ""),
        "flow": flow.name,
        "version": flow.version,
        "lang": flow.default_language,
        "vars": {},
        "node": flow.start,
        "phase": "ask",
        "pending": "",
        "tries": 0,
        "path": [],
        "outcome": None,
        "started": now.isoformat(timespec="seconds"),
    }


def start(flow: Flow, state: dict[str, Any], now: dt.datetime) -> Turn:
    """Run the flow from its start node up to the first question or ending."""
    turn = Turn()
    _enter(flow, state, flow.start, turn, now)
    return turn


def handle(flow: Flow, state: dict[str, Any], event: Event, now: dt.datetime) -> Turn:
    """Apply the caller's input at the current node and run on to the next question."""
    node = flow.nodes[state["node"]]
    heard, event = event, bands.judged(flow, state["lang"], event)
    _record(state, now, node=node.id, event=event.kind, input=event.value,
            **({"confidence": event.confidence} if event.confidence is not None else {}),
            # what came in, where the bands changed it: a replay judges it by its own bands
            **({"heard": heard.kind} if heard.kind != event.kind else {}))
    if state["phase"] == READ_BACK:
        return _read_back(flow, state, node, event, now)
    turn = Turn()
    if (bands.band(flow, state["lang"], event) == bands.CONFIRM
            and answers.understood(flow, state, event) and not answers.is_way_out(flow, event)):
        state.update(phase=READ_BACK, pending=event.value)
        _ask(flow, state, node, turn)
        return turn
    return _act(flow, state, node, event, now)


def _act(flow: Flow, state: dict[str, Any], node: Node, event: Event,
         now: dt.datetime) -> Turn:
    """Act on an answer taken as said: the way out, a wrong one, or the node's own."""
    turn = Turn()
    if answers.asks_for_supervisor(flow, event):
        _to_human(flow, state, turn, flow.human.supervisor_queue, REASON_SUPERVISOR, now)
        return turn
    if answers.is_escape(flow, event):
        _to_human(flow, state, turn, flow.human.queue, REASON_ASKED, now)
        return turn
    language_question = kept_language.asks_again(state, node, event)
    if language_question is not None:
        _enter(flow, state, language_question, turn, now)
        return turn
    if kept_language.switched_to(flow, state, node, event) is not None:
        _ask(flow, state, node, turn)
        return turn
    if event.kind == "silence":
        return _retry(flow, state, node, REASON_NO_INPUT, now)
    if event.kind == "unclear":
        return _retry(flow, state, node, REASON_NOT_UNDERSTOOD, now)
    if event.kind == "unheard":
        return _unheard(flow, state, node, now)
    answer = of(node).answer
    result = answer(flow, state, node, event) if answer is not None else None
    if result is REPEAT:
        _ask(flow, state, node, turn)
    elif result is None:
        state["path"][-1]["refused"] = True  # heard as said, and not an answer it takes
        return _retry(flow, state, node, REASON_NOT_UNDERSTOOD, now)
    else:
        _enter(flow, state, result, turn, now)
    return turn


def _read_back(flow: Flow, state: dict[str, Any], node: Node, event: Event,
               now: dt.datetime) -> Turn:
    """The answer to "did you say ...?": a yes acts on what was heard; the way out is
    still the way out; anything else asks the question again with its keys read out
    (silence and unclear answers count as tries, a plain no does not)."""
    said, lang = state["pending"], state["lang"]
    state.update(phase="ask", pending="")
    yes = bands.read_back(event, asked_in(node, lang))
    if yes:
        return _act(flow, state, node, Event("speech", said), now)
    if answers.is_way_out(flow, event):
        return _act(flow, state, node, event, now)
    if yes is None:
        state["tries"] += 1
        if state["tries"] > flow.retries:
            turn = Turn()
            reason = REASON_NO_INPUT if event.kind == "silence" else REASON_NOT_UNDERSTOOD
            _to_human(flow, state, turn, flow.human.queue, reason, now)
            return turn
    turn = Turn(speech=_keys_read_out(flow, node, lang))
    _ask(flow, state, node, turn)
    return turn


# -- moving through the flow ------------------------------------------------------------

def _enter(flow: Flow, state: dict[str, Any], node_id: str, turn: Turn,
           now: dt.datetime) -> None:
    for _ in range(MAX_TURN_NODES):
        node = flow.nodes[node_id]
        state.update(node=node_id, phase="ask", pending="", tries=0)
        kept_language.leave(state, node_id)
        state["vars"].update(node.set)
        _record(state, now, node=node_id, event="enter")
        entered = of(node).enter(flow, state, node, now)
        if entered.says:
            turn.speech += _prompt(flow, state, node)
        if entered.then == "go":
            node_id = entered.to
            continue
        if entered.then == "person":
            _to_human(flow, state, turn, entered.to, entered.reason, now)
        elif entered.then == "hang up":
            turn.hangup = True
            state["outcome"] = {"type": "goodbye", "node": node_id,
                                "at": now.isoformat(timespec="seconds")}
        else:
            _ask(flow, state, node, turn)
        return
    raise RuntimeError(f"flow {flow.name} went through {MAX_TURN_NODES} nodes without asking")


def _ask(flow: Flow, state: dict[str, Any], node: Node, turn: Turn) -> None:
    lang = state["lang"]
    if state["phase"] == "confirm":
        digits = " ".join(state["pending"])
        text = flow.messages[lang]["confirm_digits"].format(digits=digits)
        turn.speech += [Speech(lang, text), *_escape_note(flow, lang, text)]
        turn.ask = Ask(node.id, 1, flow.timeout)
        return
    if state["phase"] == READ_BACK:
        for said_in in asked_in(node, lang):
            text = flow.messages[said_in]["confirm_choice"].format(phrase=state["pending"])
            turn.speech += [Speech(said_in, text), *_escape_note(flow, said_in, text)]
        turn.ask = Ask(node.id, 1, flow.timeout, voice=lang)
        return
    question = of(node).question
    if question is None:  # entering returns "ask" only for a type with a question
        raise RuntimeError(f"node {node.id} ({node.type}) has no question")
    asked = question(node, lang)
    for said_in in asked.languages:
        said = _utterance(node, said_in)
        turn.speech += [said, *_escape_note(flow, said_in, said.text)]
    turn.speech += kept_language.offer(flow, state, node)
    turn.ask = Ask(node.id, asked.max_digits, flow.timeout, voice=lang if asked.spoken else "")


def _retry(flow: Flow, state: dict[str, Any], node: Node, reason: str,
           now: dt.datetime) -> Turn:
    turn = Turn()
    state["tries"] += 1
    if state["tries"] > flow.retries:
        _to_human(flow, state, turn, flow.human.queue, reason, now)
        return turn
    key = {REASON_NO_INPUT: "no_input", REASON_UNHEARD: "use_keys"}.get(reason,
                                                                       "not_understood")
    turn.speech.append(Speech(state["lang"], flow.messages[state["lang"]][key]))
    _ask(flow, state, node, turn)
    return turn


def _unheard(flow: Flow, state: dict[str, Any], node: Node, now: dt.datetime) -> Turn:
    """Speech we could not recognise in time: ask for keys once; the second time, a person."""
    state["unheard"] = state.get("unheard", 0) + 1
    if state["unheard"] > 1:
        turn = Turn()
        _to_human(flow, state, turn, flow.human.queue, REASON_UNHEARD, now)
        return turn
    turn = _retry(flow, state, node, REASON_UNHEARD, now)
    if turn.ask is not None:
        turn.ask = replace(turn.ask, voice="")
    return turn


def _to_human(flow: Flow, state: dict[str, Any], turn: Turn, queue: str, reason: str,
              now: dt.datetime) -> None:
    lang = state["lang"]
    turn.speech.append(Speech(lang, flow.messages[lang]["to_human"]))
    turn.human = Human(queue, reason)
    state["outcome"] = {"type": "human", "queue": queue, "reason": reason,
                        "node": state["node"], "at": now.isoformat(timespec="seconds")}


def _record(state: dict[str, Any], now: dt.datetime, **entry: Any) -> None:
    state["path"].append({"at": now.isoformat(timespec="seconds"), **entry})


# -- what a prompt says -----------------------------------------------------------------

def _utterance(node: Node, lang: str) -> Speech:
    said = node.prompt[lang]
    return Speech(lang, said.text, said.play)


def _prompt(flow: Flow, state: dict[str, Any], node: Node) -> list[Speech]:
    return [_utterance(node, state["lang"])] if node.prompt else []


def _keys_read_out(flow: Flow, node: Node, lang: str) -> list[Speech]:
    """The question's keys, each with what it stands for ("for billing, press 1")."""
    heard = of(node).listens(node, lang)
    if heard is None or not heard.named:
        return []
    messages = flow.messages[lang]
    keys = "; ".join(messages["key_for"].format(key=builtins.key_word(key, lang), phrase=said)
                     for key, said in heard.named)
    return [Speech(lang, messages["keys_again"].format(keys=keys))]


def _escape_note(flow: Flow, lang: str, text: str) -> list[Speech]:
    """The escape announcement, unless the prompt already tells the caller."""
    note = flow.messages[lang]["escape"]
    return [Speech(lang, note)] if _needs_note(note, lang, text) else []


@functools.lru_cache(maxsize=4096)  # the same few prompts, read on every step
def _needs_note(note: str, lang: str, text: str) -> bool:
    mentions = (note, *builtins.ESCAPE_MENTIONS.get(lang, ()))
    return not any(builtins.contains_phrase(text, m) for m in mentions)
