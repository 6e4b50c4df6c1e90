"""The reports the law asks of the county, made from the verified record.

The whole hash chain is walked and verified first; the report is then computed only from
the entries the walk verified (``seq`` up to the verified head), so an entry recorded
while the report is made never slips in unverified. The report says how many entries were
verified and the head hash, and making it is itself an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import contacts as ct
from detainer_desk.domain import lawreports as lr
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.timetext import day_text

from .access import RecordError, audit, authorize
from .contacts import effective_contact
from .county_clock import read_county_zone
from .ports import Actor, ContactQuery, ContactRecord, DecisionRow, Ledger, UnitOfWork

# A report covers at most this many days (an annual report with a leap day fits).
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True, slots=True)
class LawReport:
    result: lr.ReportResult
    entries: int  # the entries of the chain verified before the report was computed
    head_hash: str  # the hash of the last of them
    verified_at: dt.datetime
    csv: str


class ReportRefused(RecordError):
    pass


def report_names() -> str:
    return ", ".join(lr.REPORTS)


def period_problem(key: str, first: dt.date, last: dt.date) -> str | None:
    if key not in lr.REPORTS:
        return f"'{key}' is not a report this program makes (one of: {report_names()})"
    if last < first:
        return (
            f"the period ends ({day_text(last)}) before it begins ({day_text(first)}); "
            "give the first day, then the last"
        )
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        return f"a report covers at most {MAX_PERIOD_DAYS} days; make one per year"
    return None


def make_law_report(
    uow_factory: Callable[[], UnitOfWork],
    ledger: Ledger,
    key: str,
    first: dt.date,
    last: dt.date,
    actor: Actor,
    now: dt.datetime,
    options: lr.ReportOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> LawReport:
    """The report ``key`` for the county's days ``first`` to ``last`` (both whole)."""
    problem = period_problem(key, first, last)
    if problem:
        raise RecordError(problem)
    uow = uow_factory()
    with uow:
        actor = authorize(uow, actor, acc.MAKE_LAW_REPORTS, "report.law", key, now)
        zone = read_county_zone(uow).zone
    period = lr.Period.of_days(first, last, zone)
    entries, head = _verified_head(ledger, progress)
    uow = uow_factory()
    with uow:
        cases = [
            case_facts(row, entries)
            for row in _rows_received_before(uow, period.end)
            if row.seq <= entries
        ]
        contacts = contacts_of(uow, entries)
    definition = lr.REPORTS[key]
    result = definition.compute(cases, contacts, period, options or lr.ReportOptions())
    uow = uow_factory()
    with uow:
        audit(
            uow,
            actor,
            "report.law",
            key,
            now,
            details={
                "report": key,
                "from": day_text(first),
                "to": day_text(last),
                "entries": entries,
                "head_hash": head,
                "rows": len(result.rows),
            },
        )
        uow.commit()
    return LawReport(result, entries, head, now, lr.csv_text(result))


def _verified_head(ledger: Ledger, progress: Callable[[int], None] | None) -> tuple[int, str]:
    count = 0
    head = "0" * 64
    for span in ledger.walk():
        count += span.verified
        head = span.last_hash
        if progress is not None:
            progress(count)
        if span.fault is not None:
            f = span.fault
            raise ReportRefused(
                f"the record does not verify at entry {f.seq} ({f.table} #{f.row_id}): "
                f"{f.problem}. No report was made: a report must come from a verified record"
            )
    return count, head


def _rows_received_before(uow: UnitOfWork, until: dt.datetime) -> Iterator[DecisionRow]:
    for decision_id in uow.records.decision_ids_received_before(until):
        row = uow.records.decision(decision_id)
        if row is not None:
            yield row


def case_facts(row: DecisionRow, upto_seq: int | None = None) -> lr.CaseFacts:
    """One detainer as the reports read it: its amendments (up to entry ``upto_seq``) applied."""
    from .index import decision_state

    amendments = tuple(a for a in row.amendments if upto_seq is None or a.seq <= upto_seq)
    if len(amendments) != len(row.amendments):
        from dataclasses import replace

        row = replace(row, amendments=amendments)
    state = decision_state(row)
    request = row.request
    detainer = request.get("detainer") or {}
    documents = tuple(str(d.get("kind", "")) for d in request.get("documents") or [])
    facts: dict[str, Any] = {}
    person: dict[str, str] = {}
    for amendment in sorted(amendments, key=lambda a: a.seq):
        details = amendment.details
        when = amendment.effective_at or amendment.stamp.recorded_at
        if amendment.kind == lc.BAIL_POSTED:
            facts["bail_posted_at"] = amendment.effective_at
        elif amendment.kind == lc.ICE_CUSTODY and "transferred_at" not in facts:
            facts["transferred_at"] = when
            facts["transferred_to"] = details.get(lc.RECEIVING_AGENCY)
        elif amendment.kind == lc.RELEASED and "released_at" not in facts:
            facts["released_at"] = when
        elif amendment.kind == lc.LIFTED and "lifted_at" not in facts:
            facts["lifted_at"] = when
        elif amendment.kind == lc.PERSON_FACTS:
            person.update({k: str(v) for k, v in details.items() if k in lc.PERSON_FACT_KEYS})
    try:
        dob: dt.date | None = dt.date.fromisoformat(row.summary.dob)
    except ValueError:
        dob = None
    return lr.CaseFacts(
        decision_id=row.summary.decision_id,
        form=row.summary.form,
        received_at=row.summary.received_at,
        outcome=state.outcome,
        requested=tuple(str(r) for r in detainer.get("requested") or ()),
        documents=documents,
        release_eligible_at=state.release_eligible_at,
        dob=dob,
        sex=person.get("sex"),
        race=person.get("race"),
        ethnicity=person.get("ethnicity"),
        preferred_language=person.get("preferred_language"),
        **facts,
    )


def contacts_of(uow: UnitOfWork, upto_seq: int | None = None) -> list[ct.ContactFact]:
    """Every contact as it reads now, counting only entries up to ``upto_seq``."""
    with uow:
        originals = [
            c
            for c in uow.records.contacts(ContactQuery(limit=10_000_000))
            if upto_seq is None or c.seq <= upto_seq
        ]
        corrections = uow.records.amendments_of_contacts([c.id for c in originals])
    by_original: dict[int, list[ContactRecord]] = {}
    for correction in corrections:
        if correction.amends_id is not None and (upto_seq is None or correction.seq <= upto_seq):
            by_original.setdefault(correction.amends_id, []).append(correction)
    return [effective_contact(c, by_original.get(c.id, [])) for c in originals]
