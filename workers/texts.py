"""Jobs that put a callback's promise in writing (ivr_app/callbacks/texts.py)."""

from __future__ import annotations

from ivr_app.callbacks import texts
from workers import context


def send_text(callback_id: str, kind: str) -> str | None:
    """Text a callback's customer when we will call (booked, or moved); once per text."""
    return texts.send(context.current(), callback_id, kind)


def keep_promises() -> int:
    """Every minute: the texts the callbacks' records call for and that were not sent."""
    return texts.keep_promises(context.current())
