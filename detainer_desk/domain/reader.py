"""A small strict reader for parsed JSON/TOML documents that collects every problem.

Both the request parser and the policy parser walk nested tables with it, so that each
problem names its key path (``subject.dob``, ``hold.when[1].charge.list``) the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import limits
from .errors import InvalidInput, Problem
from .text import number_text, quoted
from .vocabulary import SCHEMA_VERSION

_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 / ISO 8601 extended form, seconds and fraction optional, offset optional.
_INSTANT_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
)

LineFinder = Callable[[str], int | None]


def join_key(parent: str, child: str | int) -> str:
    if isinstance(child, int):
        return f"{parent}[{child}]"
    return f"{parent}.{child}" if parent else child


def describe_value(value: object) -> str:
    """A value as a problem quotes it: a text shortened and escaped, a huge number by its
    size (a problem line stays short whatever the file holds)."""
    if isinstance(value, str):
        return quoted(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return number_text(value)
    return quoted(str(value))


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with a text value that cannot be kept as it is, or None.

    A NUL character cannot be stored (PostgreSQL refuses it, and many programs cut text
    short there); a lone surrogate (a JSON escape such as "\\ud800" alone) is not Unicode
    text at all and cannot be written to the database or a file. Both are refused here, so
    that checking and recording a request always agree."""
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,} are accepted"
    if "\x00" in value:
        return "contains a NUL character (U+0000), which cannot be recorded; remove it"
    lone = _SURROGATE.search(value)
    if lone is not None:
        return (
            f"contains a lone surrogate (U+{ord(lone[0]):04X}), which is not a Unicode "
            "character and cannot be recorded; remove it"
        )
    return None


def one_of(choices: Iterable[str]) -> str:
    items = [f"'{c}'" for c in choices]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class Reader:
    """Collects problems for one file. ``line_of`` maps a key path to a line (TOML only).

    ``bounded``: the input limits (``limits``) apply. A file coming in is bounded; evidence
    already stored is read again without them (it was accepted under the rules of its day,
    and must stay readable, amendable and exportable)."""

    def __init__(
        self, file: str, line_of: LineFinder | None = None, *, bounded: bool = True
    ) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self._line_of = line_of
        self.bounded = bounded

    def too_many(self, key: str, items: object, most: int, noun: str = "items") -> bool:
        """Whether a list (or table) is over ``most`` (then a problem says so); never when
        reading stored evidence."""
        count = len(items) if isinstance(items, list | dict) else 0
        if self.bounded and count > most:
            self.problem(key, f"lists {count:,} {noun}; at most {most:,} are accepted")
            return True
        return False

    def problem(self, key: str, message: str) -> None:
        line = self._line_of(key) if self._line_of else None
        self.problems.append(Problem(self.file, key, message, line))

    # -- tables -------------------------------------------------------------------------
    def table(self, value: object, key: str) -> Mapping[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(key, f"must be a table of keys, not {describe_value(value)}")
        return None

    def check_keys(
        self, table: Mapping[str, Any], key: str, allowed: Iterable[str], required: Iterable[str]
    ) -> None:
        allowed_set = set(allowed)
        for name in table:
            if name not in allowed_set:
                self.problem(
                    join_key(key, name),
                    "unknown key (schema 1 has no such key here; check the spelling). "
                    f"Known keys: {', '.join(sorted(allowed_set))}",
                )
        for name in required:
            if table.get(name) is None:
                self.problem(join_key(key, name), "is required but missing")

    def check_schema(self, top: Mapping[str, Any]) -> None:
        """A file's ``schema``, where it gives one, must be the one this program reads."""
        schema = top.get("schema")
        if schema is not None and (type(schema) is not int or schema != SCHEMA_VERSION):
            self.problem(
                "schema",
                f"{describe_value(schema)} is not a schema this program reads "
                f"(it reads schema {SCHEMA_VERSION})",
            )

    # -- scalars ------------------------------------------------------------------------
    def text(
        self,
        table: Mapping[str, Any],
        name: str,
        key: str,
        *,
        required: bool,
        limit: int = limits.TEXT_CHARACTERS,
    ) -> str | None:
        value = table.get(name)
        path = join_key(key, name)
        if value is None:
            return None  # presence of required keys is reported by check_keys
        if not isinstance(value, str):
            self.problem(path, f"must be text, not {describe_value(value)}")
            return None
        wrong = text_problem(value, limit if self.bounded else len(value))
        if wrong is not None:
            self.problem(path, wrong)
            return None
        if required and not value.strip():
            self.problem(path, "must not be empty")
            return None
        return value

    def boolean(self, table: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
        value = table.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(join_key(key, name), f"must be true or false, not {describe_value(value)}")
            return default
        return value

    def choice(
        self, table: Mapping[str, Any], name: str, key: str, choices: Iterable[str]
    ) -> str | None:
        value = table.get(name)
        if value is None:
            return None
        return self.choice_value(value, join_key(key, name), choices)

    def choice_value(self, value: object, key: str, choices: Iterable[str]) -> str | None:
        options = tuple(choices)
        if isinstance(value, str) and value in options:
            return value
        self.problem(key, f"{describe_value(value)} is not one of {one_of(options)}")
        return None

    def choice_list(
        self, table: Mapping[str, Any], name: str, key: str, choices: Iterable[str]
    ) -> tuple[str, ...]:
        value = table.get(name)
        path = join_key(key, name)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(path, f"must be a list, not {describe_value(value)}")
            return ()
        if self.too_many(path, value, limits.LIST_ITEMS):
            return ()
        options = tuple(choices)
        found: list[str] = []
        for index, item in enumerate(value):
            checked = self.choice_value(item, join_key(path, index), options)
            if checked is not None and checked not in found:
                found.append(checked)
        return tuple(found)

    def date(self, table: Mapping[str, Any], name: str, key: str) -> dt.date | None:
        value = table.get(name)
        if value is None:
            return None
        return self.date_value(value, join_key(key, name))

    def date_value(self, value: object, key: str) -> dt.date | None:
        if isinstance(value, dt.datetime):  # a TOML datetime where a date was meant
            self.problem(key, "must be a date (YYYY-MM-DD) without a time of day")
            return None
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
            self.problem(key, f"{describe_value(value)} is not a date in the form YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(key, f"{describe_value(value)} is not a real calendar date")
            return None

    def instant(self, table: Mapping[str, Any], name: str, key: str) -> dt.datetime | None:
        value = table.get(name)
        if value is None:
            return None
        path = join_key(key, name)
        if not isinstance(value, str):
            self.problem(path, f"must be a date and time as text, not {describe_value(value)}")
            return None
        parsed, error = parse_instant_text(value)
        if error:
            self.problem(path, error)
        return parsed


def parse_instant_text(value: str) -> tuple[dt.datetime | None, str | None]:
    """Parse ``YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM]``.

    Returns a naive datetime for a wall-clock time (to be read in the policy's timezone)
    or an aware one when an offset is given; or an error message in plain words.
    """
    text = value.strip()
    match = _INSTANT_RE.fullmatch(text)
    if not match:
        return None, (
            f"{describe_value(value)} is not a date and time like 2026-03-05T09:15:00-08:00 "
            "(the UTC offset may be left out for local time)"
        )
    normalized = f"{match['date']}T{match['time']}"
    offset = match["offset"]
    if offset:
        normalized += "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = dt.datetime.fromisoformat(normalized)
    except ValueError:
        return None, f"{describe_value(value)} is not a real date and time"
    # Years 1 and 9999 cannot be moved across timezones or have 48 hours added: no real
    # detainer is dated there, so refuse them rather than fail later.
    if not 1900 <= parsed.year <= 2999:
        return None, f"{describe_value(value)} is outside the years 1900 to 2999"
    return parsed, None


def utf8_text(data: bytes, source: str, encoding: str = "utf-8") -> str:
    """A file's bytes as text (``encoding``: "utf-8-sig" also takes a byte-order mark);
    bytes that are not UTF-8 are the file's problem, said with where."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            [Problem(source, "", f"is not UTF-8 text (byte {exc.start} cannot be read)")]
        ) from None
