"""Checking named business hours: time zone, weekly spans and holidays; the names are
remembered for `when: {hours: ...}`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr_app.flow import checker, model, spec
from ivr_app.flow.checker import Checker, Kind
from ivr_app.flow.source import Path_
from ivr_app.flow.wording import words

_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def hours_map(check: Checker, value: Any, path: Path_) -> dict[str, model.Hours] | None:
    if not check.expect(value, dict, path, "'hours'"):
        return None
    result = {}
    for name, item in value.items():
        check.hours_names.add(name)
        checked = check.fields(item, (*path, name), spec.HOURS_FIELDS,
                               words("hours {name!r}", "horario {name!r}", name=name))
        if checked and checked.get("timezone") and checked.get("weekly") is not None:
            result[name] = model.Hours(checked["timezone"], checked["weekly"],
                                       frozenset(checked.get("holidays") or ()))
    return result


def timezone(check: Checker, value: Any, path: Path_) -> ZoneInfo | None:
    text = checker.text(check, value, path)
    if text is None:
        return None
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "America", a folder
        check.error(path, words("unknown time zone {zone!r}; use a name like "
                                "'America/Mexico_City'", "zona horaria desconocida {zone!r}; "
                                "use un nombre como 'America/Mexico_City'", zone=text[:60]),
                    "type")
        return None


def weekly(check: Checker, value: Any, path: Path_) -> dict | None:
    if not check.expect(value, dict, path, "'weekly'"):
        return None
    weekly: dict[int, tuple] = {}
    for days, spans in value.items():
        day_numbers = day_range(check, days, (*path, days))
        span_list = spans if isinstance(spans, list) else [spans]
        parsed = [time_span(check, s, (*path, days)) for s in span_list]
        if day_numbers is None or None in parsed:
            continue
        for day in day_numbers:
            weekly[day] = weekly.get(day, ()) + tuple(parsed)
    return weekly


def day_range(check: Checker, days: str, path: Path_) -> list[int] | None:
    names = days.lower().split("-")
    if len(names) <= 2 and all(n in spec.WEEKDAYS for n in names):
        first, last = spec.WEEKDAYS.index(names[0]), spec.WEEKDAYS.index(names[-1])
        if first <= last:
            return list(range(first, last + 1))
    check.error(path, words("{days!r} is not a day or day range like 'mon-fri'",
                            "{days!r} no es un día ni un rango de días como 'mon-fri'",
                            days=days), "type", key=True)
    return None


def time_span(check: Checker, value: Any, path: Path_) -> tuple[dt.time, dt.time] | None:
    match = _SPAN.match(value.strip()) if isinstance(value, str) else None
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2):
            end = dt.time.max if h2 == 24 else dt.time(h2, m2)
            return dt.time(h1, m1), end
    check.error(path, words('{value!r} is not a time span like "08:00-20:00"',
                            '{value!r} no es un horario como "08:00-20:00"', value=value),
                "type")
    return None


def dates(check: Checker, value: Any, path: Path_) -> list[dt.date] | None:
    if not check.expect(value, list, path, "'holidays'"):
        return None
    dates = []
    for i, item in enumerate(value):
        if type(item) is dt.date:
            dates.append(item)
        else:
            check.error((*path, i), words("{item!r} is not a date like 2026-12-25",
                                          "{item!r} no es una fecha como 2026-12-25",
                                          item=item), "type")
    return dates


def hours_ref(check: Checker, value: Any, path: Path_) -> str | None:
    text = checker.text(check, value, path)
    if text is not None and text not in check.hours_names:
        known = ", ".join(sorted(check.hours_names)) or words("none are defined",
                                                               "no hay ninguno")
        check.error(path, words("hours {name!r} are not defined under 'hours' ({known})",
                                "el horario {name!r} no está definido en 'hours' ({known})",
                                name=text, known=known), "unknown-hours")
        return None
    return text


KINDS: dict[str, Kind] = {"hours_map": hours_map, "timezone": timezone, "weekly": weekly,
                          "dates": dates, "hours_ref": hours_ref}
