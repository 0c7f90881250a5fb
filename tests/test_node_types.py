"""Node types are each one module, registered in one table, and nothing else names them.

Every registered type brings all of its parts; a new type (here an "ask for a date" node,
written in this file alone) is checked by lint, played on a call, drawn and audited
without a change anywhere else; and the checker is built by composition, not by a
tower of classes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

import ivr_app.flow
from ivr_app.__main__ import lint_command
from ivr_app.console.diagram import layout
from ivr_app.flow import checker
from ivr_app.flow.audit import audit
from ivr_app.flow.checker import Checker
from ivr_app.flow.diagram import mermaid
from ivr_app.flow.errors import FlowError
from ivr_app.flow.model import Flow, Node
from ivr_app.flow.nodes import TYPES
from ivr_app.flow.nodes.base import (
    ASK,
    Drawn,
    Entered,
    Facts,
    Input,
    NodeType,
    Question,
    keep,
    keys_only,
    nowhere,
    plain_edges,
)
from ivr_app.flow.source import Path_
from ivr_app.flow.validate import kinds, load_flow
from ivr_app.flow.wording import words

README = Path("flows/README.md").read_text(encoding="utf-8")


def test_every_registered_type_provides_all_its_parts():
    known_kinds = kinds()
    for name, kind in TYPES.items():
        assert kind.name == name
        assert issubclass(kind.model, Node), name
        assert kind.fields, f"{name} has no fields"
        unknown = {k for k, _ in kind.fields.values()} - known_kinds.keys()
        assert not unknown, f"{name}'s fields name kinds nobody checks: {unknown}"
        for part in ("build", "enter", "passes_to", "edges", "facts", "listens"):
            assert callable(getattr(kind, part)), f"{name} has no {part}"
        assert len(kind.drawn.brackets) == 2 and all(kind.drawn.brackets), f"{name}: no box"
        asking = (kind.question, kind.answer)
        if kind.asks:
            assert all(callable(p) for p in asking), f"{name} asks without a question/answer"
        else:
            assert asking == (None, None), f"{name} does not ask, yet has a question"


def test_every_registered_type_is_documented_in_the_flow_guide():
    section = README.split("\n## Node types\n")[1].split("\n## ")[0]
    documented = re.findall(r"^\| `(\w+)` \| (yes|no) \|", section, re.MULTILINE)
    assert sorted(documented) == [(name, "yes" if kind.asks else "no")
                                  for name, kind in sorted(TYPES.items())]


def test_no_class_of_the_flow_package_is_deeper_than_two():
    package = ivr_app.flow
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            own = [c for c in cls.__mro__ if c.__module__.startswith("ivr_app.")]
            assert len(own) <= 2, f"{cls.__module__}.{cls.__qualname__}: {own}"


# -- a new node type, written here and nowhere else -------------------------------------

ORDERS = ("day-month", "month-day")


@dataclass(frozen=True)
class DateNode(Node):
    """Asks for a day and a month, typed as four digits."""

    variable: str = ""
    order: str = "day-month"
    next: str = ""
    asks: ClassVar[bool] = True

    def targets(self) -> list[str]:
        return [self.next]


def date_order(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in ORDERS:
        check.error(path, words("order must be one of {orders}, not {text!r}",
                                "el orden debe ser uno de {orders}, no {text!r}",
                                orders=", ".join(ORDERS), text=text), "type")
        return None
    return text


def enter(flow: Flow, state: dict[str, Any], node: DateNode, now: dt.datetime) -> Entered:
    return ASK


def question(node: DateNode, lang: str) -> Question:
    return Question((lang,), max_digits=4)


def answer(flow: Flow, state: dict[str, Any], node: DateNode, event: Input) -> object:
    digits = event.value if event.kind == "digits" else ""
    if len(digits) != 4 or not digits.isdigit():
        return None
    day, month = (digits[:2], digits[2:]) if node.order == "day-month" else (digits[2:],
                                                                              digits[:2])
    try:
        dt.date(2024, int(month), int(day))  # a leap year: 29 February is a date
    except ValueError:
        return None
    state["vars"][node.variable] = f"{day}/{month}"
    return node.next


DATE = NodeType(
    name="date", model=DateNode,
    fields={"prompt": ("prompt", True), "variable": ("name", True),
            "order": ("date_order", False), "next": ("node_ref", True)},
    build=keep, enter=enter, passes_to=nowhere,
    drawn=Drawn(("[/", "/]"), fill="#fde2f3"), edges=plain_edges,
    facts=lambda node: Facts(collects=node.variable), listens=keys_only,
    question=question, answer=answer, kinds={"date_order": date_order},
)

FLOW = """\
languages:
  es: {voice: Polly.Mia, locale: es-MX}
human: {queue: support}
start: when
nodes:
  when:
    type: date
    prompt: {es: "Marque el día y el mes de su cita, por ejemplo dos cinco uno dos."}
    variable: appointment
    next: thanks
  thanks:
    type: goodbye
    prompt: {es: "Gracias. Hasta luego."}
"""


@pytest.fixture
def date_type(monkeypatch):
    monkeypatch.setitem(TYPES, "date", DATE)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "main.yaml").write_text(FLOW, encoding="utf-8")
    return folder


def test_a_flow_with_a_new_node_type_passes_lint(date_type, flows, capsys):
    assert lint_command([str(flows / "main.yaml")]) == 0
    assert f"{flows / 'main.yaml'}: ok (2 nodes" in capsys.readouterr().out


def test_the_new_types_own_fields_are_checked_where_they_are_written(date_type, tmp_path):
    path = tmp_path / "main.yaml"
    path.write_text(FLOW.replace("    variable: appointment\n", "    order: sideways\n"),
                    encoding="utf-8")
    with pytest.raises(FlowError) as refused:
        load_flow(path)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:7:5: node 'when': missing required field 'variable' [required]",
        f"{path}:9:12: order must be one of day-month, month-day, not 'sideways' [type]",
    ]


def test_without_its_module_registered_the_type_is_refused(tmp_path):
    path = tmp_path / "main.yaml"
    path.write_text(FLOW, encoding="utf-8")
    with pytest.raises(FlowError, match="unknown node type 'date'"):
        load_flow(path)


def test_a_caller_answers_the_new_question_on_a_signed_call(date_type, flows, make_call):
    call = make_call(FLOWS_DIR=str(flows))
    call.dial()
    assert "[es-MX] Marque el día y el mes de su cita, por ejemplo dos cinco uno dos." \
        in call.heard
    assert "[es-MX] Para hablar con una persona, marque cero." in call.heard
    call.press("3102")  # no 31 February: not understood, asked again
    assert "[es-MX] No entendimos su respuesta." in call.heard
    call.press("2512")
    assert call.ending.kind == "goodbye"
    _, state = call.app.extensions["ivr"].store.load(call.sid)
    assert state["vars"] == {"appointment": "25/12"}


def test_the_escape_works_at_the_new_question(date_type, flows, make_call):
    call = make_call(FLOWS_DIR=str(flows))
    call.dial().press("0")
    assert (call.ending.kind, call.ending.queue, call.ending.reason) == (
        "human", "support", "asked for a person")


def test_the_new_type_is_drawn_and_audited(date_type, flows):
    flow = load_flow(flows / "main.yaml")
    drawn = mermaid(flow)
    assert '    n_when[/"when (date)"/]\n' in drawn
    assert '    n_when -.->|"0 / agente / agent"| Q_support\n' in drawn
    assert "    n_when --> n_thanks\n" in drawn
    box = next(b for b in layout(flow).boxes if b.id == "when")
    assert (box.kind, box.asks, box.fill) == ("date", True, "#fde2f3")
    points = audit(flow)
    assert points[0].evidence.startswith("1 questions; key 0 at every one")
    assert points[2].evidence.startswith("variables appointment are asked at most once")
    # A date is not a choice of where to go: the goodbye after it is not the caller's pick.
    assert [(p.point, p.evidence) for p in points if not p.passed] == [
        (8, "ends the call without the caller choosing it: thanks")]
