"""The one module that turns instants into words for people (domain/timetext): the county's
wall clock with the abbreviation in force at that instant, across DST changes, the same
whatever the process locale, and never a guess for a naive time."""

from __future__ import annotations

import datetime as dt
import locale
from zoneinfo import ZoneInfo

import pytest

from detainer_desk.domain import timetext as t

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.UTC


@pytest.mark.parametrize(
    ("utc", "long", "short"),
    [
        # 01:59 PST, the last minute before the spring-forward gap, then 03:00 PDT.
        (
            dt.datetime(2026, 3, 8, 9, 59),
            "Sun 08 Mar 2026, 01:59 PST (UTC-08:00)",
            "2026-03-08 01:59 PST",
        ),
        (
            dt.datetime(2026, 3, 8, 10, 0),
            "Sun 08 Mar 2026, 03:00 PDT (UTC-07:00)",
            "2026-03-08 03:00 PDT",
        ),
        # 01:30 twice on the fall-back night: the abbreviation tells them apart.
        (
            dt.datetime(2026, 11, 1, 8, 30),
            "Sun 01 Nov 2026, 01:30 PDT (UTC-07:00)",
            "2026-11-01 01:30 PDT",
        ),
        (
            dt.datetime(2026, 11, 1, 9, 30),
            "Sun 01 Nov 2026, 01:30 PST (UTC-08:00)",
            "2026-11-01 01:30 PST",
        ),
    ],
)
def test_the_abbreviation_follows_the_instant_across_dst(utc, long, short) -> None:
    moment = utc.replace(tzinfo=UTC)
    assert t.long_time(moment, LA) == long
    assert t.short_time(moment, LA) == short


def test_utc_is_secondary_and_exact() -> None:
    moment = dt.datetime(2026, 2, 13, 23, 0, 7, 250_000, tzinfo=UTC)
    assert t.long_time_and_utc(moment, LA) == (
        "Fri 13 Feb 2026, 15:00 PST (UTC-08:00) = 2026-02-13 23:00:07 UTC"
    )
    assert t.precise_time(moment, LA) == "2026-02-13 15:00:07.25 PST"
    assert t.precise_utc_time(moment) == "2026-02-13 23:00:07.25 UTC"


def test_a_zone_without_an_abbreviation_shows_its_offset_once() -> None:
    moment = dt.datetime(2026, 2, 13, 23, 0, tzinfo=UTC)
    assert t.long_time(moment, ZoneInfo("America/Sao_Paulo")) == "Fri 13 Feb 2026, 20:00 UTC-03:00"
    assert t.short_time(moment, ZoneInfo("America/Sao_Paulo")) == "2026-02-13 20:00 UTC-03:00"


def test_the_countys_day_is_not_utcs() -> None:
    late_sunday = dt.datetime(2026, 3, 2, 6, 30, tzinfo=UTC)  # Sun 22:30 in Los Angeles
    assert t.county_day(late_sunday, LA) == dt.date(2026, 3, 1)
    assert t.date_english(t.county_day(late_sunday, LA)) == "March 1, 2026"
    assert t.date_spanish(dt.date(2026, 3, 1), weekday=True) == "domingo 1 de marzo de 2026"
    assert t.long_time_spanish(late_sunday, LA) == (
        "domingo 1 de marzo de 2026, 22:30 PST (UTC-08:00)"
    )
    assert t.as_typed(late_sunday, LA) == "2026-03-01 22:30"
    assert t.file_stamp(late_sunday, LA) == "2026-03-01-2230"


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="only an aware instant"):
        t.short_time(dt.datetime(2026, 3, 1, 22, 30), LA)


def test_words_do_not_follow_the_process_locale() -> None:
    moment = dt.datetime(2026, 2, 13, 23, 0, tzinfo=UTC)
    before = locale.setlocale(locale.LC_TIME)
    tried = 0
    for name in ("es_ES.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        tried += 1
        try:
            assert t.long_time(moment, LA) == "Fri 13 Feb 2026, 15:00 PST (UTC-08:00)"
        finally:
            locale.setlocale(locale.LC_TIME, before)
    if not tried:
        pytest.skip("no Spanish, German or French locale is installed here")


def test_spans_are_said_to_the_minute() -> None:
    assert t.span_words(dt.timedelta(hours=2, minutes=5, seconds=59)) == "2 h 05 min"
    assert t.span_words(dt.timedelta(minutes=45)) == "45 min"
    assert t.span_words(dt.timedelta(days=1, hours=3)) == "1 day 3 h 00 min"
