"""Input problems: what the user (or the county's policy author) got wrong, in plain words.

Invalid input is never a decision (contract section 5). Every problem names the file, the key
(and, for TOML, the line) and what is wrong, so that a person can fix it without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        key = f" {_printable(self.key)}:" if self.key else ""
        return f"{where}:{key} {self.message}"


def _printable(text: str) -> str:
    """A key as it can be shown on one line of a terminal: a control character (a NUL, a
    line break) written as its escape, ``\\u0000``, never sent raw."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


class InvalidInput(Exception):
    """Raised with every problem found, never with only the first one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]
