"""What the checker and the audit say reaches a Spanish supervisor in Spanish: every message
is written in both languages, with the same values, and nothing is said in English only."""

from __future__ import annotations

import ast
import dataclasses
import string
from pathlib import Path

from ivr_app.console.text import LANGUAGES as CONSOLE_LANGUAGES
from ivr_app.flow import wording

ROOT = Path(__file__).resolve().parents[1]
SAID_BY = ["ivr_app/flow", "ivr_app/call/rehearsal.py"]  # where checks and the audit speak
SAYING = {"error", "problem", "worded"}  # each takes the message as its second argument
NEUTRAL = set(string.punctuation + string.whitespace)  # a template of placeholders alone


def sources() -> list[Path]:
    found: list[Path] = []
    for place in SAID_BY:
        path = ROOT / place
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def calls(name: str) -> list[tuple[Path, ast.Call]]:
    """Every call of a function or method called `name` in the files that speak."""
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.append((path, node))
    return found


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_message_has_its_english_and_spanish_with_the_same_values():
    messages = calls("words")
    assert len(messages) > 100, "the checks and the audit speak through words()"
    for path, call in messages:
        en, es = call.args[:2]
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        assert isinstance(en, ast.Constant) and isinstance(es, ast.Constant), \
            f"{where}: write both templates out, so each message has one home"
        assert fields(en.value) == fields(es.value), f"{where}: {en.value!r} / {es.value!r}"
        assert {kw.arg for kw in call.keywords} == fields(en.value), where
        if set(en.value) - NEUTRAL - set("{}"):
            assert en.value != es.value, f"{where}: {en.value!r} is not translated"


def test_nothing_is_reported_in_english_only():
    for name in SAYING:
        for path, call in calls(name):
            message = call.args[1] if name != "worded" else call.args[3]
            assert not isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp), \
                f"{path.relative_to(ROOT)}:{call.lineno}: a message in words(), not a string"
    plain = [f"{path.relative_to(ROOT)}:{call.lineno}" for path, call in calls("Problem")]
    assert not plain, f"problems made without words (use Problem.worded): {plain}"


def test_a_message_is_said_in_each_language_of_the_console():
    written = {f.name for f in dataclasses.fields(wording.Wording)} - {"values"}
    assert written == set(CONSOLE_LANGUAGES)
    hint = wording.did_you_mean("goodby", ["goodbye", "menu"], "; ", "")
    said = wording.words("goto target {target!r} is not a node{hint}",
                         "el destino de goto {target!r} no es un nodo{hint}",
                         target="goodby", hint=hint)
    assert said.render("en") == "goto target 'goodby' is not a node; did you mean 'goodbye'?"
    assert said.render("es") == ("el destino de goto 'goodby' no es un nodo; ¿quiso decir "
                                 "'goodbye'?")
