"""Checking a flow's `returning:` section: the question, the topics and how long to wait."""

from __future__ import annotations

import string
from typing import Any

from ivr_app.flow import model, spec
from ivr_app.flow.callback_rules import CallbackChecker
from ivr_app.flow.source import Path_


class ReturningChecker(CallbackChecker):
    """Adds the `returning:` kinds."""

    def k_returning(self, value: Any, path: Path_) -> model.ReturningSettings | None:
        checked = self.fields(value, path, spec.RETURNING_FIELDS, "'returning'")
        if not checked or None in checked.values():
            return None
        for lang, text in checked["ask"].items():
            self.check_fields_of(text, (*path, "ask", lang))
        unknown = [t for t in checked.get("open_issues", ()) if t not in checked["topics"]]
        for topic in unknown:
            self.error((*path, "open_issues"), f"open issue {topic!r} is not under "
                       "returning.topics: name it there, per language", "unknown-topic")
        if unknown:
            return None
        return model.ReturningSettings(**{**checked, "open_issues": tuple(
            checked.get("open_issues", ()))})

    def check_fields_of(self, text: str, path: Path_) -> None:
        """The question may use {when} and {topic}, written as plain names."""
        try:
            used = [(f, s, c) for _, f, s, c in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            self.error(path, f"{exc}; write braces as {{{{ and }}}}", "placeholder")
            return
        for name, format_spec, conversion in used:
            if format_spec or conversion or name not in spec.RETURNING_PLACEHOLDERS:
                self.error(path, f"placeholder {{{name}}} is not one of {{when}}, {{topic}}",
                           "placeholder")

    def k_hours_count(self, value: Any, path: Path_) -> int | None:
        number = self.k_int(value, path)
        if number is not None and not 1 <= number <= 30 * 24:
            self.error(path, f"{path[-1]!r} must be hours from 1 to 720, not {number}", "range")
            return None
        return number

    def k_topic_names(self, value: Any, path: Path_) -> dict[str, dict[str, str]] | None:
        if not self.expect(value, dict, path, "'topics'"):
            return None
        named = {topic: self.k_texts(texts, (*path, topic)) for topic, texts in value.items()}
        return None if None in named.values() or not named else named

    def k_names(self, value: Any, path: Path_) -> list[str] | None:
        if not self.expect(value, list, path, f"{path[-1]!r}"):
            return None
        names = [self.k_text(v, (*path, i)) for i, v in enumerate(value)]
        return None if None in names else names
