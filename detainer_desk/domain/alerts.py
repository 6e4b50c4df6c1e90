"""How urgent a hold's deadline is: the colours and alerts of the active-holds board.

A person may never be held past ``hold_until``; the board warns well before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

OK: Final = "ok"  # more than the first warning time left
SOON: Final = "soon"  # under 4 hours (default)
URGENT: Final = "urgent"  # under 1 hour (default)
EXPIRED: Final = "expired"  # the deadline has passed: release now
UNKNOWN: Final = "unknown"  # release eligibility not known yet: no clock running

LEVELS: Final = (UNKNOWN, OK, SOON, URGENT, EXPIRED)
DEFAULT_WARNINGS: Final = (dt.timedelta(hours=4), dt.timedelta(hours=1))

LEVEL_WORDS: Final = {
    UNKNOWN: "release time not known yet",
    OK: "more than 4 hours left",
    SOON: "under 4 hours left",
    URGENT: "under 1 hour left",
    EXPIRED: "DEADLINE PASSED: release now",
}


def alert_level(
    hold_until: dt.datetime | None,
    now: dt.datetime,
    warnings: tuple[dt.timedelta, dt.timedelta] = DEFAULT_WARNINGS,
) -> str:
    if hold_until is None:
        return UNKNOWN
    remaining = hold_until.astimezone(dt.UTC) - now.astimezone(dt.UTC)
    first, second = warnings
    if remaining <= dt.timedelta(0):
        return EXPIRED
    if remaining <= second:
        return URGENT
    if remaining <= first:
        return SOON
    return OK


def newly_reached(previous: str | None, current: str) -> bool:
    """Whether moving from ``previous`` to ``current`` crosses into a level that must alert
    (each of SOON, URGENT, EXPIRED alerts once)."""
    if current not in (SOON, URGENT, EXPIRED):
        return False
    if previous is None or previous not in LEVELS:
        return True
    return LEVELS.index(current) > LEVELS.index(previous)


def countdown_text(hold_until: dt.datetime | None, now: dt.datetime) -> str:
    """``2 h 05 min left`` / ``overdue by 0 h 12 min`` / ``no clock yet``."""
    if hold_until is None:
        return "no clock yet"
    remaining = hold_until.astimezone(dt.UTC) - now.astimezone(dt.UTC)
    overdue = remaining <= dt.timedelta(0)  # at the deadline itself the hold is over
    seconds = int(abs(remaining).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    text = f"{hours} h {minutes:02d} min"
    return f"overdue by {text}" if overdue else f"{text} left"
