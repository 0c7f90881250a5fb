"""A request's JSON body, read one way by the API and every console endpoint.

Python's parser recurses: a body nested a few thousand deep raises RecursionError (a 500),
so nesting is measured on the raw text first. Numbers must be finite (`1e999` and `NaN`
parse to values no field means), and each key may appear once (else which one counts is
the parser's choice). Every refusal is a 400 whose description says what was wrong; the
API and the console answer it as JSON ({"error": ...}).
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from flask import abort, request

MAX_DEPTH = 8  # objects and lists inside each other
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


def parse(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """A JSON text as Python values; ValueError saying what is wrong with it."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depth = max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)
    if depth > max_depth:
        raise ValueError(f"JSON nested more than {max_depth} levels deep")
    return json.loads(text, object_pairs_hook=_once, parse_float=_finite,
                      parse_constant=_no_constant)


def json_body(max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """The request's JSON object (its size capped by MAX_CONTENT_LENGTH, like every
    request's); 400 for anything else."""
    if not request.is_json:
        abort(400, "expected a JSON object (Content-Type: application/json)")
    try:
        body = parse(request.get_data(as_text=True), max_depth)
    except ValueError as exc:  # JSONDecodeError is one
        abort(400, f"unreadable JSON: {exc}")
    if not isinstance(body, dict):
        abort(400, "expected a JSON object")
    return body


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key[:40]!r} appears more than once")
        found[key] = value
    return found


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is too large")
    return number


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")
