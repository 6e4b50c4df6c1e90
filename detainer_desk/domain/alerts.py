"""How urgent a hold's deadline is: the colours and alerts of the active-holds board.

A person may never be held past ``hold_until``; the board warns well before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, TypeAlias

OK: Final = "ok"  # more than the first warning time left
SOON: Final = "soon"  # under the first warning time (4 hours unless set otherwise)
URGENT: Final = "urgent"  # under the second warning time (1 hour unless set otherwise)
EXPIRED: Final = "expired"  # the deadline has passed: release now
UNKNOWN: Final = "unknown"  # release eligibility not known yet: no clock running

LEVELS: Final = (UNKNOWN, OK, SOON, URGENT, EXPIRED)
# The first and the second warning before ``hold_until``; the installation's settings may
# set others (services.settings), and the words below follow whichever are in force.
Warnings: TypeAlias = tuple[dt.timedelta, dt.timedelta]
DEFAULT_WARNINGS: Final[Warnings] = (dt.timedelta(hours=4), dt.timedelta(hours=1))


def duration_words(span: dt.timedelta) -> str:
    """A warning time in plain words, to the minute: ``8 hours``, ``1 hour``,
    ``2 h 30 min``, ``45 min``."""
    hours, minutes = divmod(max(0, int(span.total_seconds() // 60)), 60)
    if hours and not minutes:
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min"


def short_duration(span: dt.timedelta) -> str:
    """The same in fewer letters, for a narrow column: ``8 h``, ``2 h 30 min``, ``45 min``."""
    hours, minutes = divmod(max(0, int(span.total_seconds() // 60)), 60)
    if hours and not minutes:
        return f"{hours} h"
    return duration_words(span)


def level_words(level: str, warnings: Warnings = DEFAULT_WARNINGS) -> str:
    """What a level means for the warning times in force: ``under 8 hours left``."""
    first, second = warnings
    words = {
        UNKNOWN: "release time not known yet",
        OK: f"more than {duration_words(first)} left",
        SOON: f"under {duration_words(first)} left",
        URGENT: f"under {duration_words(second)} left",
        EXPIRED: "DEADLINE PASSED: release now",
    }
    return words[level]


def short_level_words(level: str, warnings: Warnings = DEFAULT_WARNINGS) -> str:
    """The level in few words, for the board's alert column: ``under 8 h``."""
    first, second = warnings
    words = {
        UNKNOWN: "no clock yet",
        OK: f"over {short_duration(first)}",
        SOON: f"under {short_duration(first)}",
        URGENT: f"under {short_duration(second)}",
        EXPIRED: "PASSED: release",
    }
    return words[level]


# The words for the default warning times (``level_words`` gives them for any).
LEVEL_WORDS: Final = {level: level_words(level) for level in LEVELS}


def alert_level(
    hold_until: dt.datetime | None,
    now: dt.datetime,
    warnings: Warnings = DEFAULT_WARNINGS,
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
