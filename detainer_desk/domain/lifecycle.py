"""What happened after a decision: amendments, and the decision's current state.

A recorded decision is never changed. Later facts (release eligibility became known, a
supervisor countersigned or overrode it, ICE took custody, the person was released, the
detainer was lifted, a typo was corrected) are amendments: new entries that say who, when
and why. The current state is always *derived* from the decision and its amendments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .contacts import control_character
from .outcomes import Outcome, is_holding
from .timetext import span_words

RELEASE_ELIGIBLE: Final = "release_eligible"
COUNTERSIGN: Final = "countersign"
OVERRIDE: Final = "override"
ICE_CUSTODY: Final = "ice_custody"
RELEASED: Final = "released"
LIFTED: Final = "lifted"
CORRECTION: Final = "correction"
# Facts the statutory reports need and a detainer decision does not hold (5 ILCS 805/25(a)(2)(B):
# when bail was posted; Cal. Gov. Code 7283.1(d): demographic characteristics). They may be
# added at any time, also after the hold has ended: the report is often made months later.
BAIL_POSTED: Final = "bail_posted"
PERSON_FACTS: Final = "person_facts"

AMENDMENT_KINDS: Final = (
    RELEASE_ELIGIBLE,
    COUNTERSIGN,
    OVERRIDE,
    ICE_CUSTODY,
    RELEASED,
    LIFTED,
    CORRECTION,
    BAIL_POSTED,
    PERSON_FACTS,
)
# Amendments that add a reporting fact and never change the decision's state.
REPORT_FACT_KINDS: Final = frozenset({BAIL_POSTED, PERSON_FACTS})
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
    BAIL_POSTED: "Bail posted",
    PERSON_FACTS: "Facts about the person (for reports)",
}

# The person's facts a report may ask for (PERSON_FACTS details), and the values each takes.
# Race and ethnicity follow the categories of the U.S. OMB standard as county jails record
# them; a county that records others writes them as "other".
SEX_VALUES: Final = ("female", "male", "x", "unknown")
RACE_VALUES: Final = (
    "american_indian_or_alaska_native",
    "asian",
    "black_or_african_american",
    "native_hawaiian_or_pacific_islander",
    "white",
    "two_or_more",
    "other",
    "unknown",
)
ETHNICITY_VALUES: Final = ("hispanic_or_latino", "not_hispanic_or_latino", "unknown")
PERSON_FACT_KEYS: Final = ("sex", "race", "ethnicity", "preferred_language")
PERSON_FACT_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "sex": SEX_VALUES,
    "race": RACE_VALUES,
    "ethnicity": ETHNICITY_VALUES,
}
# Who took the person at a transfer (ICE_CUSTODY details), for 5 ILCS 805/25(a)(2)(C).
RECEIVING_AGENCY: Final = "receiving_agency"
MAX_FACT_TEXT: Final = 200


def report_fact_problems(
    kind: str, effective_at: dt.datetime | None, details: dict[str, Any]
) -> list[str]:
    """What is wrong with a reporting fact (bail posted, facts about the person, who took
    the person at a transfer), one line per problem; empty when it can be recorded."""
    problems: list[str] = []
    if kind == BAIL_POSTED:
        if effective_at is None:
            problems.append("the date and time bail was posted is required")
        for key in sorted(details):
            problems.append(f"{key}: not a detail of a bail posted fact")
    elif kind == PERSON_FACTS:
        unknown = sorted(set(details) - set(PERSON_FACT_KEYS))
        for key in unknown:
            problems.append(
                f"{key}: not a fact about the person (one of: {', '.join(PERSON_FACT_KEYS)})"
            )
        given = {k: v for k, v in details.items() if k in PERSON_FACT_KEYS}
        if not given and not unknown:
            problems.append(
                f"give at least one fact about the person: {', '.join(PERSON_FACT_KEYS)}"
            )
        for key, value in given.items():
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{key}: give it as words")
            elif key in PERSON_FACT_VALUES and value not in PERSON_FACT_VALUES[key]:
                problems.append(
                    f"{key}: '{value}' is not one of {', '.join(PERSON_FACT_VALUES[key])}"
                )
            elif len(value) > MAX_FACT_TEXT:
                problems.append(f"{key}: at most {MAX_FACT_TEXT} characters")
            elif control_character(value):
                problems.append(f"{key}: contains a control character")
    elif kind == ICE_CUSTODY and RECEIVING_AGENCY in details:
        value = details[RECEIVING_AGENCY]
        if not isinstance(value, str) or not value.strip():
            problems.append("receiving agency: give it as words, or leave it out")
        elif len(value) > MAX_FACT_TEXT:
            problems.append(f"receiving agency: at most {MAX_FACT_TEXT} characters")
        elif control_character(value):
            problems.append("receiving agency: contains a control character")
    return problems


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
    details: Mapping[str, Any]
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
    if not is_holding(outcome, tentative_outcome) or hold_until is None or fact_at is None:
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
    status = AWAITING_REVIEW if recorded_outcome == Outcome.REVIEW else AWAITING_COUNTERSIGN
    closed = False
    past_deadline: dt.timedelta | None = None
    past_kind: str | None = None
    for amendment in sorted(amendments, key=lambda a: a.recorded_at):
        if amendment.kind == RELEASE_ELIGIBLE:
            release_eligible_at = amendment.effective_at
            hold_until = _instant(amendment.details.get("hold_until"))
        elif amendment.kind == COUNTERSIGN and not closed:
            status = STATUS_COUNTERSIGNED
            if outcome == Outcome.REVIEW and tentative_outcome:
                outcome = tentative_outcome
        elif amendment.kind == OVERRIDE and not closed:
            status = STATUS_OVERRIDDEN
            outcome = str(amendment.details["outcome"])
            if outcome != Outcome.HOLD:
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
