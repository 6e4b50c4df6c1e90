"""Facts about a request in the terms of the ICE detainer data published through FOIA
(Deportation Data Project, TRAC), so an export lines up with the federal columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .request import HistoryEntry, Request

# Most serious first, as a records clerk would rank them.
_SEVERITY = {"felony": 4, "indictable": 4, "wobbler": 3, "misdemeanor": 2, "infraction": 1}


@dataclass(frozen=True, slots=True)
class FoiaFacts:
    msc_charge: str | None  # Most Serious Conviction (MSC) Charge
    msc_charge_code: str | None  # MSC Charge Code (the statute)
    msc_conviction_date: dt.date | None  # MSC Conviction Date
    felon: bool  # Felon: any felony (or indictable) conviction
    case_final_order: bool  # Case Final Order Yes No
    biometric_match: bool  # Biometric Match Yes No
    statements_made: bool  # Statements Made Yes No
    citizenship_claim: bool


def most_serious_conviction(history: tuple[HistoryEntry, ...]) -> HistoryEntry | None:
    convictions = [h for h in history if h.status == "convicted"]
    if not convictions:
        return None
    return max(
        convictions,
        key=lambda h: (_SEVERITY.get(h.offense_class, 0), h.date or dt.date.min),
    )


def foia_facts(request: Request) -> FoiaFacts:
    msc = most_serious_conviction(request.history)
    basis = request.detainer.probable_cause_basis
    return FoiaFacts(
        msc_charge=msc.offense if msc else None,
        msc_charge_code=msc.statute if msc else None,
        msc_conviction_date=msc.date if msc else None,
        felon=any(
            h.status == "convicted" and h.offense_class in ("felony", "indictable")
            for h in request.history
        ),
        case_final_order="final_order" in basis,
        biometric_match="biometric_match" in basis,
        statements_made="statements" in basis,
        citizenship_claim=request.subject.citizenship_claim
        or bool(request.subject.us_citizenship_indicators),
    )
