"""Checking a flow's `callbacks:` settings: thresholds, tries, hours and countries."""

from __future__ import annotations

from typing import Any

import phonenumbers

from ivr_app.flow import model, spec
from ivr_app.flow.language_rules import LanguageChecker
from ivr_app.flow.source import Path_


class CallbackChecker(LanguageChecker):
    """Adds the `callbacks:` kinds."""

    def k_callbacks(self, value: Any, path: Path_) -> model.CallbackSettings | None:
        checked = self.fields(value, path, spec.CALLBACK_FIELDS, "'callbacks'")
        if checked is None or None in checked.values():
            return None
        if "countries" in checked:
            checked["countries"] = tuple(checked["countries"])
        return model.CallbackSettings(**checked)

    def k_seconds(self, value: Any, path: Path_) -> int | None:
        number = self.k_int(value, path)
        if number is not None and not 0 <= number <= 7 * 24 * 3600:
            self.error(path, f"{path[-1]!r} must be seconds from 0 to one week, not {number}",
                       "range")
            return None
        return number

    def k_seconds_by_queue(self, value: Any, path: Path_) -> dict[str, int] | None:
        if not self.expect(value, dict, path, f"{path[-1]!r}"):
            return None
        result = {name: self.k_seconds(v, (*path, name)) for name, v in value.items()}
        return None if None in result.values() else result

    def k_country(self, value: Any, path: Path_) -> str | None:
        text = self.k_text(value, path)
        if text is not None and text not in phonenumbers.SUPPORTED_REGIONS:
            self.error(path, f"{text!r} is not a two-letter country code like 'MX'", "type")
            return None
        return text

    def k_countries(self, value: Any, path: Path_) -> list[str] | None:
        if not self.expect(value, list, path, "'countries'"):
            return None
        found = [self.k_country(v, (*path, i)) for i, v in enumerate(value)]
        return None if None in found or not found else found

