"""Facts that fit the record's own time line.

A record is evidence: a time in it must be one that could have happened. A person cannot
have been handed to ICE before the jail received the request, nor released tomorrow; a
detainer cannot reach the jail before ICE issued it; nobody is born in the future. These
rules live here, not in the screens, so the window, the commands and any other caller are
held to the same ones. Times people type are whole minutes: a deadline must not carry
seconds nobody can see.

A fact that lies after the hold deadline is *not* refused: it is what happened, and it is
recorded and marked as a hold past its deadline (``lifecycle.held_past``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo

from . import lifecycle as lc
from .clock import to_aware
from .errors import Problem
from .request import Request
from .timetext import county_day, day_text, short_time

# How far ahead of this workstation's clock a fact may be: two clocks never agree exactly.
CLOCK_SKEW: Final = dt.timedelta(minutes=1)
# A received time this far ahead of the workstation's clock is a typing error, not a fact.
RECEIVED_AHEAD: Final = dt.timedelta(minutes=10)

# The facts about a person's custody that carry a time, in the words of the holds board.
TIMED_FACTS: Final = {
    lc.RELEASE_ELIGIBLE: "Release eligibility",
    lc.ICE_CUSTODY: "ICE custody",
    lc.RELEASED: "The release",
    lc.LIFTED: "The lifting of the detainer",
}


def is_whole_minute(moment: dt.datetime) -> bool:
    return moment.second == 0 and moment.microsecond == 0


def fact_time_problem(
    kind: str,
    happened_at: dt.datetime,
    received_at: dt.datetime,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> str | None:
    """What is wrong with the time of a custody fact, in plain words (``zone``: the
    county's, to show the times in); None when it fits the record's time line."""
    if kind not in TIMED_FACTS:
        return None
    what = TIMED_FACTS[kind]
    if not is_whole_minute(happened_at):
        return f"{what}: give the time in whole minutes, without seconds"
    if happened_at > now + CLOCK_SKEW:
        return (
            f"{what} cannot be in the future: {short_time(happened_at, zone)} is after the "
            f"time now ({short_time(now, zone)}). Record it once it has happened"
        )
    if happened_at < received_at:
        return (
            f"{what} cannot be before the request was received: "
            f"{short_time(happened_at, zone)} is before it was received "
            f"({short_time(received_at, zone)})"
        )
    return None


def request_time_problems(
    request: Request, zone: ZoneInfo, now: dt.datetime, source: str
) -> list[Problem]:
    """What intake refuses about a request's times (beyond what the contract's parser and
    the engine refuse): each problem keyed by its field, worded to follow the field's label
    ("Received at", "Date of birth") where the window shows it. ``zone``: the county's,
    in which a time typed without an offset is read."""
    problems: list[Problem] = []
    typed = (
        ("received_at", request.received_at),
        ("detainer.issued_at", request.detainer.issued_at),
        ("release_eligible_at", request.release_eligible_at),
    )
    for key, value in typed:
        if value is not None and not is_whole_minute(value):
            problems.append(Problem(source, key, "must be in whole minutes, without seconds"))
    received = to_aware(request.received_at, zone)
    if received > now + RECEIVED_AHEAD:
        problems.append(Problem(source, "received_at", "is in the future; check the date and time"))
    issued = request.detainer.issued_at
    if issued is not None:
        issued_at = to_aware(issued, zone)
        if received < issued_at:
            problems.append(
                Problem(
                    source,
                    "received_at",
                    f"is before the detainer was issued (Issued at {short_time(issued_at, zone)}); "
                    "check both times",
                )
            )
    today = county_day(now, zone)
    dob = request.subject.dob
    if dob > today:
        problems.append(
            Problem(source, "subject.dob", f"is in the future (today is {day_text(today)})")
        )
    elif dob > county_day(received, zone):
        problems.append(
            Problem(
                source,
                "subject.dob",
                f"is after the day the request was received ({day_text(county_day(received, zone))})",
            )
        )
    return problems
