"""When a waiting caller is offered a callback, for which time, and how that time is said.

Three offers, from the caller's estimated wait and the flow's `callbacks.hours`:

- "turn": the wait is above the flow's threshold for the queue; the callback
  keeps the caller's place and comes when their turn does (or at the next
  opening, if they prefer);
- "closed": nobody is signed in and the callback hours are shut; the callback
  comes at the next opening, or the caller leaves a voice message;
- "nobody": nobody is signed in although the hours are open (or the flow has
  none); the callback keeps their place until someone signs in, or the caller
  leaves a voice message.
"""

from __future__ import annotations

import datetime as dt
import math

from ivr_app.flow import builtins
from ivr_app.flow.model import Flow, Hours

TURN, CLOSED, NOBODY = "turn", "closed", "nobody"


def offer(flow: Flow, queue: str, seconds: float, now: dt.datetime,
          waited: float = 0.0) -> str | None:
    """Which callback the caller is offered at this estimate, after `waited` seconds on hold;
    None while the wait is short and the caller has not held past the flow's maximum."""
    if math.isfinite(seconds):
        long_wait = seconds > flow.callbacks.threshold(queue)
        return TURN if long_wait or waited >= flow.callbacks.max_hold else None
    hours = callback_hours(flow)
    return CLOSED if hours is not None and not hours.is_open(now) else NOBODY


def callback_hours(flow: Flow) -> Hours | None:
    """The hours callbacks are made in, if the flow names some."""
    return flow.hours.get(flow.callbacks.hours)


def next_opening(flow: Flow, now: dt.datetime) -> dt.datetime | None:
    """The next time the callback hours open: later today if shut now, else the next day's
    first opening (a slot the caller can choose instead of "my turn"); None without hours."""
    hours = callback_hours(flow)
    if hours is None:
        return None
    if not hours.is_open(now):
        return hours.next_open(now)
    local = now.astimezone(hours.timezone)
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(),
                                   hours.timezone)
    return hours.next_open(tomorrow)


def said(flow: Flow, lang: str, when: dt.datetime, now: dt.datetime) -> str:
    """A time as the caller hears it, in the callback hours' time zone: "mañana a las 8:00"."""
    hours = callback_hours(flow)
    zone = hours.timezone if hours is not None else dt.UTC
    local = when.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    words = flow.messages[lang]
    time = f"{local.hour}:{local.minute:02d}"
    if days <= 0:
        return words["slot_today"].format(time=time)
    if days == 1:
        return words["slot_tomorrow"].format(time=time)
    names = builtins.WEEKDAY_NAMES.get(lang, builtins.WEEKDAY_NAMES["en"])
    return words["slot_day"].format(weekday=names[local.weekday()], day=local.day, time=time)
