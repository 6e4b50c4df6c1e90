"""One way to show a time: every instant a person reads (a screen, a PDF, a command's text
output) is turned into words here, in the county's timezone, with that zone's abbreviation.

Nothing else in the program formats an instant for people (``tests/test_one_clock.py``
fails when another module does). Machine formats (CSV, JSON lines, ``--json``) keep full
ISO 8601 instants with their offsets and are not made here.

English day and month names are spelled out rather than taken from ``strftime``, whose
``%a`` and ``%b`` follow the process locale (Qt sets it from the desktop): a record must
read the same on every workstation and in court.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SPANISH_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
SPANISH_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
NOT_KNOWN = "not known"


def _local(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("only an aware instant can be shown: its zone would be a guess")
    return moment.astimezone(zone)


def offset_text(local: dt.datetime) -> str:
    """``UTC-08:00``."""
    offset = local.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def abbreviation(local: dt.datetime) -> str:
    """The zone's abbreviation at that instant (``PST``, ``PDT``), or its offset where the
    zone has none (``+0530`` style names are shown as ``UTC+05:30``)."""
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        return offset_text(local)
    return name


def _zone_part(local: dt.datetime) -> str:
    """``PST (UTC-08:00)``; the offset alone where the zone has no abbreviation."""
    name, offset = abbreviation(local), offset_text(local)
    return offset if name == offset else f"{name} ({offset})"


def _clock(local: dt.datetime) -> str:
    return f"{local.hour:02d}:{local.minute:02d}"


def _iso_day(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


# -- instants -----------------------------------------------------------------------------


def long_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``Fri 13 Feb 2026, 15:00 PST (UTC-08:00)``: unambiguous for a person on the floor."""
    local = _local(moment, zone)
    day = DAY_NAMES[local.weekday()][:3]
    month = MONTH_NAMES[local.month - 1][:3]
    return f"{day} {local.day:02d} {month} {local.year}, {_clock(local)} {_zone_part(local)}"


def short_time(moment: dt.datetime | None, zone: dt.tzinfo, empty: str = "–") -> str:
    """``2026-02-10 08:30 PST``: compact, for tables and lists."""
    if moment is None:
        return empty
    local = _local(moment, zone)
    return f"{_iso_day(local.date())} {_clock(local)} {abbreviation(local)}"


def precise_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``2026-02-10 08:30:07.25 PST``: to the hundredth of a second, for the audit trail
    (enough to order what one person did in a burst)."""
    local = _local(moment, zone)
    return (
        f"{_iso_day(local.date())} {_clock(local)}:{local.second:02d}."
        f"{local.microsecond // 10_000:02d} {abbreviation(local)}"
    )


def utc_time(moment: dt.datetime) -> str:
    """``2026-02-13 23:00:00 UTC``: the exact instant, for counsel, beside the local time."""
    utc = _local(moment, UTC)
    return f"{_iso_day(utc.date())} {_clock(utc)}:{utc.second:02d} UTC"


def precise_utc_time(moment: dt.datetime) -> str:
    """``2026-02-13 23:00:07.25 UTC``."""
    utc = _local(moment, UTC)
    return (
        f"{_iso_day(utc.date())} {_clock(utc)}:{utc.second:02d}.{utc.microsecond // 10_000:02d} UTC"
    )


def long_time_and_utc(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """For instants that matter in court: the county's wall clock and the exact UTC instant,
    ``Fri 13 Feb 2026, 15:00 PST (UTC-08:00) = 2026-02-13 23:00:00 UTC``."""
    return f"{long_time(moment, zone)} = {utc_time(moment)}"


def long_time_or(moment: dt.datetime | None, zone: dt.tzinfo, empty: str = NOT_KNOWN) -> str:
    return long_time(moment, zone) if moment is not None else empty


def as_typed(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``2026-02-13 15:00``: an instant as a person types it in the county's timezone (the
    form beside it names the zone)."""
    local = _local(moment, zone)
    return f"{_iso_day(local.date())} {_clock(local)}"


def file_stamp(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``2026-02-13-1500``: the county's date and time in a suggested file name."""
    local = _local(moment, zone)
    return f"{_iso_day(local.date())}-{local.hour:02d}{local.minute:02d}"


def county_day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The county's calendar date at that instant."""
    return _local(moment, zone).date()


def instant_in_own_zone(moment: dt.datetime) -> str:
    """``long_time`` in the instant's own zone: for ``check``, which shows a decision in the
    policy file's timezone exactly as the decision contract computes it."""
    assert moment.tzinfo is not None
    return long_time(moment, moment.tzinfo)


# -- dates --------------------------------------------------------------------------------


def day_text(day: dt.date) -> str:
    """``2026-02-13``."""
    return _iso_day(day)


def day_words(day: dt.date) -> str:
    """``13 Feb 2026 (2026-02-13)``: no day/month confusion on paper."""
    return f"{day.day:02d} {MONTH_NAMES[day.month - 1][:3]} {day.year} ({_iso_day(day)})"


def date_english(day: dt.date) -> str:
    """``February 13, 2026``."""
    return f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


def date_spanish(day: dt.date, *, weekday: bool = False) -> str:
    """``13 de febrero de 2026`` (``viernes 13 de febrero de 2026`` with the weekday)."""
    name = f"{SPANISH_DAYS[day.weekday()]} " if weekday else ""
    return f"{name}{day.day} de {SPANISH_MONTHS[day.month - 1]} de {day.year}"


def long_time_spanish(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``viernes 13 de febrero de 2026, 15:00 PST (UTC-08:00)``."""
    local = _local(moment, zone)
    return f"{date_spanish(local.date(), weekday=True)}, {_clock(local)} {_zone_part(local)}"


def zone_words(zone: dt.tzinfo) -> str:
    """The zone's name for a sentence: ``America/Los_Angeles``."""
    key = getattr(zone, "key", None)
    return str(key) if key else str(zone)


# -- durations ----------------------------------------------------------------------------


def span_words(span: dt.timedelta) -> str:
    """``2 h 05 min``, ``3 days 4 h 00 min``, ``45 min``: how long, to the minute."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if not days and not hours:
        return f"{minutes} min"
    text = f"{hours} h {minutes:02d} min"
    if days:
        text = f"{days} day{'s' if days != 1 else ''} {text}"
    return text
