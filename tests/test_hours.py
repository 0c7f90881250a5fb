"""Business hours as a supervisor writes them, checked against the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr_app.flow.errors import FlowError
from ivr_app.flow.source import parse
from ivr_app.flow.validate import validate

FLOW = """\
languages:
  es: {voice: Polly.Mia, locale: es-MX}
human: {queue: support}
hours:
  office:
    timezone: America/Mexico_City
    weekly:
      mon-fri: ["08:00-13:00", "14:00-20:00"]
      sat: "09:00-24:00"
    holidays: [2026-12-25]
start: route
nodes:
  route:
    type: branch
    cases:
      - {when: {hours: office}, goto: open}
    otherwise: closed
  open: {type: transfer, reason: open}
  closed: {type: transfer, reason: closed}
"""

MEXICO = dt.timezone(dt.timedelta(hours=-6))


def office():
    return validate(parse(FLOW, "hours.yaml"), "hours").hours["office"]


@pytest.mark.parametrize(("moment", "is_open"), [
    (dt.datetime(2026, 11, 25, 8, 0, tzinfo=MEXICO), True),     # Wednesday, opening minute
    (dt.datetime(2026, 11, 25, 13, 30, tzinfo=MEXICO), False),  # lunch break
    (dt.datetime(2026, 11, 25, 20, 0, tzinfo=MEXICO), False),   # closing minute
    (dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC), True),    # 08:00 in Mexico City
    (dt.datetime(2026, 11, 28, 23, 59, tzinfo=MEXICO), True),   # Saturday until midnight
    (dt.datetime(2026, 11, 29, 12, 0, tzinfo=MEXICO), False),   # Sunday
    (dt.datetime(2026, 12, 25, 10, 0, tzinfo=MEXICO), False),   # Christmas, a Friday
])
def test_office_hours_follow_the_week_the_time_zone_and_holidays(moment, is_open):
    assert office().is_open(moment) is is_open


def test_bad_hours_are_explained(tmp_path):
    text = FLOW.replace("America/Mexico_City", "Mexico/Nowhere").replace(
        "sat: \"09:00-24:00\"", "saturday: \"9-5\"").replace("2026-12-25", "Christmas")
    with pytest.raises(FlowError) as caught:
        validate(parse(text, "hours.yaml"), "hours")
    assert [str(p) for p in caught.value.problems] == [
        "hours.yaml:6:15: unknown time zone 'Mexico/Nowhere'; use a name like "
        "'America/Mexico_City' [type]",
        "hours.yaml:9:7: 'saturday' is not a day or day range like 'mon-fri' [type]",
        "hours.yaml:9:17: '9-5' is not a time span like \"08:00-20:00\" [type]",
        "hours.yaml:10:16: 'Christmas' is not a date like 2026-12-25 [type]",
    ]
