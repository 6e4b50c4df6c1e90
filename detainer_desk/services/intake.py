"""Reads the intake screen needs before anything is recorded.

Recording itself is ``records.record_decision``; this module only answers the question an
officer must see answered *before* recording: has a request for this booking number on this
detainer form been recorded already? (The same detainer entered twice makes two decisions
for one person, and the log would then disagree with itself.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from detainer_desk.domain import accounts as acc

from .access import authorize
from .ports import Actor, UnitOfWork

SHOWN_EARLIER = 5


@dataclass(frozen=True, slots=True)
class EarlierDecision:
    decision_id: int
    outcome: str
    tentative_outcome: str | None
    recorded_at: dt.datetime  # UTC
    recorded_by: str


@dataclass(frozen=True, slots=True)
class EarlierDecisions:
    """Decisions already recorded for one booking number and form: how many, and the latest."""

    booking_number: str
    form: str
    total: int
    latest: tuple[EarlierDecision, ...]  # newest first, at most ``SHOWN_EARLIER``


def earlier_decisions(
    uow: UnitOfWork,
    booking_number: str,
    form: str,
    actor: Actor,
    now: dt.datetime,
    *,
    shown: int = SHOWN_EARLIER,
) -> EarlierDecisions:
    """The decisions recorded for ``booking_number`` on ``form`` (the same match that
    ``record_decision`` reports afterwards as ``earlier_decisions``)."""
    booking_number = booking_number.strip()
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "records.duplicates", booking_number, now)
        ids = list(uow.records.decisions_for_booking(booking_number, form))
        latest = []
        for decision_id in reversed(ids[-shown:] if shown > 0 else []):
            row = uow.records.decision(decision_id)
            if row is None:  # pragma: no cover - the ids come from the same transaction
                continue
            latest.append(
                EarlierDecision(
                    decision_id,
                    row.summary.outcome,
                    row.summary.tentative_outcome,
                    row.summary.recorded_at,
                    row.summary.recorded_by,
                )
            )
    return EarlierDecisions(booking_number, form, len(ids), tuple(latest))
