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
            closed = True
            status = {
                ICE_CUSTODY: STATUS_IN_ICE_CUSTODY,
                RELEASED: STATUS_RELEASED,
                LIFTED: STATUS_LIFTED,
            }[amendment.kind]
    return DecisionState(outcome, status, hold_until, release_eligible_at, closed)


def _instant(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
