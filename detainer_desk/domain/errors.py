"""Input problems: what the user (or the county's policy author) got wrong, in plain words.

Invalid input is never a decision (contract section 5). Every problem names the file, the key
(and, for TOML, the line) and what is wrong, so that a person can fix it without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .text import shortened, visible

# The most problems listed for one input: a file with a hundred thousand unknown keys gets
# these many lines and a count of the rest, not a hundred thousand lines.
LISTED_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        file = visible(self.file)
        where = f"{file}:{self.line}" if self.line is not None else file
        key = f" {_printable(self.key)}:" if self.key else ""
        return f"{where}:{key} {visible(self.message)}"


def _printable(text: str) -> str:
    """A key as it can be shown on one line of a terminal: a control character
    (a NUL, a line break) written as its escape, ``\\u0000``, never sent raw; and short."""
    return shortened(visible(text), 120)


class InvalidInput(Exception):
    """Raised with every problem found, never with only the first one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[:LISTED_PROBLEMS]]
        more = len(self.problems) - LISTED_PROBLEMS
        if more > 0:
            shown.append(f"... and {more:,} more problems of the same input")
        return shown
