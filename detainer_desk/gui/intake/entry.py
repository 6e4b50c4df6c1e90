"""Dates and numbers as officers type them, in the form the request file wants.

The paperwork is American: a date of birth reads 04/12/1988 on the booking sheet and the
A-number "A 201 456 789" on the I-247A. The decision contract is strict (dates
``YYYY-MM-DD``, A-numbers ``A`` + digits, section 2) and stays so: the form turns what was
typed into the contract's form before the request is built, and shows it so (the field is
rewritten when the officer leaves it). Anything it cannot read with certainty is left as
typed, for the contract's own parser to explain.

An FBI number is free text in the contract; the form only warns when it does not look like
one. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import re

from detainer_desk.domain.request import normalize_a_number

# MM/DD/YYYY (one-digit month and day too). A two-digit year is not guessed at: 04/12/88
# could be 1988 or 2088 to a program, and a date of birth is no place for a guess.
_US_DATE = re.compile(r"(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})")
# The same, then a time: 14:30, 2:30 PM, 2:30:15 pm.
_US_INSTANT = re.compile(
    r"(?P<date>\d{1,2}/\d{1,2}/\d{4})[ T,]+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<half>[AaPp]\.?[Mm]\.?)?"
)
_ISO_DATE_THEN_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<half>[AaPp]\.?[Mm]\.?)"
)
_A_NUMBER_SEPARATORS = re.compile(r"[\s\-.]+")
# Letters and digits, up to 9 (the FBI's number for a person, the UCN: e.g. 123456AB7).
_FBI_NUMBER = re.compile(r"(?=.*\d)[A-Z0-9]{1,9}")


def _us_date(text: str) -> dt.date | None:
    match = _US_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None  # 02/30/1988: left as typed, and the parser says it is not a real date


def normalise_date(text: str) -> str:
    """``04/12/1988`` -> ``1988-04-12``; anything else comes back as it was."""
    day = _us_date(text.strip())
    return day.isoformat() if day else text


def _clock(hour: str, minute: str, second: str | None, half: str | None) -> str | None:
    hours, minutes = int(hour), int(minute)
    if half:
        if not 1 <= hours <= 12:
            return None
        afternoon = half[0] in "Pp"
        hours = hours % 12 + (12 if afternoon else 0)
    if hours > 23 or minutes > 59 or (second is not None and int(second) > 59):
        return None
    return f"{hours:02d}:{minutes:02d}" + (f":{second}" if second is not None else "")


def normalise_instant(text: str) -> str:
    """``04/12/2026 2:30 PM`` -> ``2026-04-12 14:30`` (and ``2026-04-12 2:30 PM`` too);
    anything else comes back as it was. A time without an offset stays one: it is read in
    the policy's timezone, as the form's note under the field says."""
    stripped = text.strip()
    match = _US_INSTANT.fullmatch(stripped)
    if match:
        day = _us_date(match["date"])
        clock = _clock(match["hour"], match["minute"], match["second"], match["half"])
        return f"{day.isoformat()} {clock}" if day and clock else text
    match = _ISO_DATE_THEN_TIME.fullmatch(stripped)
    if match:
        clock = _clock(match["hour"], match["minute"], match["second"], match["half"])
        return f"{match['date']} {clock}" if clock else text
    return text


def normalise_a_number(text: str) -> str:
    """``A 201 456 789``, ``A-201-456-789``, ``a201456789``, ``201456789`` -> ``A201456789``
    (eight digits are padded, as the contract stores them); anything else as it was."""
    compact = _A_NUMBER_SEPARATORS.sub("", text.strip()).upper()
    if not compact:
        return text
    normalised = normalize_a_number(compact)
    return normalised if normalised is not None else text


def a_number_warning(text: str) -> str | None:
    normalised = normalise_a_number(text)
    if normalised == "A000000000":
        return (
            "Check this: an A-number of zeros is a placeholder, not a person's number. "
            "Leave it empty if the detainer shows none."
        )
    return None


def fbi_number_warning(text: str) -> str | None:
    """A warning when what is typed does not look like an FBI number (it is kept as typed:
    the contract takes any text, and records are never refused over a shape)."""
    compact = _A_NUMBER_SEPARATORS.sub("", text.strip()).upper()
    if not compact or _FBI_NUMBER.fullmatch(compact):
        return None
    return (
        "Check this: an FBI number is up to 9 letters and digits, e.g. 123456AB7. "
        "It is kept as typed."
    )


# Field key -> how its text is made ready for the request file (``draft.to_contract``).
REQUEST_FIELD_FORMS = {
    "subject.dob": normalise_date,
    "subject.a_number": normalise_a_number,
    "detainer.issued_at": normalise_instant,
    "received_at": normalise_instant,
    "release_eligible_at": normalise_instant,
}
DATE_FIELDS = ("subject.dob",)
INSTANT_FIELDS = ("detainer.issued_at", "received_at", "release_eligible_at")


def field_warnings(texts: dict[str, str]) -> dict[str, str]:
    """Request field key -> a warning about what is typed there (not a problem: the request
    can be checked and recorded all the same)."""
    found = {}
    checks = (("subject.a_number", a_number_warning), ("subject.fbi_number", fbi_number_warning))
    for key, warn in checks:
        warning = warn(texts.get(key, ""))
        if warning:
            found[key] = warning
    return found
