"""Listings as PDFs, in the house layout (layout.py): the audit trail of a search, and a
what-if comparison of a proposed policy against the decisions recorded."""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import Flowable

from detainer_desk.domain import timetext
from detainer_desk.domain.details import details_text
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.vocabulary import OUTCOME_CELL_WORDS
from detainer_desk.services.evidence_model import ReportContext
from detainer_desk.services.listings import AuditListing, WhatIfListing

from .layout import (
    Furniture,
    build_pdf,
    fact_table,
    grid_table,
    grouped,
    local_and_utc,
    para,
    section,
    spacer,
    styles,
    zone_named,
)


def render_audit_trail_pdf(listing: AuditListing, context: ReportContext) -> bytes:
    """Who did what, when, where, with what outcome: the events of ``listing``."""
    s = styles()
    count = len(listing.events)
    zone = zone_named(listing.timezone)
    story: list[Flowable] = [
        para("Audit trail", s.title),
        para(
            f"Events matching: {listing.description}. Newest first; times are the county's "
            f"({listing.timezone}), to the hundredth of a second.",
            s.subtitle,
        ),
        fact_table(
            [
                ("Events listed", f"{count:,}"),
                (
                    "Complete",
                    "yes: every event matching the search"
                    if not listing.more
                    else f"no: the newest {count:,}; older events match too. Save the audit "
                    "trail as CSV for all of them, or narrow the search by date.",
                ),
                ("Generated for", context.generated_by),
            ]
        ),
    ]
    if listing.events:
        rows = [
            (
                timetext.precise_time(event.occurred_at, zone),
                _who(event.user_name, event.roles, event.workstation),
                event.action,
                event.target or "",
                event.outcome,
                details_text(event.details_json),
            )
            for event in listing.events
        ]
        # No heading kept with it: a long table starts under the facts, not on a new page.
        story.append(spacer(10))
        story.append(
            grid_table(
                (
                    "Time (UTC)",
                    "Who, at which workstation",
                    "Action",
                    "Target",
                    "Outcome",
                    "Details",
                ),
                rows,
                (1.45, 1.5, 1.1, 1.05, 0.65, 1.25),
            )
        )
    else:
        story.append(para("No events match this search.", s.body))
    return build_pdf(
        story,
        Furniture(context, f"Audit trail · {count:,} events"),
        title="Audit trail",
        subject=f"Audit trail: {listing.description}",
    )


def _who(user: str, roles: str, workstation: str) -> str:
    who = f"{user} ({roles})" if roles else user
    return f"{who} at {workstation}" if workstation else who


def render_what_if_pdf(listing: WhatIfListing, context: ReportContext) -> bytes:
    """A proposed policy against the decisions recorded in a period: what would change."""
    s = styles()
    result = listing.result
    zone = zone_named(listing.timezone)
    first, last = listing.received_from, listing.received_to
    period = f"{timetext.day_text(first)} to {timetext.day_text(last)}"
    story: list[Flowable] = [
        para("What if: a proposed policy and the decisions made", s.title),
        para(
            f"Requests received {period} ({listing.timezone}), each checked again under the "
            "proposal as at the moment its decision was made. Nothing in the records was "
            "changed.",
            s.subtitle,
        ),
        fact_table(
            [
                ("Proposed policy", result.policy_name),
                ("Its SHA-256", para(grouped(result.policy_sha256), s.mono)),
                ("Decisions examined", f"{result.examined:,}"),
                ("Would come out differently", f"{len(result.changes):,}"),
                ("Could not be checked again", f"{len(result.not_evaluable):,}"),
                ("Compared", local_and_utc(context.generated_at, zone)),
            ]
        ),
    ]
    if result.changes:
        rows = [
            (
                str(change.decision_id),
                change.subject_name,
                change.booking_number,
                timetext.short_time(change.received_at, zone),
                OUTCOME_CELL_WORDS.get(change.recorded_outcome, change.recorded_outcome),
                OUTCOME_CELL_WORDS.get(change.proposed_outcome, change.proposed_outcome),
                _until(change.recorded_outcome, change.recorded_hold_until, zone),
                _until(change.proposed_outcome, change.proposed_hold_until, zone),
            )
            for change in result.changes
        ]
        story.append(para("Decisions that would change", s.h3))
        story.append(
            grid_table(
                (
                    "Decision",
                    "Person",
                    "Booking no.",
                    "Received",
                    "Recorded",
                    "Proposed",
                    "Recorded hold until",
                    "Proposed hold until",
                ),
                rows,
                (0.75, 1.1, 0.85, 0.95, 0.75, 0.85, 0.95, 0.95),
            )
        )
    else:
        story.append(para("No decision would come out differently.", s.body))
    if result.not_evaluable:
        story += section(
            "Decisions not checked again (their request no longer reads as valid)",
            grid_table(
                ("Decision", "Why"),
                [(str(number), problem) for number, problem in result.not_evaluable],
                (0.8, 6.2),
            ),
        )
    return build_pdf(
        story,
        Furniture(context, f"What if · {result.policy_name}"),
        title=f"What if: {result.policy_name}",
        subject=f"What-if comparison, requests received {period}",
    )


def _until(outcome: str, hold_until: str | None, zone: dt.tzinfo) -> str:
    if outcome != Outcome.HOLD:
        return "–"
    if not hold_until:
        return "when release is known"
    return timetext.short_time(dt.datetime.fromisoformat(hold_until), zone)
