"""Keeping the decision index (current state and export facts) in step with the evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.domain.foia import foia_facts
from detainer_desk.domain.request import Request, request_from_mapping

from .ports import DecisionIndex, DecisionRow, UnitOfWork


def build_index(
    decision_id: int,
    request: Request,
    state: lc.DecisionState,
    lift_reason: str | None,
    now: dt.datetime,
) -> DecisionIndex:
    facts = foia_facts(request)
    issued = request.detainer.issued_at
    return DecisionIndex(
        decision_id=decision_id,
        status=state.status,
        outcome_in_force=state.outcome,
        closed=state.closed,
        hold_until=state.hold_until,
        release_eligible_at=state.release_eligible_at,
        detainer_issued_at=issued.isoformat() if issued else None,
        msc_charge=facts.msc_charge,
        msc_charge_code=facts.msc_charge_code,
        msc_conviction_date=facts.msc_conviction_date.isoformat()
        if facts.msc_conviction_date
        else None,
        felon=facts.felon,
        case_final_order=facts.case_final_order,
        biometric_match=facts.biometric_match,
        statements_made=facts.statements_made,
        citizenship_claim=facts.citizenship_claim,
        lift_reason=lift_reason,
        updated_at=now,
    )


def decision_state_of(
    outcome: str,
    tentative_outcome: str | None,
    hold_until: str | None,
    release_eligible_at: dt.datetime | None,
    amendments: Iterable[tuple[str, dt.datetime | None, Mapping[str, Any], dt.datetime]],
) -> lc.DecisionState:
    """The decision's current state from its evidence: the recorded outcome, hold_until as
    stored, the request's release eligibility, and its amendments as (kind, effective at,
    details, recorded at) in chain order."""
    facts = [
        lc.AmendmentFact(kind, effective_at, details, recorded_at)
        for kind, effective_at, details, recorded_at in amendments
    ]
    return lc.current_state(
        outcome,
        tentative_outcome,
        dt.datetime.fromisoformat(hold_until) if hold_until else None,
        release_eligible_at,
        facts,
    )


def decision_state(row: DecisionRow) -> lc.DecisionState:
    return decision_state_of(
        row.summary.outcome,
        row.summary.tentative_outcome,
        row.summary.hold_until,
        row.summary.release_eligible_at,
        [(a.kind, a.effective_at, a.details, a.stamp.recorded_at) for a in row.amendments],
    )


def derive_index(
    decision_id: int,
    request_as_entered: Mapping[str, Any],
    state: lc.DecisionState,
    lift_reasons: Sequence[str | None],
    now: dt.datetime,
) -> DecisionIndex:
    """A decision's index row from its evidence: the request as recorded, the current
    state, and the reasons of its ``lifted`` amendments in chain order. The program writes
    exactly this, and verify recomputes it to compare."""
    request = request_from_mapping(request_as_entered, f"decision {decision_id}", bounded=False)
    return build_index(decision_id, request, state, lift_reasons[-1] if lift_reasons else None, now)


def index_for_row(row: DecisionRow, state: lc.DecisionState, now: dt.datetime) -> DecisionIndex:
    lifts = [a.reason for a in row.amendments if a.kind == lc.LIFTED]
    return derive_index(row.summary.decision_id, row.request, state, lifts, now)


def rebuild_missing_index(
    uow_factory: Callable[[], UnitOfWork], now: dt.datetime, batch: int = 2000
) -> Iterator[int]:
    """Fill the index for decisions that have no row yet (after the migration that added it,
    or if it was ever cleared). Yields the number done so far. A decision whose evidence
    cannot be read back (a row planted or damaged outside the program) is left without
    one: verify names it, and opening the store must not fail on it."""
    done = 0
    after = 0
    while True:
        uow = uow_factory()
        with uow:
            missing = uow.records.decisions_missing_index(batch, after)
            for decision_id in missing:
                row = uow.records.decision(decision_id)
                if row is None:
                    continue
                try:
                    index = index_for_row(row, decision_state(row), now)
                except (ValueError, KeyError, TypeError, InvalidInput):
                    continue
                uow.records.upsert_index(index)
            uow.commit()
        if not missing:
            return
        after = missing[-1]
        done += len(missing)
        yield done
