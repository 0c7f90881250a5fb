"""The generic part of checking a flow: reporting located problems, field tables
and the simple kinds of value (text, names, numbers, lists). validate.py adds
the flow-specific kinds.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from ivr_app.flow import spec
from ivr_app.flow.errors import Problem
from ivr_app.flow.source import Path_, Source

_UNSAYABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_KIND_WORDS = {dict: "a mapping", list: "a list", str: "text", int: "a number", bool: "true/false"}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for typ, word in _KIND_WORDS.items():
        if type(value) is typ:
            return word
    return type(value).__name__


class Checker:
    """Walks values against field tables; each `k_<kind>` method checks one kind of value.

    A kind method returns the checked value, or None after reporting a problem.
    """

    def __init__(self, source: Source):
        self.source = source
        self.problems: list[Problem] = list(source.problems)

    def error(self, path: Path_, message: str, rule: str, *, key: bool = False) -> None:
        line, column = self.source.where(path, key=key)
        self.problems.append(Problem(self.source.file, line, column, message, rule))

    def expect(self, value: Any, typ: type, path: Path_, what: str) -> bool:
        if type(value) is typ or (typ is str and type(value) in (int, float)
                                  and what.endswith("text")):
            return True
        self.error(path, f"{what} must be {_KIND_WORDS[typ]}, not {_kind(value)}", "type")
        return False

    def fields(self, value: Any, path: Path_, table: dict[str, tuple[str, bool]],
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
            checked[key] = getattr(self, "k_" + kind)(item, (*path, key))
        for key, (_, required) in table.items():
            if required and key not in value:
                self.error(path, f"{what}: missing required field {key!r}", "required")
        return checked

    def k_text(self, value: Any, path: Path_) -> str | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not self.expect(value, str, path, f"{path[-1]!r}"):
            return None
        if not value.strip():
            self.error(path, f"{path[-1]!r} must not be empty", "type")
            return None
        if bad := _UNSAYABLE.search(value):
            self.error(path, f"{path[-1]!r} contains the control character "
                       f"U+{ord(bad.group()):04X}, which cannot be said; remove it", "type")
            return None
        return value.strip()

    def k_scalar_text(self, value: Any, path: Path_) -> str | None:
        if isinstance(value, bool):
            return "true" if value else "false"
        return self.k_text(value, path)

    def k_name(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and not NAME.match(text):
            self.error(path, f"{text!r} is not a valid name: use letters, digits, '_', '-' "
                       "or '.', starting with a letter", "type")
            return None
        return text

    def k_phone(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and not _PHONE.match(text):
            self.error(path, f"{text!r} is not an E.164 number like +15551234567", "type")
            return None
        return text

    def k_bool(self, value: Any, path: Path_) -> bool | None:
        return value if self.expect(value, bool, path, f"{path[-1]!r}") else None

    def k_int(self, value: Any, path: Path_) -> int | None:
        return value if self.expect(value, int, path, f"{path[-1]!r}") else None

    def _limited(self, value: Any, path: Path_) -> int | None:
        low, high, _ = spec.LIMITS[str(path[-1])]
        number = self.k_int(value, path)
        if number is not None and not low <= number <= high:
            self.error(path, f"{path[-1]!r} must be from {low} to {high}, not {number}", "range")
            return None
        return number

    k_retries = k_timeout = k_max_options = k_attempts = _limited

    def k_url(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and not text.startswith(("https://", "http://")):
            self.error(path, f"{text!r} must be an http(s) URL", "type")
            return None
        return text

    def k_word_list(self, value: Any, path: Path_) -> tuple[str, ...] | None:
        if isinstance(value, str):
            value = [value]
        if not self.expect(value, list, path, f"{path[-1]!r}"):
            return None
        words = [self.k_text(w, (*path, i)) for i, w in enumerate(value)]
        return tuple(w for w in words if w)

    def k_text_list(self, value: Any, path: Path_) -> tuple[str, ...] | None:
        if not self.expect(value, list, path, f"{path[-1]!r}"):
            return None
        texts = [self.k_scalar_text(w, (*path, i)) for i, w in enumerate(value)]
        return tuple(t for t in texts if t is not None)

    def k_checksum(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and text not in spec.CHECKSUMS:
            self.error(path, f"unknown checksum {text!r}; expected one of "
                       f"{', '.join(spec.CHECKSUMS)}", "type")
            return None
        return text

    def k_length(self, value: Any, path: Path_) -> tuple[int, int] | None:
        if isinstance(value, int) and not isinstance(value, bool):
            low = high = value
        else:
            checked = self.fields(value, path, spec.LENGTH_FIELDS, "'length'")
            if not checked or None in checked.values() or len(checked) < 2:
                return None
            low, high = checked["min"], checked["max"]
        if not 2 <= low <= high <= spec.MAX_DIGITS:
            self.error(path, f"length must satisfy 2 <= min <= max <= {spec.MAX_DIGITS} "
                       "(a lone 0 is the escape)", "range")
            return None
        return low, high

    def k_variables(self, value: Any, path: Path_) -> dict[str, str] | None:
        if not self.expect(value, dict, path, "'set'"):
            return None
        result = {}
        for name, item in value.items():
            text = self.k_scalar_text(item, (*path, name))
            if self.k_name(name, (*path, name)) and text:
                result[name] = text
        return result

