"""Rows of the store turned into the services' records (ports.py), and back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import RowMapping

from detainer_desk.services.ports import (
    DecisionSummary,
    Stamp,
    StoredPolicy,
)

from .derived_scan import from_utc_text, utc_text
from .schema import (
    decision_index,
    decisions,
    requests,
)


def maybe_time(text: str | None) -> dt.datetime | None:
    return from_utc_text(text) if text else None


def stamp_values(stamp: Stamp) -> dict[str, Any]:
    return {
        "recorded_at": utc_text(stamp.recorded_at),
        "recorded_by": stamp.recorded_by,
        "workstation": stamp.workstation,
    }


def stamp_of(row: RowMapping | dict[str, Any], prefix: str = "") -> Stamp:
    return Stamp(
        from_utc_text(row[f"{prefix}recorded_at"]),
        row[f"{prefix}recorded_by"],
        row[f"{prefix}workstation"],
    )


def policy_of(row: RowMapping | dict[str, Any]) -> StoredPolicy:
    return StoredPolicy(
        row["id"], row["sha256"], row["name"], row["source_name"], row["text"], stamp_of(row)
    )


SUMMARY_COLUMNS = (
    decisions.c.id.label("decision_id"),
    requests.c.id.label("request_id"),
    requests.c.received_at,
    requests.c.subject_name,
    requests.c.dob,
    requests.c.booking_number,
    requests.c.a_number,
    requests.c.form,
    decisions.c.outcome,
    decisions.c.tentative_outcome,
    decisions.c.hold_until,
    requests.c.release_eligible_at,
    decisions.c.recorded_by,
    decisions.c.recorded_at,
    decision_index.c.outcome_in_force,
    decision_index.c.status,
    decision_index.c.closed,
    decision_index.c.hold_until.label("hold_until_in_force"),
)
"""A decision's summary, over requests joined to decisions and (outer) to the index; with
a ``sort_value`` column added for the log's keyset."""


def summary_of(row: RowMapping) -> DecisionSummary:
    closed = row["closed"]
    return DecisionSummary(
        decision_id=row["decision_id"],
        request_id=row["request_id"],
        received_at=from_utc_text(row["received_at"]),
        subject_name=row["subject_name"],
        dob=row["dob"],
        booking_number=row["booking_number"],
        a_number=row["a_number"],
        form=row["form"],
        outcome=row["outcome"],
        tentative_outcome=row["tentative_outcome"],
        hold_until=row["hold_until"],
        release_eligible_at=maybe_time(row["release_eligible_at"]),
        recorded_by=row["recorded_by"],
        recorded_at=from_utc_text(row["recorded_at"]),
        outcome_in_force=row["outcome_in_force"],
        status=row["status"],
        closed=None if closed is None else bool(closed),
        hold_until_in_force=row["hold_until_in_force"],
        sort_value=str(row["sort_value"]) if "sort_value" in row else "",
    )


def is_row_id(number: int) -> bool:
    """Whether ``number`` can be a row's id: both databases keep ids as signed 64-bit
    integers, counted from 1."""
    return 1 <= number < 2**63
