"""The generic part of checking a flow: one Checker that reports located problems and
walks field tables, and the simple kinds of value (text, names, numbers, lists).

A field table maps a field to (kind, required); a kind is a function
`kind(checker, value, path)` that returns the checked value, or None after reporting
a problem. Kinds are looked up by name in the checker's table, which validate.py
composes from this module's KINDS, each *_rules module's and each node type's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ivr_app.flow import builtins, model, spec
from ivr_app.flow.errors import Problem
from ivr_app.flow.source import Path_, Source
from ivr_app.flow.wording import Wording, did_you_mean, words

_UNSAYABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_KIND_WORDS = {dict: words("a mapping", "un mapa"), list: words("a list", "una lista"),
               str: words("text", "texto"), int: words("a number", "un número"),
               bool: words("true/false", "true o false")}

Kind = Callable[["Checker", Any, Path_], Any]
FieldTable = dict[str, tuple[str, bool]]  # field -> (kind name, required)


def _kind(value: Any) -> Wording | str:
    if value is None:
        return words("nothing", "nada")
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

    def error(self, path: Path_, message: Wording, rule: str, *, key: bool = False) -> None:
        line, column = self.source.where(path, key=key)
        self.problems.append(Problem.worded(self.source.file, line, column, message, rule))

    def expect(self, value: Any, typ: type, path: Path_, what: Wording | str) -> bool:
        """`what` names the value: its field ('say'), or words for it (node 'billing')."""
        if type(value) is typ:
            return True
        self.error(path, words("{what} must be {kind}, not {given}",
                               "{what} debe ser {kind}, no {given}", what=what,
                               kind=_KIND_WORDS[typ], given=_kind(value)), "type")
        return False

    def fields(self, value: Any, path: Path_, table: FieldTable,
               what: Wording | str, extra: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """Check a mapping against a field table; return the checked values."""
        if not self.expect(value, dict, path, what):
            return None
        checked: dict[str, Any] = {}
        allowed = tuple(table) + extra
        for key, item in value.items():
            if key in extra:
                continue
            if key not in table:
                self.error((*path, key), words(
                    "{what}: unknown field {key!r}; {hint}expected one of {choices}",
                    "{what}: campo desconocido {key!r}; {hint}se espera uno de {choices}",
                    what=what, key=key, hint=did_you_mean(key, allowed),
                    choices=", ".join(repr(k) for k in allowed)), "unknown-field", key=True)
                continue
            kind, _ = table[key]
            checked[key] = self.kinds[kind](self, item, (*path, key))
        for key, (_, required) in table.items():
            if required and key not in value:
                self.error(path, words("{what}: missing required field {key!r}",
                                       "{what}: falta el campo obligatorio {key!r}", what=what,
                                       key=key), "required")
        return checked


def placeholder_written(name: str, format_spec: str | None, conversion: str | None) -> str:
    """A placeholder as the supervisor wrote it, braces left out: `when!r`, `n:>3`."""
    return name + (f"!{conversion}" if conversion else "") + \
        (f":{format_spec}" if format_spec else "")


def text(check: Checker, value: Any, path: Path_) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not check.expect(value, str, path, f"{path[-1]!r}"):
        return None
    if not value.strip():
        check.error(path, words("{field!r} must not be empty", "{field!r} no debe estar vacío",
                                field=path[-1]), "type")
        return None
    if bad := _UNSAYABLE.search(value):
        check.error(path, words(
            "{field!r} contains the control character U+{code:04X}, which cannot be said; "
            "remove it", "{field!r} contiene el carácter de control U+{code:04X}, que no se "
            "puede decir; quítelo", field=path[-1], code=ord(bad.group())), "type")
        return None
    return value.strip()


def scalar_text(check: Checker, value: Any, path: Path_) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    return text(check, value, path)


def name(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not NAME.match(said):
        check.error(path, words(
            "{said!r} is not a valid name: use letters, digits, '_', '-' or '.', starting "
            "with a letter", "{said!r} no es un nombre válido: use letras, dígitos, '_', '-' "
            "o '.', empezando por una letra", said=said), "type")
        return None
    return said


def phone(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not _PHONE.match(said):
        check.error(path, words("{said!r} is not an E.164 number like +15551234567",
                                "{said!r} no es un número E.164 como +15551234567",
                                said=said), "type")
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
        check.error(path, words("{field!r} must be from {low} to {high}, not {number}",
                                "{field!r} debe estar entre {low} y {high}, no {number}",
                                field=path[-1], low=low, high=high, number=number), "range")
        return None
    return number


def url(check: Checker, value: Any, path: Path_) -> str | None:
    said = text(check, value, path)
    if said is not None and not said.startswith(("https://", "http://")):
        check.error(path, words("{said!r} must be an http(s) URL",
                                "{said!r} debe ser una URL http(s)", said=said), "type")
        return None
    return said


def word_list(check: Checker, value: Any, path: Path_) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not check.expect(value, list, path, f"{path[-1]!r}"):
        return None
    items = [text(check, w, (*path, i)) for i, w in enumerate(value)]
    return tuple(w for w in items if w)


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
