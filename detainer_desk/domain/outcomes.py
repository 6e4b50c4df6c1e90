"""The outcomes of a decision (contract section 4), one enum for every screen, PDF and
command. The values are the contract's words, as files and database rows hold them: a member
compares equal to its word, so ``Outcome.HOLD == "hold"`` and either may be stored."""

from __future__ import annotations

import enum
from typing import Final


class Outcome(enum.StrEnum):
    HOLD = "hold"
    TRANSFER = "transfer"
    NOTIFY = "notify"
    DECLINE = "decline"
    REVIEW = "review"


# Every outcome, in the contract's order.
OUTCOMES: Final = tuple(Outcome)
# What a supervisor's override may put in force: anything but another review.
OVERRIDE_OUTCOMES: Final = (Outcome.HOLD, Outcome.TRANSFER, Outcome.NOTIFY, Outcome.DECLINE)
# The outcomes that honour the detainer (the person is kept for, or handed to, ICE).
HONOURING: Final = frozenset({Outcome.HOLD, Outcome.TRANSFER})


def is_holding(outcome: str | None, tentative_outcome: str | None) -> bool:
    """A hold in force, or a hold awaiting a supervisor's review: the hold clock runs."""
    return outcome == Outcome.HOLD or (
        outcome == Outcome.REVIEW and tentative_outcome == Outcome.HOLD
    )
