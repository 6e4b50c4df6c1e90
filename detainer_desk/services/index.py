"""Keeping the decision index (current state and export facts) in step with the evidence."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

from detainer_desk.domain import lifecycle as lc
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


def index_for_row(row: DecisionRow, state: lc.DecisionState, now: dt.datetime) -> DecisionIndex:
    request = request_from_mapping(
        json.loads(row.request_json), f"decision {row.summary.decision_id}", bounded=False
    )
    lifts = [a.reason for a in row.amendments if a.kind == lc.LIFTED]
    return build_index(row.summary.decision_id, request, state, lifts[-1] if lifts else None, now)


def rebuild_missing_index(
    uow_factory: Callable[[], UnitOfWork], now: dt.datetime, batch: int = 2000
) -> Iterator[int]:
    """Fill the index for decisions that have no row yet (after the migration that added it,
    or if it was ever cleared). Yields the number done so far."""
    from .records import decision_state

    done = 0
    while True:
        uow = uow_factory()
        with uow:
            missing = uow.records.decisions_missing_index(batch)
            for decision_id in missing:
                row = uow.records.decision(decision_id)
                assert row is not None
                uow.records.upsert_index(index_for_row(row, decision_state(row), now))
            uow.commit()
        if not missing:
            return
        done += len(missing)
        yield done
