"""Gathering what the evidence documents show (the PDF adapter draws them), with the
permission check and the audit event for every document produced."""

from __future__ import annotations

import datetime as dt

from detainer_desk.domain import accounts as acc

from .access import audit, authorize
from .county_clock import read_county_zone
from .evidence_model import DecisionRecord, ReportContext, Scan
from .ports import Actor, ContactRecord, DecisionRow, UnitOfWork

COUNTY_NAME_KEY = "county_name"
JAIL_NAME_KEY = "jail_name"
# What a document says where an administrator has not yet entered a name in Settings: a
# plain fact in brackets, as records mark a missing entry (not an instruction to staff,
# which a public statistics report printed as the county's name).
UNSET_COUNTY = "[county name not entered]"
UNSET_JAIL = "[jail name not entered]"


def report_context(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> ReportContext:
    """What every page prints: the names, who made it and when, and the county's timezone
    (``county_clock``), in which every time on the document is shown."""
    with uow:
        county = uow.accounts.setting(COUNTY_NAME_KEY) or UNSET_COUNTY
        jail = uow.accounts.setting(JAIL_NAME_KEY) or UNSET_JAIL
        zone = read_county_zone(uow)
    return ReportContext(county, jail, now, actor.user, zone.name)


def decision_record(
    uow: UnitOfWork, decision_id: int, actor: Actor, now: dt.datetime, purpose: str
) -> DecisionRecord:
    """Everything about one decision for a document; ``purpose`` names it in the audit trail
    (e.g. "audit PDF", "notice to the person")."""
    from .access import NotFoundError

    with uow:
        actor = authorize(
            uow, actor, acc.PRINT_RECORDS, "decision.print", f"decision {decision_id}", now
        )
        row = uow.records.decision(decision_id)
        if row is None:
            raise NotFoundError(f"there is no decision {decision_id}")
        scans = []
        for attachment in row.attachments:
            content = uow.records.attachment_content(attachment.id) or b""
            scans.append(
                Scan(
                    attachment.id,
                    attachment.file_name,
                    attachment.media_type,
                    attachment.sha256,
                    content,
                    attachment.document_index,
                )
            )
        contacts = contacts_about(uow, decision_id)
        audit(
            uow,
            actor,
            "decision.print",
            f"decision {decision_id}",
            now,
            details={"document": purpose},
        )
        uow.commit()
    return decision_record_of(row, tuple(scans), contacts)


def decision_record_of(
    row: DecisionRow, scans: tuple[Scan, ...], contacts: tuple[ContactRecord, ...]
) -> DecisionRecord:
    """A decision with its current state, scans and contacts, as its documents show it
    (the audit PDF, the notice and the export's copies of them)."""
    from .index import decision_state
    from .policies import load_policy

    return DecisionRecord(
        row=row,
        state=decision_state(row),
        request=row.request,
        decision=row.decision,
        scans=scans,
        policy_timezone=load_policy(row.policy).timezone,
        contacts=contacts,
    )


def contacts_about(uow: UnitOfWork, decision_id: int) -> tuple[ContactRecord, ...]:
    """The contacts recorded about a decision and their amendments, in chain order."""
    from .ports import ContactQuery

    with uow:
        originals = list(uow.records.contacts(ContactQuery(decision_id=decision_id, limit=100_000)))
        corrections = uow.records.amendments_of_contacts([c.id for c in originals])
    return tuple(sorted([*originals, *corrections], key=lambda c: c.seq))
