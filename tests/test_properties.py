"""The escape-hatch promise and the loader's manners, checked on flows nobody wrote.

Hypothesis draws random valid flows (tests/flowgen.py), calls them through the
real webhooks as Twilio would, and checks that from any question a caller
reaches a person with 0, with an escape word, by staying silent or by pressing
wrong keys. Broken flows are tests/test_loader_properties.py's.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st

from ivr_app.demo.simulator import Call
from ivr_app.flow import builtins
from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.conftest import TOKEN
from tests.flowgen import KEYS, dump, valid_flows

# No "explain" phase: on a failure it replays each call hundreds of times to annotate the
# example, which takes minutes; the shrunk example is what a reader needs.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
CALLS = settings(max_examples=30, deadline=None, phases=PHASES,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])
LOADER = settings(max_examples=150, deadline=None, phases=PHASES,
                  suppress_health_check=[HealthCheck.too_slow])

ASKED = "asked for a person"


# -- calling a generated flow -----------------------------------------------------------------

class Line:
    """A generated flow answering calls on a fresh app, and what we know of it."""

    def __init__(self, flow: dict[str, Any], make_app: Callable[..., Any], folder: str):
        self.flow = flow
        Path(folder, "main.yaml").write_text(dump(flow), encoding="utf-8")
        self.app = make_app(FLOWS_DIR=folder, IVR_FLOW="main")
        self.model = self.app.extensions["ivr"].registry.current("main")

    def hang_up(self) -> None:
        """Close this app's Redis connections: hundreds of apps would leak sockets."""
        self.app.extensions["ivr"].store.redis.close()

    @property
    def queue(self) -> str:
        return self.flow["human"]["queue"]

    @property
    def retries(self) -> int:
        return self.flow.get("retries", 2)

    def question(self, call: Call) -> tuple[dict[str, Any], str]:
        """The node the caller is being asked at, and whether digits or a read-back."""
        _, state = self.app.extensions["ivr"].store.load(call.sid)
        return self.flow["nodes"][state["node"]], state["phase"]

    def right_answers(self, call: Call, data: st.DataObject) -> list[str]:
        node, phase = self.question(call)
        if node["type"] == "menu":
            return [str(o["key"]) for o in node["options"]]
        if node["type"] == "language":
            return [str(c["key"]) for c in node["choices"]]
        if phase == "confirm":
            return ["1", "2"]
        return [data.draw(digits_for(node), label="digits")]

    def wrong_keys(self, call: Call) -> list[str]:
        """Keys that answer nothing here (never 0, the escape)."""
        node, phase = self.question(call)
        if node["type"] == "collect":  # one key is too short; at the read-back only 1 and 2
            return list("3456789*") if phase == "confirm" else list("123456789*")
        bound = {str(item["key"]) for item in node.get("options", node.get("choices", []))}
        return [k for k in KEYS if k not in bound and k != "#"]

    def escape_notes(self) -> set[str]:
        return {texts["escape"] for texts in self.model.messages.values()}


@st.composite
def digits_for(draw: st.DrawFn, node: dict[str, Any]) -> str:
    """Digits a collect node accepts: the right length, with a Luhn check digit if asked."""
    length = node["length"]
    low, high = (length, length) if isinstance(length, int) else (length["min"], length["max"])
    size = draw(st.integers(low, high))
    digits = draw(st.text(alphabet="0123456789", min_size=size, max_size=size))
    if node.get("checksum") == "luhn":
        digits = digits[:-1] + luhn_digit(digits[:-1])
    return digits


def luhn_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


def asks_for_supervisor(text: str) -> bool:
    """Said at a question, these words go to the supervisors' queue instead."""
    words = [w for ws in builtins.SUPERVISOR_WORDS.values() for w in ws]
    return any(builtins.contains_phrase(text, w) for w in words)


def asked(call: Call) -> bool:
    """Whether the flow is asking the caller something (not holding for a person)."""
    return call.ending is None and call.waiting


def state_note(call: Call) -> str:
    """A hint for when the call has no state: Redis db 13 is shared by every test run."""
    _, state = call.app.extensions["ivr"].store.load(call.sid)
    return "" if state else (" (the call has no state in Redis: see the logged exception, "
                             "or did another test run flush db 13 meanwhile?)")


def assert_left_properly(call: Call) -> None:
    """A call that ended did so with a goodbye or with a person, never dropped."""
    assert call.ending is not None
    assert call.ending.kind in ("human", "goodbye"), f"call ended with {call.ending}"
    if call.ending.kind == "human":
        assert call.ending.reason not in ("our error", ""), \
            f"the app failed and fell back to a person{state_note(call)}"


def assert_told_how_to_escape(line: Line, call: Call) -> None:
    """Every question ends with the escape announcement (generated prompts never say it)."""
    said = call.last_heard().split("] ", 1)[-1]
    assert said in line.escape_notes(), f"question ended with {call.last_heard()!r}"


def reach_a_question(line: Line, data: st.DataObject) -> Call:
    """Dial, then answer a few questions rightly at random; stop at a question.

    If an answer ends the call (goodbye, transfer) the caller dials again and stops
    at the question before it.
    """
    call = Call(line.app, TOKEN).dial()
    if not asked(call):
        assert_left_properly(call)
    assume(asked(call))  # the flow ended before asking anything: nothing to check here
    answers: list[str] = []
    for _ in range(data.draw(st.integers(0, 6), label="answers")):
        assert_told_how_to_escape(line, call)
        answer = data.draw(st.sampled_from(line.right_answers(call, data)), label="answer")
        call.press(answer)
        if not asked(call):
            assert_left_properly(call)
            call = Call(line.app, TOKEN).dial()
            for earlier in answers:
                call.press(earlier)
            break
        answers.append(answer)
    assert asked(call)
    assert_told_how_to_escape(line, call)
    node, phase = line.question(call)
    event(f"asked at a {node['type']}" + (" read-back" if phase == "confirm" else ""))
    return call


def assert_with_a_person(line: Line, call: Call, reason: str, heard_before: int) -> None:
    """The call ended in the flow's human queue, for `reason`, and the caller was told."""
    assert call.ending is not None, "the caller is still waiting"
    assert (call.ending.kind, call.ending.queue, call.ending.reason) == (
        "human", line.queue, reason), state_note(call)
    to_human = {texts["to_human"] for texts in line.model.messages.values()}
    heard = [said.split("] ", 1)[-1] for said in call.heard[heard_before:]]
    assert to_human & set(heard), f"not told they are put through: {heard}"


@pytest.fixture
def line(make_app, redis) -> Callable[[dict[str, Any]], contextlib.AbstractContextManager[Line]]:
    """Put a generated flow on a fresh app (the Redis test db is flushed once per test)."""

    @contextlib.contextmanager
    def answering(flow: dict[str, Any]) -> Iterator[Line]:
        with tempfile.TemporaryDirectory() as folder:
            phone = Line(flow, make_app, folder)
            try:
                yield phone
            finally:
                phone.hang_up()

    return answering


# -- 1. generated flows: lint accepts them, and every question keeps the promise -----------

@LOADER
@pytest.mark.slow  # among the slowest property runs
@given(flow=valid_flows())
def test_every_generated_flow_passes_lint(flow):
    source = parse(dump(flow), "main.yaml")
    assert not source.problems
    model = validate(source, "main")
    assert set(model.nodes) == set(flow["nodes"])
    assert model.retries == flow.get("retries", 2)
    assert model.human.queue == flow["human"]["queue"]


@CALLS
@given(flow=valid_flows(), data=st.data())
def test_from_every_question_key_0_reaches_a_person(line, flow, data):
    with line(flow) as phone:
        call = reach_a_question(phone, data)
        before = len(call.heard)
        call.press("0")
        assert_with_a_person(phone, call, ASKED, before)


@CALLS
@given(flow=valid_flows(), data=st.data())
def test_from_every_question_saying_an_escape_word_reaches_a_person(line, flow, data):
    with line(flow) as phone:
        call = reach_a_question(phone, data)
        words = sorted({w for lang in flow["languages"] for w in phone.model.escape_words[lang]})
        word = data.draw(st.sampled_from(words), label="escape word")
        word = data.draw(st.sampled_from([word, word.upper(), word.capitalize()]))
        filler = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs")), max_size=30
                         ).filter(lambda text: not asks_for_supervisor(text))
        sentence = f"{data.draw(filler, label='before')} {word} {data.draw(filler)}"
        before = len(call.heard)
        call.says(sentence)
        assert_with_a_person(phone, call, ASKED, before)


@CALLS
@pytest.mark.slow  # among the slowest property runs
@given(flow=valid_flows(), data=st.data())
def test_silence_at_any_question_reaches_a_person_after_the_retries(line, flow, data):
    with line(flow) as phone:
        call = reach_a_question(phone, data)
        for _ in range(phone.retries):
            call.stays_silent()
            assert asked(call), "silence is retried before going to a person"
            assert_told_how_to_escape(phone, call)
        before = len(call.heard)
        call.stays_silent()
        assert_with_a_person(phone, call, "no input", before)


@CALLS
@pytest.mark.slow  # among the slowest property runs
@given(flow=valid_flows(), data=st.data())
def test_wrong_keys_at_any_question_reach_a_person_after_the_retries(line, flow, data):
    with line(flow) as phone:
        call = reach_a_question(phone, data)
        for _ in range(phone.retries):
            call.press(data.draw(st.sampled_from(phone.wrong_keys(call)), label="wrong key"))
            assert asked(call), "a wrong key is retried before going to a person"
            assert_told_how_to_escape(phone, call)
        before = len(call.heard)
        call.press(data.draw(st.sampled_from(phone.wrong_keys(call)), label="wrong key"))
        assert_with_a_person(phone, call, "not understood", before)


# -- found by the properties: flows lint accepted whose calls then failed ------------------

def lint_problems(flow: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, message) of each problem lint finds in the flow; empty when it accepts it."""
    try:
        validate(parse(dump(flow), "main.yaml"), "main")
    except FlowError as refused:
        return [(p.rule, p.message) for p in refused.problems]
    return []


ACCOUNT = {"type": "collect", "variable": "account", "length": 4, "confirm": False,
           "prompt": {"en": "Enter your account number."}, "next": "bye"}
BYE = {"type": "goodbye", "prompt": {"en": "Bye."}}
ENGLISH = {"languages": {"en": {"voice": "Polly.Joanna", "locale": "en-US"}},
           "human": {"queue": "support"}, "start": "account",
           "nodes": {"account": ACCOUNT, "bye": BYE}}
AGAIN = {"type": "menu", "prompt": {"en": "For another account, press one."},
         "options": [{"key": 1, "goto": "account"}, {"key": 2, "goto": "bye"}]}
LOOP_BACK = ENGLISH | {"nodes": {"account": ACCOUNT | {"next": "account"}}}
MISSPELT = ENGLISH | {"messages": {"en": {"confirm_digits": "You typed {digitos}."}},
                      "nodes": ENGLISH["nodes"] | {"account": ACCOUNT | {"confirm": True}}}
PASTED_TAB = ENGLISH | {"nodes": ENGLISH["nodes"] | {"account": ACCOUNT | {
    "prompt": {"en": "Enter your account\vnumber."}}}}


# Lint accepted these when these tests were written, and then the call failed: lint now
# refuses each, saying why (the generator stays clear of them).
@pytest.mark.parametrize(("flow", "rule", "says"), [
    pytest.param(LOOP_BACK, "silent-loop", "nodes account -> account form a loop that never "
                 "asks the caller anything", id="a-question-skipped-once-answered-leads-back"),
    pytest.param(MISSPELT, "placeholder", "message 'confirm_digits': unknown placeholder "
                 "{digitos}; it takes {digits}", id="a-read-back-with-a-misspelt-placeholder"),
    pytest.param(PASTED_TAB, "type", "'en' contains the control character U+000B, which "
                 "cannot be said; remove it", id="a-prompt-with-a-vertical-tab-pasted-in"),
])
def test_flows_that_once_failed_their_callers_are_refused_by_lint(flow, rule, says):
    assert lint_problems(flow) == [(rule, says)]


# Their nearest neighbours that lint accepts must serve the caller what they were written for.
@pytest.mark.parametrize(("flow", "keys", "hears"), [
    pytest.param(ENGLISH | {"nodes": {"account": ACCOUNT | {"next": "again"}, "again": AGAIN,
                                      "bye": BYE}}, ["1234", "1"],
                 "For another account, press one.", id="a-question-answered-then-asked-around"),
    pytest.param(MISSPELT | {"messages": {"en": {"confirm_digits": "You typed {digits}."}}},
                 ["1234"], "You typed 1 2 3 4.", id="a-read-back-with-its-placeholder"),
    pytest.param(ENGLISH, [], "Enter your account number.", id="a-prompt-said-whole"),
])
def test_the_nearest_flows_lint_accepts_serve_their_callers(line, flow, keys, hears):
    assert lint_problems(flow) == []
    with line(flow) as phone:
        call = Call(phone.app, TOKEN).dial()
        for key in keys:
            call.press(key)
        assert asked(call), f"the caller should still be asked, not {call.ending}"
        assert call.heard[-2].split("] ", 1)[-1] == hears, call.heard
        assert_told_how_to_escape(phone, call)
