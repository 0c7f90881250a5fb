"""The loader's manners on flows nobody wrote: broken at random, it answers with located
problems, never with a traceback (tests/flowgen_broken.py breaks the flows)."""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from ivr_app.__main__ import lint_command
from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate
from tests.flowgen import dump
from tests.flowgen_broken import broken_flow_texts

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
LOADER = settings(max_examples=150, deadline=None, phases=PHASES,
                  suppress_health_check=[HealthCheck.too_slow])


# -- 2. broken flow files: located problems, never a traceback ----------------------------

def assert_refused_with_located_problems_or_accepted(text: str) -> bool:
    """Load a flow text; True if accepted. Only FlowError may come out, well located."""
    try:
        validate(parse(text, "f.yaml"), "f")
    except FlowError as exc:
        assert exc.problems, "a refused flow must say why"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1, problem
            assert problem.message.strip() and problem.rule.strip(), problem
            assert problem.said("es") != problem.message, f"no Spanish for {problem}"
            assert str(problem).startswith(f"f.yaml:{problem.line}:{problem.column}: ")
        return False
    return True


def assert_lint_answers(content: str | bytes, accepted: bool | None = None) -> None:
    """`lint` exits 0 or 1 with file:line:column lines, whatever the file holds."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "flow.yaml")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = lint_command([str(path)])
    assert code in (0, 1)
    if accepted is not None:
        assert code == (0 if accepted else 1)
    first = out.getvalue().partition("\n")[0]
    assert re.match(rf"{re.escape(str(path))}:(\d+:\d+: \S| ok )", first), first


# Inputs that crashed the loader with a traceback when these tests were written.
TINY = {"languages": {"es": {"voice": "Polly.Mia", "locale": "es-MX"}},
        "human": {"queue": "support"}, "start": "bye",
        "nodes": {"bye": {"type": "goodbye", "prompt": {"es": "Adiós"}}}}
START_IS_A_LIST = dump(TINY | {"start": ["bye"]})
TYPE_IS_A_LIST = dump(TINY | {"nodes": {"bye": {"type": ["goodbye"], "prompt": {"es": "Adiós"}}}})
IMPOSSIBLE_HOLIDAY = dump(TINY) + "hours: {x: {timezone: UTC, holidays: [2026-02-30]}}\n"
NOT_A_BOOL = dump(TINY).replace("start: bye", "start: !!bool bye")
NOT_A_TIMESTAMP = dump(TINY).replace("start: bye", "start: !!timestamp bye")
ONE_DIGIT_ACCOUNT = dump(TINY | {"start": "account", "nodes": TINY["nodes"] | {"account": {
    "type": "collect", "variable": "account", "length": 1, "prompt": {"es": "Su cuenta."},
    "next": "bye"}}})


@LOADER
@pytest.mark.slow  # among the slowest property runs
@given(text=broken_flow_texts())
@example(text=START_IS_A_LIST)
@example(text=TYPE_IS_A_LIST)
@example(text=IMPOSSIBLE_HOLIDAY)
@example(text=NOT_A_BOOL)
@example(text=NOT_A_TIMESTAMP)
@example(text=ONE_DIGIT_ACCOUNT)
def test_a_broken_flow_is_refused_with_located_problems_never_a_traceback(text):
    accepted = assert_refused_with_located_problems_or_accepted(text)
    assert_lint_answers(text, accepted)


@LOADER
@given(text=st.text(max_size=300))
def test_random_text_is_refused_with_located_problems_never_a_traceback(text):
    assert_refused_with_located_problems_or_accepted(text)


@LOADER
@given(content=st.one_of(st.binary(max_size=300),
                         st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_lint_answers_random_bytes_with_an_exit_code_never_a_traceback(content):
    assert_lint_answers(content)


CONTROL_CHARACTERS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                       *range(0x7F, 0x85), *range(0x86, 0xA0), 0xFFFE, 0xFFFF]]


SMALL_FLOW = dump({
    "languages": {"es": {"voice": "Polly.Mia", "locale": "es-MX"},
                  "en": {"voice": "Polly.Joanna", "locale": "en-US"}},
    "human": {"queue": "support"},
    "start": "menu",
    "nodes": {"menu": {"type": "menu", "prompt": {"es": "Hola, ¿qué desea?", "en": "Hello."},
                       "options": [{"key": 1, "say": {"es": ["factura"], "en": ["bill"]},
                                    "goto": "bye"}]},
              "bye": {"type": "goodbye", "prompt": {"es": "Adiós.", "en": "Bye."}}},
})


@LOADER
@given(at=st.integers(0, len(SMALL_FLOW)), character=st.sampled_from(CONTROL_CHARACTERS))
def test_a_stray_control_character_is_reported_at_its_line_and_column(at, character):
    """Pasted text can carry a NUL or a vertical tab; lint must say where, on one line."""
    text = SMALL_FLOW[:at] + character + SMALL_FLOW[at:]
    with pytest.raises(FlowError) as refused:
        validate(parse(text, "f.yaml"), "f")
    [problem] = refused.value.problems
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    assert (problem.line, problem.column, problem.rule) == (line, column, "yaml")
    assert "\n" not in problem.message, "one problem, one line of lint output"
