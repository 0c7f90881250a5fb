"""Checking a flow's `callbacks:` settings: thresholds, tries, hours and countries."""

from __future__ import annotations

from typing import Any

import phonenumbers

from ivr_app.flow import checker, model, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words


def callbacks(check: Checker, value: Any, path: Path_) -> model.CallbackSettings | None:
    checked = check.fields(value, path, spec.CALLBACK_FIELDS, "'callbacks'")
    if checked is None or None in checked.values():
        return None
    if "countries" in checked:
        checked["countries"] = tuple(checked["countries"])
    return model.CallbackSettings(**checked)


def seconds(check: Checker, value: Any, path: Path_) -> int | None:
    number = checker.integer(check, value, path)
    if number is not None and not 0 <= number <= 7 * 24 * 3600:
        check.error(path, words("{field!r} must be seconds from 0 to one week, not {number}",
                                "{field!r} debe ser de 0 segundos a una semana, no {number}",
                                field=path[-1], number=number), "range")
        return None
    return number


def seconds_by_queue(check: Checker, value: Any, path: Path_) -> dict[str, int] | None:
    if not check.expect(value, dict, path, f"{path[-1]!r}"):
        return None
    result = {name: seconds(check, v, (*path, name)) for name, v in value.items()}
    return None if None in result.values() else result


def country(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in phonenumbers.SUPPORTED_REGIONS:
        check.error(path, words("{text!r} is not a two-letter country code like 'MX'",
                                "{text!r} no es un código de país de dos letras como 'MX'",
                                text=text), "type")
        return None
    return text


def countries(check: Checker, value: Any, path: Path_) -> list[str] | None:
    """The countries a callback may be placed to; an empty list would drop the whole
    `callbacks:` section, so it is named rather than ignored."""
    if not check.expect(value, list, path, "'countries'"):
        return None
    if not value:
        check.error(path, words("'countries' must name at least one country, like [MX]",
                                "'countries' debe nombrar al menos un país, como [MX]"),
                    "required")
        return None
    found = [country(check, v, (*path, i)) for i, v in enumerate(value)]
    return None if None in found else found


KINDS: dict[str, Kind] = {"callbacks": callbacks, "seconds": seconds,
                          "seconds_by_queue": seconds_by_queue, "country": country,
                          "countries": countries}
