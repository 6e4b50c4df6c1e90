"""Listings to print or hand on: the audit trail (every event matching a search) and a
what-if comparison, as CSV text here and as PDFs through the PDF adapter.

Copying the audit trail out of the program is itself recorded ("audit.export"), as is
printing or saving a what-if ("policy.what_if_export"): both are copies of criminal-justice
information. A CSV cell that a spreadsheet would run as a formula (= + - @, a tab or a
carriage return first) is written with an apostrophe before it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import timetext

from .access import RecordError, audit, authorize
from .county_clock import read_county_zone
from .policies import Change, WhatIfResult
from .ports import Actor, AuditEvent, AuditQuery, UnitOfWork

PAGE = 500
# A PDF of more events than this would run to hundreds of pages: it lists the newest ones
# and says how to have them all (the CSV has every event).
PDF_EVENT_LIMIT = 5_000
AUDIT_CSV_COLUMNS = (
    "event_id",
    "time_utc",
    "user",
    "roles",
    "workstation",
    "action",
    "target",
    "outcome",
    "details",
)
WHAT_IF_CSV_COLUMNS = (
    "decision_id",
    "person",
    "booking_number",
    "received_at",
    "recorded_outcome",
    "proposed_outcome",
    "recorded_hold_until",
    "proposed_hold_until",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


# -- the audit trail ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditListing:
    """The events matching a search, newest first: all of them, or the newest ``limit``
    (``more`` then says that older ones match too)."""

    events: tuple[AuditEvent, ...]
    more: bool
    description: str  # the search in words
    timezone: str = "UTC"  # the county's (IANA name): the times shown are its wall clock


def describe_audit_query(query: AuditQuery, zone: dt.tzinfo) -> str:
    parts = []
    if query.user_name:
        parts.append(f"user {query.user_name}")
    if query.action:
        parts.append(f"action beginning “{query.action}”")
    if query.outcome:
        parts.append(f"outcome {query.outcome}")
    if query.occurred_from:
        parts.append(f"from {timetext.short_time(query.occurred_from, zone)}")
    if query.occurred_to:
        parts.append(f"before {timetext.short_time(query.occurred_to, zone)}")
    return ", ".join(parts) or "every event"


def audit_listing(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    query: AuditQuery,
    now: dt.datetime,
    purpose: str,
    *,
    limit: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[int | AuditListing]:
    """Every event matching ``query`` (newest first; at most ``limit``), read page by page:
    yields how many were read so far, then the listing. ``purpose`` ("PDF", "CSV",
    "print") is recorded with the copy in the audit trail, with the search and the count."""
    events: list[AuditEvent] = []
    more = False
    before = None
    page = replace(query, limit=PAGE, before_id=None)
    while True:
        with uow_factory() as uow:
            authorize(uow, actor, acc.VIEW_AUDIT, "audit.export", purpose, now)
            found = list(uow.audit.find(replace(page, before_id=before)))
        events.extend(found)
        if limit is not None and len(events) > limit:
            del events[limit:]
            more = True
        yield len(events)
        if more or len(found) < PAGE:
            break
        if cancelled():
            raise ListingCancelled("nothing was copied")
        before = found[-1].id
    with uow_factory() as uow:
        county = read_county_zone(uow)
    description = describe_audit_query(query, county.zone)
    with uow_factory() as uow:
        audit(
            uow,
            actor,
            "audit.export",
            purpose,
            now,
            details={"search": description, "events": len(events), "all": not more},
        )
        uow.commit()
    yield AuditListing(tuple(events), more, description, county.name)


class ListingCancelled(RecordError):
    pass


def audit_csv(listing: AuditListing) -> str:
    """Every event; its time a full ISO instant with the county's offset (a county date)."""
    zone = ZoneInfo(listing.timezone)
    return _csv(
        AUDIT_CSV_COLUMNS,
        (
            (
                e.id,
                e.occurred_at.astimezone(zone).isoformat(timespec="microseconds"),
                e.user_name,
                e.roles,
                e.workstation,
                e.action,
                e.target or "",
                e.outcome,
                _details(e),
            )
            for e in listing.events
        ),
    )


def _details(event: AuditEvent) -> str:
    """The details as compact JSON (exactly what was recorded, one cell)."""
    if event.details is not None:
        return json.dumps(event.details, ensure_ascii=False, sort_keys=True)
    try:  # not a JSON object: as recorded (compacted if it is JSON at all)
        return json.dumps(json.loads(event.details_json), ensure_ascii=False, sort_keys=True)
    except ValueError:
        return event.details_json


# -- a what-if comparison -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhatIfListing:
    result: WhatIfResult
    received_from: dt.date
    received_to: dt.date  # included
    timezone: str  # the county's, for the times shown


def record_what_if_copy(
    uow: UnitOfWork, actor: Actor, listing: WhatIfListing, purpose: str, now: dt.datetime
) -> None:
    """Printing or saving a comparison is on the record, like running it."""
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_POLICIES, "policy.what_if_export", purpose, now)
        audit(
            uow,
            actor,
            "policy.what_if_export",
            listing.result.policy_name,
            now,
            details={
                "sha256": listing.result.policy_sha256,
                "document": purpose,
                "would_change": len(listing.result.changes),
                "from": listing.received_from.isoformat(),
                "to": listing.received_to.isoformat(),
            },
        )
        uow.commit()


def what_if_csv(listing: WhatIfListing) -> str:
    def row(change: Change) -> tuple[object, ...]:
        return (
            change.decision_id,
            change.subject_name,
            change.booking_number,
            change.received_at.isoformat(),
            change.recorded_outcome,
            change.proposed_outcome,
            change.recorded_hold_until or "",
            change.proposed_hold_until or "",
        )

    return _csv(WHAT_IF_CSV_COLUMNS, (row(change) for change in listing.result.changes))
