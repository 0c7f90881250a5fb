"""Every question the line asks goes through one mechanism (call/dialog.py): no other module
writes a <Gather>, so retries, escape words, 0, silence and speech cannot drift apart."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MECHANISM = Path("ivr_app/call/dialog.py")


def gathers_in(source: str) -> list[int]:
    """Lines that call `.gather(` or build a `Gather` verb."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("gather", "Gather"):
            found.append(node.lineno)
    return found


def test_no_module_but_the_dialog_mechanism_writes_a_gather():
    elsewhere = [f"{path.relative_to(ROOT)}:{line}"
                 for path in sorted((ROOT / "ivr_app").rglob("*.py"))
                 if path.relative_to(ROOT) != MECHANISM
                 for line in gathers_in(path.read_text(encoding="utf-8"))]
    assert elsewhere == []
    assert gathers_in((ROOT / MECHANISM).read_text(encoding="utf-8"))  # the one that does


def test_the_scan_sees_both_ways_of_writing_a_gather():
    assert gathers_in("response.gather(action='/x')\n") == [1]
    assert gathers_in("from twilio.twiml.voice_response import Gather\n\nGather(action='/x')\n") \
        == [3]
    assert gathers_in("response.say('hi')\n") == []
