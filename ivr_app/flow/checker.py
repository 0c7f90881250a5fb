"""The generic part of checking a flow: one Checker that reports located problems and
walks field tables, and the simple kinds of value (text, names, numbers, lists).

A field table maps a field to (kind, required); a kind is a function
`kind(checker, value, path)` that returns the checked value, or None after reporting
a problem. Kinds are looked up by name in the checker's table, which validate.py
composes from this module's KINDS, each *_rules module's and each node type's.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

from ivr_app.flow import builtins, model, spec
from ivr_app.flow.errors import Problem
from ivr_app.flow.source import Path_, Source

_UNSAYABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_KIND_WORDS = {dict: "a mapping", list: "a list", str: "text", int: "a number", bool: "true/false"}

Kind = Callable[["Checker", Any, Path_], Any]
FieldTable = dict[str, tuple[str, bool]]  # field -> (kind name, required)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for typ, word in _KIND_WORDS.items():
        if type(value) is typ:
            return word
    return type(value).__name__


class Checker:
    """What checking one flow file has found so far: the problems, and the names later
    values are checked against (languages, escape words, hours, goto targets)."""

    def __init__(self, source: Source, kinds: Mapping[str, Kind]):
        self.source = source
        self.kinds = kinds
        self.problems: list[Problem] = list(source.problems)
        self.languages: dict[str, model.Voice] = {}
        self.escape_words: dict[str, tuple[str, ...]] = dict(builtins.ESCAPE_WORDS)
        self.hours_names: set[str] = set()
        self.refs: list[tuple[str, Path_]] = []  # every goto, for unknown targets

    def error(self, path: Path_, message: str, rule: str, *, key: bool = False) -> None:
        line, column = self.source.where(path, key=key)
        self.problems.append(Problem(self.source.file, line, column, message, rule))

    def expect(self, value: Any, typ: type, path: Path_, what: str) -> bool:
        if type(value) is typ or (typ is str and type(value) in (int, float)
                                  and what.endswith("text")):
            return True
        self.error(path, f"{what} must be {_KIND_WORDS[typ]}, not {_kind(value)}", "type")
        return False

    def fields(self, value: Any, path: Path_, table: FieldTable,
               what: str, extra: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """Check a mapping against a field table; return the checked values."""
        if not self.expect(value, dict, path, what):
            return None
        checked: dict[str, Any] = {}
        allowed = tuple(table) + extra
        for key, item in value.items():
            if key in extra:
                continue
            if key not in table:
                hint = difflib.get_close_matches(key, allowed, n=1)
                did_you_mean = f"did you mean {hint[0]!r}? " if hint else ""
                choices = ", ".join(repr(k) for k in allowed)
                self.error((*path, key), f"{what}: unknown field {key!r}; {did_you_mean}"
                           f"expected one of {choices}", "unknown-field", key=True)
                continue
            kind, _ = table[key]
            checked[key] = self.kinds[kind](self, item, (*path, key))
        for key, (_, required) in table.items():
            if required and key not in value:
                self.error(path, f"{what}: missing required field {key!r}", "required")
        return checked


def text(check: Checker, value: Any, path: Path_) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not check.expect(value, str, path, f"{path[-1]!r}"):
        return None
    if not value.strip():
        check.error(path, f"{path[-1]!r} must not be empty", "type")
        return None
    if bad := _UNSAYABLE.search(value):
        check.error(path, f"{path[-1]!r} contains the control character "
                    f"U+{ord(bad.group()):04X}, which cannot be said; remove it", "type")
        return None
    return value.strip()


def scalar_text(check: Checker, value: Any, path: Path_) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return text(check, value, path)


def name(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not NAME.match(said):
        check.error(path, f"{said!r} is not a valid name: use letters, digits, '_', '-' "
                    "or '.', starting with a letter", "type")
        return None
    return said


def phone(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not _PHONE.match(said):
        check.error(path, f"{said!r} is not an E.164 number like +15551234567", "type")
        return None
    return said


def boolean(check: Checker, value: Any, path: Path_) -> bool | None:
    return value if check.expect(value, bool, path, f"{path[-1]!r}") else None


def integer(check: Checker, value: Any, path: Path_) -> int | None:
    return value if check.expect(value, int, path, f"{path[-1]!r}") else None


def limited(check: Checker, value: Any, path: Path_) -> int | None:
    """A number within the limits spec.LIMITS sets for this field."""
    low, high, _ = spec.LIMITS[str(path[-1])]
    number = integer(check, value, path)
    if number is not None and not low <= number <= high:
        check.error(path, f"{path[-1]!r} must be from {low} to {high}, not {number}", "range")
        return None
    return number


def url(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not said.startswith(("https://", "http://")):
        check.error(path, f"{said!r} must be an http(s) URL", "type")
        return None
    return said


def word_list(check: Checker, value: Any, path: Path_) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not check.expect(value, list, path, f"{path[-1]!r}"):
        return None
    words = [text(check, w, (*path, i)) for i, w in enumerate(value)]
    return tuple(w for w in words if w)


def text_list(check: Checker, value: Any, path: Path_) -> tuple[str, ...] | None:
    if not check.expect(value, list, path, f"{path[-1]!r}"):
        return None
    texts = [scalar_text(check, w, (*path, i)) for i, w in enumerate(value)]
    return tuple(t for t in texts if t is not None)


def variables(check: Checker, value: Any, path: Path_) -> dict[str, str] | None:
    if not check.expect(value, dict, path, "'set'"):
        return None
    result = {}
    for var, item in value.items():
        said = scalar_text(check, item, (*path, var))
        if name(check, var, (*path, var)) and said:
            result[var] = said
    return result


KINDS: dict[str, Kind] = {
    "text": text, "scalar_text": scalar_text, "name": name, "phone": phone, "bool": boolean,
    "int": integer, "url": url, "word_list": word_list, "text_list": text_list,
    "variables": variables, "retries": limited, "timeout": limited, "max_options": limited,
    "attempts": limited,
}
