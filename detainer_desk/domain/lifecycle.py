"""What happened after a decision: amendments, and the decision's current state.

A recorded decision is never changed. Later facts (release eligibility became known, a
supervisor countersigned or overrode it, ICE took custody, the person was released, the
detainer was lifted, a typo was corrected) are amendments: new entries that say who, when
and why. The current state is always *derived* from the decision and its amendments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from .timetext import span_words

RELEASE_ELIGIBLE: Final = "release_eligible"
COUNTERSIGN: Final = "countersign"
OVERRIDE: Final = "override"
ICE_CUSTODY: Final = "ice_custody"
RELEASED: Final = "released"
LIFTED: Final = "lifted"
CORRECTION: Final = "correction"

AMENDMENT_KINDS: Final = (
    RELEASE_ELIGIBLE,
    COUNTERSIGN,
    OVERRIDE,
    ICE_CUSTODY,
    RELEASED,
    LIFTED,
    CORRECTION,
)
# Amendments that need a written reason.
REASON_REQUIRED: Final = frozenset({OVERRIDE, LIFTED, CORRECTION})
# After these the detainer no longer keeps anyone in the jail.
CLOSING_KINDS: Final = frozenset({ICE_CUSTODY, RELEASED, LIFTED})

AMENDMENT_WORDS: Final = {
    RELEASE_ELIGIBLE: "Release eligibility known",
    COUNTERSIGN: "Countersigned",
    OVERRIDE: "Overridden",
    ICE_CUSTODY: "Taken into ICE custody",
    RELEASED: "Released",
    LIFTED: "Detainer lifted or cancelled",
    CORRECTION: "Correction",
}

# Status words for the log and the boards.
AWAITING_REVIEW: Final = "awaiting review"
AWAITING_COUNTERSIGN: Final = "awaiting countersign"
STATUS_COUNTERSIGNED: Final = "countersigned"
STATUS_OVERRIDDEN: Final = "overridden"
STATUS_IN_ICE_CUSTODY: Final = "in ICE custody"
STATUS_RELEASED: Final = "released"
STATUS_LIFTED: Final = "lifted"


@dataclass(frozen=True, slots=True)
class AmendmentFact:
    kind: str
    effective_at: dt.datetime | None
    details: dict[str, Any]
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DecisionState:
    outcome: str  # the outcome in force (an override replaces the recorded one)
    status: str
    hold_until: dt.datetime | None
    release_eligible_at: dt.datetime | None
    closed: bool  # the person is no longer held on this detainer
    # A closing fact (ICE custody, release, lift) that lies after the hold deadline then in
    # force is recorded as it happened (it is the truth) and marked: held past the deadline
    # by this much. None when the hold ended in time, or there was no hold.
    past_deadline: dt.timedelta | None = None
    past_deadline_kind: str | None = None  # which closing fact shows it

    def past_deadline_words(self) -> str | None:
        """``held past its deadline by 2 h 05 min``, or None."""
        if self.past_deadline is None:
            return None
        return f"held past its deadline by {span_words(self.past_deadline)}"


def held_past(
    outcome: str,
    tentative_outcome: str | None,
    hold_until: dt.datetime | None,
    fact_at: dt.datetime | None,
) -> dt.timedelta | None:
    """How long past ``hold_until`` a person was kept when a fact at ``fact_at`` ended the
    hold (the outcome in force a hold, or a hold awaiting review); None when in time."""
    holding = outcome == "hold" or (outcome == "review" and tentative_outcome == "hold")
    if not holding or hold_until is None or fact_at is None:
        return None
    # Subtract in UTC: two instants sharing a zone subtract as wall-clock times.
    late = fact_at.astimezone(dt.UTC) - hold_until.astimezone(dt.UTC)
    return late if late > dt.timedelta(0) else None


def current_state(
    recorded_outcome: str,
    tentative_outcome: str | None,
    hold_until: dt.datetime | None,
    release_eligible_at: dt.datetime | None,
    amendments: Iterable[AmendmentFact],
) -> DecisionState:
    outcome = recorded_outcome
    status = AWAITING_REVIEW if recorded_outcome == "review" else AWAITING_COUNTERSIGN
    closed = False
    past_deadline: dt.timedelta | None = None
    past_kind: str | None = None
    for amendment in sorted(amendments, key=lambda a: a.recorded_at):
        if amendment.kind == RELEASE_ELIGIBLE:
            release_eligible_at = amendment.effective_at
            hold_until = _instant(amendment.details.get("hold_until"))
        elif amendment.kind == COUNTERSIGN and not closed:
            status = STATUS_COUNTERSIGNED
            if outcome == "review" and tentative_outcome:
                outcome = tentative_outcome
        elif amendment.kind == OVERRIDE and not closed:
            status = STATUS_OVERRIDDEN
            outcome = str(amendment.details["outcome"])
            if outcome != "hold":
                hold_until = None
            elif "hold_until" in amendment.details:
                hold_until = _instant(amendment.details.get("hold_until"))
        elif amendment.kind in CLOSING_KINDS:
            if not closed:
                fact_at = amendment.effective_at or amendment.recorded_at
                past_deadline = held_past(outcome, tentative_outcome, hold_until, fact_at)
                past_kind = amendment.kind if past_deadline is not None else None
            closed = True
            status = {
                ICE_CUSTODY: STATUS_IN_ICE_CUSTODY,
                RELEASED: STATUS_RELEASED,
                LIFTED: STATUS_LIFTED,
            }[amendment.kind]
    return DecisionState(
        outcome, status, hold_until, release_eligible_at, closed, past_deadline, past_kind
    )


def _instant(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
