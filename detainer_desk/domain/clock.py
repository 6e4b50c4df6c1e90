"""Time arithmetic the law depends on: local wall-clock readings, calendar years, U.S.
federal holidays as observed, and the hold window (contract sections 1 and 3.3).

Every duration is real elapsed time, so all arithmetic is done in UTC and only converted
to the policy's timezone for calendar questions and for display. (Python subtracts and adds
aware datetimes that share a tzinfo as *wall-clock* times, which is wrong across DST.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = dt.UTC


def to_aware(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Read a naive wall-clock time in ``zone``; keep an aware instant as it is.

    ``fold=0`` gives the first occurrence of a repeated wall-clock time, and for a time
    inside the spring-forward gap the offset in force just before the change (PEP 495), as
    contract section 1 requires: 02:30 on the change day becomes 03:30 daylight time.
    """
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.astimezone(zone).date()


def start_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant local midnight begins ``day`` (a gap at midnight reads as the gap's end)."""
    return to_aware(dt.datetime.combine(day, dt.time()), zone)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same month and day ``years`` calendar years earlier; February 29 becomes the 28th."""
    year = day.year - years
    if year < dt.MINYEAR:
        return dt.date.min  # further back than any calendar date: every date is within
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def is_younger_than(dob: dt.date, years: int, on: dt.date) -> bool:
    """Whether someone born on ``dob`` has not yet reached ``years`` of age on ``on``."""
    return dob > years_before(on, years)


# -- U.S. federal holidays (5 U.S.C. 6103), as observed ---------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    # A Saturday holiday is observed on the Friday before, a Sunday one on the Monday after.
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def _actual_us_holidays(year: int) -> list[dt.date]:
    monday, thursday = 0, 3
    days = [
        dt.date(year, 1, 1),  # New Year's Day
        dt.date(year, 7, 4),  # Independence Day
        dt.date(year, 11, 11),  # Veterans Day
        dt.date(year, 12, 25),  # Christmas Day
        _nth_weekday(year, 2, monday, 3),  # Washington's Birthday
        _last_weekday(year, 5, monday),  # Memorial Day
        _nth_weekday(year, 9, monday, 1),  # Labor Day
        _nth_weekday(year, 10, monday, 2),  # Columbus Day
        _nth_weekday(year, 11, thursday, 4),  # Thanksgiving Day
    ]
    if year >= 1986:
        days.append(_nth_weekday(year, 1, monday, 3))  # Birthday of Martin Luther King, Jr.
    if year >= 2021:
        days.append(dt.date(year, 6, 19))  # Juneteenth National Independence Day
    return days


@lru_cache(maxsize=256)
def us_federal_holidays(year: int) -> frozenset[dt.date]:
    """Observed federal holidays falling in ``year`` (New Year's Day of the next year can be
    observed on December 31)."""
    observed = {_observed(d) for y in (year - 1, year, year + 1) for d in _actual_us_holidays(y)}
    return frozenset(d for d in observed if d.year == year)


def is_us_federal_holiday(day: dt.date) -> bool:
    return day in us_federal_holidays(day.year)


# -- the hold window --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldWindowRule:
    """The parts of a policy's ``[hold]`` table that bound how long a hold may last."""

    max_hours: float = 48
    exclude_weekends: bool = False
    exclude_holidays: bool = False
    holiday_dates: frozenset[dt.date] = frozenset()
    us_holiday_calendar: bool = False
    end_of_release_day: bool = False

    def is_counted_day(self, day: dt.date) -> bool:
        if self.exclude_weekends and day.weekday() >= 5:
            return False
        if self.exclude_holidays:
            if day in self.holiday_dates:
                return False
            if self.us_holiday_calendar and is_us_federal_holiday(day):
                return False
        return True


def hold_until(
    release_eligible_at: dt.datetime, rule: HoldWindowRule, zone: ZoneInfo
) -> dt.datetime:
    """The earliest instant the hold must end (contract 3.3), in the policy's timezone.

    The clock starts when the person would otherwise be released, never at booking.
    """
    start = release_eligible_at.astimezone(UTC)
    budget = dt.timedelta(hours=rule.max_hours)
    if rule.exclude_weekends or rule.exclude_holidays:
        capped = _add_counted_time(start, budget, rule.is_counted_day, zone)
    else:
        capped = start + budget
    candidates = [capped]
    if rule.end_of_release_day:
        release_day = local_date(start, zone)
        candidates.append(start_of_day(release_day + dt.timedelta(days=1), zone).astimezone(UTC))
    return min(candidates).astimezone(zone)


# Days the hold window may span, counted or not: a bound on the work, never reached by a
# policy the parser accepts (at most 720 hours, that is 30 counted days, and at most 2,000
# listed holidays, with weekends: under 3,000 days).
WINDOW_DAYS = 20_000


class HoldWindowTooLong(ValueError):
    """The hold window would not end within WINDOW_DAYS calendar days."""


def _add_counted_time(
    start: dt.datetime,
    budget: dt.timedelta,
    is_counted_day: Callable[[dt.date], bool],
    zone: ZoneInfo,
) -> dt.datetime:
    """Spend ``budget`` of elapsed time only on counted local calendar days: one step per
    calendar day, at most WINDOW_DAYS of them."""
    cursor = start
    remaining = budget
    for _ in range(WINDOW_DAYS):
        day = local_date(cursor, zone)
        day_end = start_of_day(day + dt.timedelta(days=1), zone).astimezone(UTC)
        if is_counted_day(day):
            available = day_end - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        cursor = day_end
    raise HoldWindowTooLong(
        f"the hold window does not end within {WINDOW_DAYS:,} days: too few days are counted"
    )
