"""The decision's headline: the one line saying what was decided (``HOLD until Fri 13 Feb
2026, 15:00 PST (UTC-08:00)``, ``NOTIFY ONLY``, ``SUPERVISOR REVIEW (tentatively HOLD)``),
composed here once for every screen, PDF and command.

Each place shows the deadline in its own way (the window in the county's long time, the
audit PDF also with UTC), so the caller passes the function that turns an instant into
words; the parts are there for a place that lays them out itself (big words, a smaller
deadline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from .outcomes import Outcome
from .vocabulary import OUTCOME_WORDS

TimeText = Callable[[dt.datetime], str]


def outcome_words(outcome: str) -> str:
    """``HOLD``, ``TRANSFER AT RELEASE``, ...; a word the contract does not know, in capitals."""
    return OUTCOME_WORDS.get(outcome, outcome.upper())


@dataclass(frozen=True, slots=True)
class Headline:
    outcome: str
    words: str  # HOLD, TRANSFER AT RELEASE, NOTIFY ONLY, DECLINE, SUPERVISOR REVIEW
    # The deadline in words, when the outcome is a hold that has one (None: no hold, or the
    # release-eligible time is not known yet, so the hold clock has not started).
    deadline: str | None
    # Under review: the words of the outcome a supervisor would confirm (None otherwise).
    tentative: str | None
    # Under review, tentatively a hold: its deadline in words, when it has one.
    tentative_deadline: str | None

    @property
    def text(self) -> str:
        """The one line: ``HOLD until ...``, ``SUPERVISOR REVIEW (tentatively HOLD)``, ..."""
        if self.deadline is not None:
            return f"{self.words} until {self.deadline}"
        if self.tentative is not None:
            return f"{self.words} (tentatively {self.tentative})"
        return self.words


def headline(
    outcome: str,
    tentative_outcome: str | None,
    hold_until: dt.datetime | None,
    time_text: TimeText,
) -> Headline:
    """The headline of a decision whose outcome (in force) is ``outcome``. The contract sets
    ``hold_until`` only when the outcome, or the tentative outcome under review, is a hold."""
    under_review = outcome == Outcome.REVIEW and bool(tentative_outcome)
    holding = outcome == Outcome.HOLD and hold_until is not None
    tentatively_holding = (
        under_review and tentative_outcome == Outcome.HOLD and hold_until is not None
    )
    return Headline(
        outcome=outcome,
        words=outcome_words(outcome),
        deadline=time_text(hold_until) if holding and hold_until is not None else None,
        tentative=outcome_words(tentative_outcome or "") if under_review else None,
        tentative_deadline=(
            time_text(hold_until) if tentatively_holding and hold_until is not None else None
        ),
    )
