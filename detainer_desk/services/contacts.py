"""Use cases of ICE contacts: record one, amend one, find them; and the county's reporting
jurisdiction (which reports and notices apply), read here and nowhere else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import contacts as ct
from detainer_desk.domain import lawreports as lr
from detainer_desk.domain.clock import to_aware
from detainer_desk.domain.timeline import CLOCK_SKEW, is_whole_minute
from detainer_desk.domain.timetext import short_time

from .access import NotFoundError, RecordError, audit, authorize, canonical_json
from .county_clock import read_county_zone
from .ports import Actor, ContactQuery, ContactRecord, NewContact, Stamp, UnitOfWork

JURISDICTION_KEY: Final = "report_jurisdiction"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str | None  # IL, CA, OR, NYC, NJ, TX, CO; None: no reporting law known
    source: str  # "setting", "active policy" or "none"

    @property
    def words(self) -> str:
        if self.code is None:
            return "none set (no statutory report or notice applies)"
        name = lr.JURISDICTIONS[self.code]
        return name if self.source == "setting" else f"{name} (from the policy in force)"


def read_jurisdiction(uow: UnitOfWork) -> Jurisdiction:
    """The county's reporting jurisdiction: the setting, else what the active policy's
    ``jurisdiction`` names (joins an open transaction)."""
    from .policies import load_policy

    with uow:
        stored = (uow.accounts.setting(JURISDICTION_KEY) or "").strip()
        if stored in lr.JURISDICTIONS:
            return Jurisdiction(stored, "setting")
        activation = uow.records.active_policy()
    if activation is not None:
        code = lr.jurisdiction_of(load_policy(activation.policy).jurisdiction)
        if code is not None:
            return Jurisdiction(code, "active policy")
    return Jurisdiction(None, "none")


def save_jurisdiction(uow: UnitOfWork, code: str, actor: Actor, now: dt.datetime) -> None:
    """Set the county's reporting jurisdiction (``""``: follow the policy in force)."""
    if code and code not in lr.JURISDICTIONS:
        raise RecordError(
            f"'{code}' is not a reporting jurisdiction (one of: {', '.join(lr.JURISDICTIONS)})"
        )
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_SETTINGS, "settings.save", JURISDICTION_KEY, now)
        uow.accounts.set_setting(JURISDICTION_KEY, code, now, actor.user)
        audit(uow, actor, "settings.save", JURISDICTION_KEY, now, details={"value": code})
        uow.commit()


def policy_can(uow: UnitOfWork) -> dict[str, bool]:
    """Whether any clause of the policy in force permits hold, transfer, notify."""
    from .policies import load_policy

    with uow:
        activation = uow.records.active_policy()
    if activation is None:
        return {}
    policy = load_policy(activation.policy)
    return {
        action: bool(rule is not None and rule.when)
        for action, rule in (
            ("hold", policy.hold),
            ("transfer", policy.transfer),
            ("notify", policy.notify),
        )
    }


# -- recording ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactResult:
    contact_id: int
    policy_answer: str


def _time_problem(occurred_at: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str | None:
    if not is_whole_minute(occurred_at):
        return "the time of the contact: give it in whole minutes, without seconds"
    if occurred_at > now + CLOCK_SKEW:
        return (
            f"the contact cannot be in the future: {short_time(occurred_at, zone)} is after "
            f"the time now ({short_time(now, zone)})"
        )
    return None


def record_contact(
    uow: UnitOfWork,
    kind: str,
    occurred_at: dt.datetime,
    agency: str,
    details: Mapping[str, Any],
    actor: Actor,
    now: dt.datetime,
    *,
    decision_id: int | None = None,
    reason: str | None = None,
) -> ContactResult:
    """Record one contact with immigration enforcement, with the policy's answer to it."""
    reason = (reason or "").strip() or None
    problems = ct.contact_problems(kind, agency, details, reason)
    if problems:
        raise RecordError("; ".join(problems))
    with uow:
        actor = authorize(
            uow, actor, acc.RECORD_DECISION, "contact.record", ct.CONTACT_WORDS[kind], now
        )
        zone = read_county_zone(uow).zone
        occurred_at = to_aware(occurred_at, zone)
        problem = _time_problem(occurred_at, now, zone)
        if problem:
            raise RecordError(problem)
        permitted: dict[str, bool] | None = None
        if decision_id is not None:
            row = uow.records.decision(decision_id)
            if row is None:
                raise NotFoundError(f"there is no decision {decision_id}")
            permitted = dict(row.decision.get("permitted") or {})
        jurisdiction = read_jurisdiction(uow).code or ""
        answer = ct.policy_answer(kind, permitted, jurisdiction)
        stamp = Stamp(now.astimezone(dt.UTC), actor.user, actor.workstation)
        contact_id = uow.records.add_contact(
            NewContact(
                kind,
                occurred_at,
                agency,
                decision_id,
                reason,
                answer,
                canonical_json(dict(details)),
            ),
            stamp,
        )
        audit(
            uow,
            actor,
            "contact.record",
            f"contact {contact_id}",
            now,
            details={"kind": kind, "decision": decision_id, "agency": agency},
        )
        uow.commit()
    return ContactResult(contact_id, answer)


def amend_contact(
    uow: UnitOfWork,
    contact_id: int,
    reason: str,
    actor: Actor,
    now: dt.datetime,
    *,
    details: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    agency: str | None = None,
    whole_details: bool = False,
) -> int:
    """Correct a contact: a new entry that names it, says why, and gives the facts as they
    should read. The contact itself is never changed. ``details`` are merged into the
    details as they read now, or replace them (``whole_details``: a form that shows them
    all, where a detail left empty is one taken out)."""
    reason = reason.strip()
    if not reason:
        raise RecordError("a written reason is required to amend a contact")
    with uow:
        actor = authorize(
            uow, actor, acc.AMEND_DECISION, "contact.amend", f"contact {contact_id}", now
        )
        original = uow.records.contact(contact_id)
        if original is None or original.amends_id is not None:
            raise NotFoundError(f"there is no contact {contact_id}")
        current = effective_contact(original, uow.records.amendments_of_contacts([contact_id]))
        merged = (
            dict(details or {}) if whole_details else {**current.details, **dict(details or {})}
        )
        new_agency = agency or current.agency
        problems = ct.contact_problems(original.kind, new_agency, merged, reason)
        if problems:
            raise RecordError("; ".join(problems))
        zone = read_county_zone(uow).zone
        when = to_aware(occurred_at, zone) if occurred_at is not None else current.occurred_at
        problem = _time_problem(when, now, zone)
        if problem:
            raise RecordError(problem)
        stamp = Stamp(now.astimezone(dt.UTC), actor.user, actor.workstation)
        amendment_id = uow.records.add_contact(
            NewContact(
                original.kind,
                when,
                new_agency,
                original.decision_id,
                reason,
                original.policy_answer,
                canonical_json(merged),
                amends_id=contact_id,
            ),
            stamp,
        )
        audit(
            uow,
            actor,
            "contact.amend",
            f"contact {contact_id}",
            now,
            details={"amendment": amendment_id, "reason": reason},
        )
        uow.commit()
    return amendment_id


def effective_contact(
    original: ContactRecord, corrections: Sequence[ContactRecord]
) -> ct.ContactFact:
    fact = ct.ContactFact(
        original.id,
        original.kind,
        original.occurred_at,
        original.agency,
        original.decision_id,
        original.details,
        original.reason,
        original.stamp.recorded_by,
        original.policy_answer,
    )
    for correction in sorted(corrections, key=lambda c: c.seq):
        fact = replace(
            fact,
            occurred_at=correction.occurred_at,
            agency=correction.agency,
            details=correction.details,
        )  # a correction's own reason says why it was corrected; the contact's reason stays
    return fact


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact as it reads now, with its history for the record."""

    fact: ct.ContactFact
    original: ContactRecord
    corrections: tuple[ContactRecord, ...]


def find_contacts(
    uow: UnitOfWork, query: ContactQuery, actor: Actor, now: dt.datetime
) -> list[ContactView]:
    with uow:
        actor = authorize(uow, actor, acc.VIEW_RECORDS, "contacts.search", query.search, now)
        originals = list(uow.records.contacts(query))
        corrections = uow.records.amendments_of_contacts([c.id for c in originals])
        if acc.COUNSEL in actor.roles and query.search:
            audit(uow, actor, "contacts.search", query.search, now)
            uow.commit()
    by_original: dict[int, list[ContactRecord]] = {}
    for correction in corrections:
        assert correction.amends_id is not None
        by_original.setdefault(correction.amends_id, []).append(correction)
    return [
        ContactView(
            effective_contact(c, by_original.get(c.id, [])), c, tuple(by_original.get(c.id, []))
        )
        for c in originals
    ]


# -- notices and forms -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticePerson:
    name: str
    booking_number: str


def prepare_notice(
    uow: UnitOfWork,
    key: str,
    language: str,
    actor: Actor,
    now: dt.datetime,
    decision_id: int | None = None,
) -> NoticePerson | None:
    """Check a notice can be made (which notice, which language, who asks) and audit it;
    for a recorded decision, the person it is for (their name and booking number, so the
    printing of records is authorised and audited as for the notice to the person)."""
    from detainer_desk.domain import law_notices as ln

    if key not in ln.NOTICES:
        raise RecordError(f"'{key}' is not a notice (one of: {', '.join(ln.NOTICES)})")
    if language not in ln.NOTICE_LANGUAGES:
        raise RecordError(
            f"'{language}' is not a language of the notices (one of: "
            f"{', '.join(ln.NOTICE_LANGUAGES)})"
        )
    with uow:
        permission = acc.PRINT_RECORDS if decision_id is not None else acc.VIEW_POLICIES
        actor = authorize(uow, actor, permission, "notice.print", key, now)
        person = None
        if decision_id is not None:
            row = uow.records.decision(decision_id)
            if row is None:
                raise NotFoundError(f"there is no decision {decision_id}")
            person = NoticePerson(row.summary.subject_name, row.summary.booking_number)
        audit(
            uow,
            actor,
            "notice.print",
            key if decision_id is None else f"decision {decision_id}",
            now,
            details={"notice": key, "language": language, "decision": decision_id},
        )
        uow.commit()
    return person
