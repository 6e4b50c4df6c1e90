"""Untrusted text, shown safely: names, statutes, file names and reasons come from whoever
filled in the request or the form, and may hold characters that take over a terminal
(ESC sequences, a carriage return or line break forging a line), reorder what a reader sees
(bidirectional overrides: "Trojan Source"), or make a spreadsheet run a formula.

One module decides what is escaped, so the terminal, the PDFs and the CSV/DAT files agree:

* ``visible`` writes every control character (C0, DEL, C1), line and paragraph separator,
  bidirectional embedding, override and isolate, and lone surrogate as its escape
  (``\\u001b``). Bidirectional *marks* (U+200E, U+200F, U+061C) are kept: they only steer
  neutral characters and belong in ordinary right-to-left names.
* ``quoted`` is a bad value as an error message quotes it: escaped, and shortened.
* ``csv_cell`` is a text cell as the program writes it into a CSV file: escaped, and guarded
  against formula injection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 and C1 controls and DEL; U+2028/U+2029 (line and paragraph separators); the
# bidirectional embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069);
# lone surrogates (a JSON escape like "\ud800" makes one).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
# What the program's own terminal output may hold besides: tabs, line ends, carriage returns.
_UNSAFE_ON_A_TERMINAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)

# A cell a spreadsheet would read as a formula (or, after a tab or carriage return, might):
# OWASP's list. Such a cell gets a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SHORT = 80  # characters of a bad value an error message quotes


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def visible(text: str, *, keep_line_breaks: bool = False) -> str:
    """``text`` with every unsafe character written as its escape; with
    ``keep_line_breaks``, "\\n" stays (for multi-line text the program lays out itself)."""
    pattern = _UNSAFE_BUT_LINES if keep_line_breaks else _UNSAFE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


def terminal_safe(text: str) -> str:
    """Text the program writes to a terminal as a whole: its own tabs, line ends and
    carriage returns kept, every other unsafe character escaped (the last line of defence;
    untrusted fields are passed through ``visible`` before they are laid out)."""
    if _UNSAFE_ON_A_TERMINAL.search(text) is None:
        return text
    return _UNSAFE_ON_A_TERMINAL.sub(_escape, text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def shortened(text: str, limit: int = SHORT) -> str:
    """At most ``limit`` characters of ``text``, and how long it was when cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: str, limit: int = SHORT) -> str:
    """A value as an error message quotes it: in quotes, escaped (Python's repr escapes
    every unprintable character), cut after ``limit`` characters."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def number_text(value: int | float) -> str:
    """A number as a message shows it; a huge integer is not written out digit by digit
    (Python refuses to past 4,300 digits, and nobody reads them)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        if value.bit_length() < 14_000:  # under Python's 4,300-digit limit
            return f"a number of {len(str(abs(value))):,} digits"
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    return str(value)


# A line of CSV text (the quoted cells of QUOTE_NONNUMERIC) that holds a cell ``csv_cell``
# would change: an unsafe character anywhere, or a quoted cell starting like a formula. (A
# cell's own quotes are doubled, so `,"` followed by `=` only ever starts a cell.)
_LINE_NEEDING_CARE = re.compile(
    '(?:^|,)"[=+\\-@\t\r]|[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]'
)


def csv_line_needs_care(line: str) -> bool:
    """Whether ``csv_row`` would change a cell of this CSV line (written without it)."""
    return _LINE_NEEDING_CARE.search(line) is not None


def csv_row(values: Iterable[object]) -> list[object]:
    """A row as the program writes it into a CSV file: each text cell through ``csv_cell``,
    numbers and empty cells as they are."""
    return [csv_cell(value) if isinstance(value, str) else value for value in values]


def csv_cell(value: str) -> str:
    """A text cell of a CSV file the program writes: escaped like ``visible``, and a cell
    that starts like a formula gets a leading apostrophe (so ``=HYPERLINK(...)`` is text)."""
    text = visible(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
