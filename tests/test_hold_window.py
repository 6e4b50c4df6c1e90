"""The hold window (contract 3.3) as properties: whatever the release time and rule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from detainer_desk.domain.clock import (
    HoldWindowRule,
    hold_until,
    is_us_federal_holiday,
    local_date,
    to_aware,
    us_federal_holidays,
    years_before,
)

ZONES = [
    ZoneInfo(name)
    for name in (
        "America/Los_Angeles",
        "America/New_York",
        "America/Chicago",
        "Europe/London",
        "Australia/Lord_Howe",
        "UTC",
    )
]
UTC = dt.UTC

release_times = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31)
).map(lambda d: d.replace(tzinfo=UTC))
rules = st.builds(
    HoldWindowRule,
    max_hours=st.one_of(st.integers(1, 240), st.floats(0.25, 240)),
    exclude_weekends=st.booleans(),
    exclude_holidays=st.booleans(),
    holiday_dates=st.frozensets(st.dates(dt.date(2000, 1, 1), dt.date(2041, 12, 31)), max_size=20),
    us_holiday_calendar=st.booleans(),
    end_of_release_day=st.booleans(),
)


@settings(max_examples=400)
@given(start=release_times, rule=rules, zone=st.sampled_from(ZONES))
def test_never_before_release_and_never_longer_than_the_cap(start, rule, zone) -> None:
    end = hold_until(start, rule, zone)
    assert end > start or (rule.end_of_release_day and end >= start)
    assert end.tzinfo is zone
    if not (rule.exclude_weekends or rule.exclude_holidays):
        assert end - start <= dt.timedelta(hours=rule.max_hours)


@settings(max_examples=400)
@given(start=release_times, rule=rules, zone=st.sampled_from(ZONES))
def test_excluding_days_never_shortens_the_hold(start, rule, zone) -> None:
    plain = HoldWindowRule(max_hours=rule.max_hours, end_of_release_day=rule.end_of_release_day)
    assert hold_until(start, rule, zone) >= hold_until(start, plain, zone)


@settings(max_examples=300)
@given(start=release_times, hours=st.integers(1, 200), zone=st.sampled_from(ZONES))
def test_earliest_cap_wins(start, hours, zone) -> None:
    capped = hold_until(start, HoldWindowRule(max_hours=hours), zone)
    midnight = hold_until(start, HoldWindowRule(max_hours=10_000, end_of_release_day=True), zone)
    both = hold_until(start, HoldWindowRule(max_hours=hours, end_of_release_day=True), zone)
    assert both == min(capped, midnight)
    # Midnight ending the release day: 00:00 local, on the day after the release day.
    local = midnight.astimezone(zone)
    assert local_date(midnight, zone) == local_date(start, zone) + dt.timedelta(days=1)
    assert (local.hour, local.minute) == (0, 0) or zone.key == "Australia/Lord_Howe"


@settings(max_examples=300)
@given(start=release_times, hours=st.integers(1, 200), zone=st.sampled_from(ZONES))
def test_clock_hours_are_real_elapsed_time_across_dst(start, hours, zone) -> None:
    end = hold_until(start, HoldWindowRule(max_hours=hours), zone)
    assert end.astimezone(UTC) - start == dt.timedelta(hours=hours)


@settings(max_examples=300)
@given(start=release_times, rule=rules, zone=st.sampled_from(ZONES))
def test_counted_time_equals_the_cap(start, rule, zone) -> None:
    # Walk the window hour-slice by slice: time on counted local days adds up to max_hours.
    rule = HoldWindowRule(
        max_hours=rule.max_hours,
        exclude_weekends=rule.exclude_weekends,
        exclude_holidays=rule.exclude_holidays,
        holiday_dates=rule.holiday_dates,
        us_holiday_calendar=rule.us_holiday_calendar,
    )
    end = hold_until(start, rule, zone).astimezone(UTC)
    counted = dt.timedelta()
    cursor = start
    while cursor < end:
        day = local_date(cursor, zone)
        next_midnight = to_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), zone)
        step_end = min(end, next_midnight.astimezone(UTC))
        if rule.is_counted_day(day):
            counted += step_end - cursor
        cursor = step_end
    assert abs(counted - dt.timedelta(hours=rule.max_hours)) < dt.timedelta(microseconds=2)


def test_spring_forward_48_hours_ends_an_hour_later_on_the_wall_clock() -> None:
    la = ZoneInfo("America/Los_Angeles")
    start = to_aware(dt.datetime(2026, 3, 7, 10, 0), la)  # Saturday before the change
    end = hold_until(start, HoldWindowRule(max_hours=48), la)
    assert end.replace(tzinfo=None) == dt.datetime(2026, 3, 9, 11, 0)


def test_wall_clock_in_the_gap_uses_the_offset_before_the_change() -> None:
    la = ZoneInfo("America/Los_Angeles")
    moment = to_aware(dt.datetime(2026, 3, 8, 2, 30), la)
    assert moment.replace(tzinfo=None) == dt.datetime(2026, 3, 8, 3, 30)
    assert moment.utcoffset() == dt.timedelta(hours=-7)


def test_repeated_wall_clock_time_is_the_first_occurrence() -> None:
    la = ZoneInfo("America/Los_Angeles")
    moment = to_aware(dt.datetime(2026, 11, 1, 1, 30), la)
    assert moment.utcoffset() == dt.timedelta(hours=-7)  # still daylight time


def test_thursday_48_hours_excluding_weekends_ends_monday_or_tuesday() -> None:
    chicago = ZoneInfo("America/Chicago")
    start = to_aware(dt.datetime(2026, 1, 8, 10, 0), chicago)  # Thursday
    weekends = HoldWindowRule(exclude_weekends=True)
    assert hold_until(start, weekends, chicago).replace(tzinfo=None) == dt.datetime(2026, 1, 12, 10)
    holiday = HoldWindowRule(
        exclude_weekends=True,
        exclude_holidays=True,
        holiday_dates=frozenset({dt.date(2026, 1, 12)}),
    )
    assert hold_until(start, holiday, chicago).replace(tzinfo=None) == dt.datetime(2026, 1, 13, 10)
    ignored = HoldWindowRule(exclude_weekends=True, holiday_dates=frozenset({dt.date(2026, 1, 12)}))
    assert hold_until(start, ignored, chicago).replace(tzinfo=None) == dt.datetime(2026, 1, 12, 10)


def test_us_federal_holidays_as_observed() -> None:
    assert us_federal_holidays(2026) == {
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 19),
        dt.date(2026, 2, 16),
        dt.date(2026, 5, 25),
        dt.date(2026, 6, 19),
        dt.date(2026, 7, 3),
        dt.date(2026, 9, 7),
        dt.date(2026, 10, 12),
        dt.date(2026, 11, 11),
        dt.date(2026, 11, 26),
        dt.date(2026, 12, 25),
    }
    assert is_us_federal_holiday(dt.date(2027, 12, 31))  # New Year's Day 2028 is a Saturday
    assert not is_us_federal_holiday(dt.date(2028, 1, 1))
    assert is_us_federal_holiday(dt.date(2023, 1, 2))  # New Year's Day 2023 was a Sunday
    assert is_us_federal_holiday(dt.date(2020, 7, 3))  # July 4 2020 was a Saturday
    assert not is_us_federal_holiday(dt.date(2020, 6, 19))  # Juneteenth from 2021


def test_calendar_years_turn_february_29_into_the_28th() -> None:
    assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)
    assert years_before(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)
    assert years_before(dt.date(2026, 3, 1), 10) == dt.date(2016, 3, 1)
