"""ICE contacts and the facts the reports need, on both databases (a SQLite file, a
PostgreSQL server): evidence in the same hash chain, authorized by role, audited, amended
and never changed; and a statutory report made from the verified record."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.schema import audit_events
from detainer_desk.domain import contacts as ct
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.access import NotFoundError, PermissionDenied, RecordError
from detainer_desk.services.contacts import (
    amend_contact,
    find_contacts,
    read_jurisdiction,
    record_contact,
    save_jurisdiction,
)
from detainer_desk.services.law_reports import ReportRefused, make_law_report
from detainer_desk.services.ports import Actor, ContactQuery
from detainer_desk.services.records import activate_policy, amend_decision, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, drop_triggers, request_json, seed_accounts

OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "SUP-1")
COUNSEL = Actor("counsel.d", "LAW-1")
ADMIN = Actor("admin", "ADMIN-1")
NOW = dt.datetime(2026, 2, 12, 17, 0, tzinfo=dt.UTC)
PACIFIC = dt.timezone(dt.timedelta(hours=-8))
INTERVIEW = {"consent_form_given": True, "language": "es", "answer": "declined"}


@pytest.fixture
def store(db_runtime):
    seed_accounts(db_runtime.uow(), NOW)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "policy.toml", ADMIN, NOW)
    return db_runtime


def _verify(runtime):
    return list(verify_store(runtime.engine))[-1]


def tamper(runtime, *statements: str) -> None:
    """Change rows by plain SQL, the append-only triggers dropped first, as an attacker with
    the database owner's account would."""
    with runtime.engine.begin() as conn:
        if runtime.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP TRIGGER contacts_append_only ON contacts")
        else:
            drop_triggers(conn)
        for statement in statements:
            conn.exec_driver_sql(statement)


def _actions(runtime) -> list[tuple[str, str, str]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.action, audit_events.c.user_name, audit_events.c.outcome)
        )
        return [tuple(r) for r in rows]


def _interview(runtime, actor=OFFICER, **changes):
    return record_contact(
        runtime.uow(),
        changes.pop("kind", ct.INTERVIEW_REQUEST),
        changes.pop("occurred_at", dt.datetime(2026, 2, 11, 9, 15)),  # county wall clock
        changes.pop("agency", "ICE"),
        changes.pop("details", INTERVIEW),
        actor,
        NOW,
        **changes,
    )


def test_a_contact_is_a_chain_entry_with_its_audit_event_and_the_policy_answer(store) -> None:
    before = _verify(store).checked
    result = _interview(store)
    assert _verify(store).fault is None
    assert _verify(store).checked == before + 2  # the contact and its audit event
    # The policy's jurisdiction is "Example County, OR": Oregon's law answers.
    assert read_jurisdiction(store.uow()).code == "OR"
    assert "ORS 181A.826(3)(a)" in result.policy_answer
    (view,) = find_contacts(store.uow(), ContactQuery(), COUNSEL, NOW)
    assert view.fact.kind == ct.INTERVIEW_REQUEST and view.fact.answer == "declined"
    # A wall-clock time is the county's (America/Los_Angeles, the policy's zone).
    assert view.fact.occurred_at == dt.datetime(2026, 2, 11, 9, 15, tzinfo=PACIFIC)
    assert view.original.stamp.recorded_by == "officer.a"
    assert ("contact.record", "officer.a", "success") in _actions(store)


def test_a_contact_about_a_decision_gets_what_that_decision_permits(store) -> None:
    save_jurisdiction(store.uow(), "IL", ADMIN, NOW)
    recorded = record_decision(store.uow(), request_json(), "r.json", [], OFFICER, NOW)
    result = _interview(
        store,
        kind=ct.RELEASE_NOTIFICATION,
        details={"sent_to": "ICE ERO Portland", "means": "phone"},
        decision_id=recorded.decision_id,
    )
    assert result.policy_answer == "the policy permits notification"  # notify: always
    with pytest.raises(NotFoundError, match="no decision 99"):
        _interview(store, decision_id=99)


def test_a_contact_is_amended_never_changed(store) -> None:
    contact_id = _interview(store).contact_id
    amendment_id = amend_contact(
        store.uow(),
        contact_id,
        "the person consented once the form was read in Spanish",
        SUPERVISOR,
        NOW,
        details={"answer": "consented"},
    )
    assert amendment_id != contact_id
    (view,) = find_contacts(store.uow(), ContactQuery(), OFFICER, NOW)
    assert view.fact.answer == "consented"  # as it reads now
    assert view.original.details_json.count("declined") == 1  # as first recorded
    assert [c.reason for c in view.corrections] == [
        "the person consented once the form was read in Spanish"
    ]
    assert _verify(store).fault is None
    # A form that shows every detail gives them whole: one left out is taken out.
    amend_contact(
        store.uow(), contact_id, "the interview time was not known", SUPERVISOR, NOW,
        details={**INTERVIEW, "answer": "consented"}, whole_details=True,
    )  # fmt: skip
    amend_contact(
        store.uow(), contact_id, "it was known after all", SUPERVISOR, NOW,
        details={"interview_at": "10:30"},
    )  # fmt: skip
    (view,) = find_contacts(store.uow(), ContactQuery(), OFFICER, NOW)
    assert view.fact.details == {**INTERVIEW, "answer": "consented", "interview_at": "10:30"}
    amend_contact(
        store.uow(), contact_id, "the time was another person's", SUPERVISOR, NOW,
        details={**INTERVIEW, "answer": "consented"}, whole_details=True,
    )  # fmt: skip
    (view,) = find_contacts(store.uow(), ContactQuery(), OFFICER, NOW)
    assert "interview_at" not in view.fact.details and len(view.corrections) == 4
    with pytest.raises(RecordError, match="consent_form_given: required"):
        amend_contact(
            store.uow(), contact_id, "wrong", SUPERVISOR, NOW, details={}, whole_details=True
        )
    with pytest.raises(RecordError, match="written reason"):
        amend_contact(store.uow(), contact_id, "  ", SUPERVISOR, NOW, details={})
    with pytest.raises(NotFoundError):
        amend_contact(store.uow(), amendment_id, "an amendment is not a contact", SUPERVISOR, NOW)
    with pytest.raises(RecordError, match="answer: 'maybe' is not one of"):
        amend_contact(store.uow(), contact_id, "typo", SUPERVISOR, NOW, details={"answer": "maybe"})


def test_contacts_cannot_be_changed_or_deleted_and_verify_catches_a_forgery(store) -> None:
    _interview(store)
    _interview(store, occurred_at=dt.datetime(2026, 2, 11, 10, 0))
    for statement in ("UPDATE contacts SET agency = 'CBP'", "DELETE FROM contacts"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    tamper(store, "UPDATE contacts SET details_json = '{}' WHERE id = 2")
    fault = _verify(store).fault
    assert fault is not None and fault.table == "contacts" and fault.row_id == 2


@pytest.mark.parametrize("seq", ["0", "-1", "(SELECT last_seq + 2 FROM chain_head)", "1"])
def test_the_database_refuses_a_contact_that_is_not_the_next_entry(store, seq: str) -> None:
    """The chain's guards (revision 0006, made again over the evidence tables by 0014) hold
    for contacts too: a copy planted at 0, below it, past the head or over an entry that
    exists is refused by the database itself, and the program goes on recording."""
    _interview(store)
    planted = (
        "INSERT INTO contacts (id, seq, entry_hash, kind, occurred_at, agency, details_json, "
        f"recorded_at, recorded_by, workstation) SELECT 90, {seq}, entry_hash, kind, "
        "occurred_at, agency, details_json, recorded_at, recorded_by, workstation "
        "FROM contacts WHERE id = 1"
    )
    refused = r"next entry|exists already"
    with pytest.raises(DBAPIError, match=refused), store.engine.begin() as conn:
        conn.exec_driver_sql(planted)
    _interview(store, occurred_at=dt.datetime(2026, 2, 11, 10, 0))  # the head moves to it
    assert _verify(store).fault is None
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            checks = set(
                conn.exec_driver_sql(
                    "SELECT conname FROM pg_constraint WHERE contype = 'c' AND convalidated"
                ).scalars()
            )
        assert "ck_contacts_seq_positive" in checks


def test_roles_decide_who_records_amends_and_reports_and_refusals_are_audited(store) -> None:
    with pytest.raises(PermissionDenied, match=r"counsel\.d"):
        _interview(store, actor=COUNSEL)
    contact_id = _interview(store).contact_id
    with pytest.raises(PermissionDenied, match=r"officer\.a"):
        amend_contact(store.uow(), contact_id, "why", OFFICER, NOW, details={})
    with pytest.raises(PermissionDenied, match=r"officer\.a"):
        make_law_report(
            store.uow, store.ledger(), "oregon", dt.date(2026, 2, 1), dt.date(2026, 2, 28),
            OFFICER, NOW,
        )  # fmt: skip
    actions = _actions(store)
    assert ("contact.record", "counsel.d", "denied") in actions
    assert ("contact.amend", "officer.a", "denied") in actions
    assert ("report.law", "officer.a", "denied") in actions


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "coffee"}, "'coffee' is not a kind of contact"),
        ({"agency": "FBI"}, "agency: 'FBI' is not one of"),
        ({"details": {"answer": "declined"}}, "consent_form_given: required"),
        ({"details": {**INTERVIEW, "shoe_size": 9}}, "shoe_size: not a detail"),
        (
            {"kind": ct.DECLINED, "details": {"asked_for": "release date"}},
            "a declined request must say why",
        ),
        ({"occurred_at": dt.datetime(2026, 2, 13, 9, 0)}, "cannot be in the future"),
        ({"details": {**INTERVIEW, "interview_at": "x" * 2001}}, "at most 2000 characters"),
        ({"details": {**INTERVIEW, "interview_at": "9\x00am"}}, r"control character \(U\+0000\)"),
        ({"details": {**INTERVIEW, "interview_at": "\x1b[2J"}}, r"control character \(U\+001B\)"),
        ({"occurred_at": dt.datetime(2026, 2, 11, 9, 15, 30)}, "whole minutes"),
    ],
)
def test_bad_contacts_are_refused_in_plain_words_and_nothing_is_stored(
    store, changes, words
) -> None:
    before = _verify(store).checked
    with pytest.raises(RecordError, match=words):
        _interview(store, **changes)
    assert _verify(store).checked == before


def test_facts_for_the_reports_are_amendments_also_after_the_hold_ended(store) -> None:
    decision = record_decision(store.uow(), request_json(), "r.json", [], OFFICER, NOW).decision_id
    custody = dt.datetime(2026, 2, 11, 10, 0, tzinfo=PACIFIC)
    amend_decision(
        store.uow(), decision, lc.ICE_CUSTODY, SUPERVISOR, NOW, effective_at=custody,
        details={"receiving_agency": "ICE ERO Portland"},
    )  # fmt: skip
    # Closed now (in ICE custody): only a correction, or a fact for the reports.
    with pytest.raises(RecordError, match="closed"):
        amend_decision(store.uow(), decision, lc.RELEASED, SUPERVISOR, NOW, effective_at=custody)
    bail = dt.datetime(2026, 2, 10, 15, 0, tzinfo=PACIFIC)  # may precede the detainer
    amend_decision(store.uow(), decision, lc.BAIL_POSTED, SUPERVISOR, NOW, effective_at=bail)
    amend_decision(
        store.uow(), decision, lc.PERSON_FACTS, SUPERVISOR, NOW,
        details={"sex": "female", "preferred_language": "es"},
    )  # fmt: skip
    for kind, details, words in (
        (lc.PERSON_FACTS, {"sex": "tall"}, "sex: 'tall' is not one of"),
        (lc.PERSON_FACTS, {"shoe": "9"}, "shoe: not a fact about the person"),
        (lc.PERSON_FACTS, {}, "at least one fact"),
        (lc.PERSON_FACTS, {"preferred_language": "es\x07"}, "control character"),
        (lc.BAIL_POSTED, {}, "bail was posted is required"),
        (lc.ICE_CUSTODY, {"receiving_agency": " "}, "receiving agency"),
    ):
        with pytest.raises(RecordError, match=words):
            amend_decision(
                store.uow(), decision, kind, SUPERVISOR, NOW, effective_at=None
                if kind != lc.ICE_CUSTODY else custody, details=details,
            )  # fmt: skip
    with pytest.raises(RecordError, match="bail posted cannot be in the future"):
        amend_decision(
            store.uow(), decision, lc.BAIL_POSTED, SUPERVISOR, NOW,
            effective_at=NOW + dt.timedelta(hours=2),
        )  # fmt: skip

    report = make_law_report(
        store.uow, store.ledger(), "illinois-annual", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
        COUNSEL, NOW,
    )  # fmt: skip
    (row,) = [r for r in report.result.rows if r[0].startswith("(a)(2)")]
    assert row[6] == "2026-02-10T15:00-08:00"  # bail posted at
    assert row[7:] == ("transferred", "2026-02-11T10:00-08:00", "ICE ERO Portland")
    assert report.csv.splitlines()[0].startswith("part,entry,date_received")


def test_a_report_is_made_from_the_verified_record_and_says_so(store) -> None:
    _interview(store)  # an interview request, declined by the person
    _interview(
        store,
        kind=ct.DECLINED,
        details={"asked_for": "release date"},
        reason="ORS 181A.826: not a judicial warrant",
        occurred_at=dt.datetime(2026, 2, 11, 11, 0),
    )
    _interview(
        store,
        kind=ct.JUDICIAL_PROCESS,
        details={"process": "judicial_subpoena", "court": "U.S. District Court, D. Or."},
    )  # excepted from the Oregon report
    _interview(store, occurred_at=dt.datetime(2026, 1, 31, 23, 59))  # in January: not counted
    report = make_law_report(
        store.uow, store.ledger(), "oregon", dt.date(2026, 2, 1), dt.date(2026, 2, 28),
        SUPERVISOR, NOW,
    )  # fmt: skip
    verified = _verify(store)
    # Every entry up to the report's audit event was verified, and the head named.
    assert report.entries == verified.checked - 1
    summary = dict(report.result.summary)
    assert summary["Communications or requests received"] == "2"
    assert summary["Declined"] == "2"
    assert ("report.law", "sgt.b", "success") in _actions(store)

    tamper(store, "UPDATE contacts SET agency = 'CBP' WHERE id = 1")
    with pytest.raises(ReportRefused, match=r"does not verify at entry \d+ \(contacts #1\)"):
        make_law_report(
            store.uow, store.ledger(), "oregon", dt.date(2026, 2, 1), dt.date(2026, 2, 28),
            SUPERVISOR, NOW,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "first", "last", "words"),
    [
        ("ohio", dt.date(2026, 1, 1), dt.date(2026, 1, 31), "'ohio' is not a report"),
        ("oregon", dt.date(2026, 2, 1), dt.date(2026, 1, 1), "ends .* before it begins"),
        ("oregon", dt.date(2024, 1, 1), dt.date(2026, 1, 1), "at most 366 days"),
    ],
)
def test_a_report_for_a_bad_name_or_period_is_refused(store, key, first, last, words) -> None:
    with pytest.raises(RecordError, match=words):
        make_law_report(store.uow, store.ledger(), key, first, last, SUPERVISOR, NOW)


def test_the_jurisdiction_setting_wins_over_the_policy_and_only_an_admin_sets_it(store) -> None:
    with pytest.raises(PermissionDenied):
        save_jurisdiction(store.uow(), "CA", SUPERVISOR, NOW)
    with pytest.raises(RecordError, match="'XX' is not a reporting jurisdiction"):
        save_jurisdiction(store.uow(), "XX", ADMIN, NOW)
    save_jurisdiction(store.uow(), "CA", ADMIN, NOW)
    jurisdiction = read_jurisdiction(store.uow())
    assert (jurisdiction.code, jurisdiction.source) == ("CA", "setting")
    assert "Gov. Code 7283.1(a)" in _interview(store).policy_answer


class _WriterDuringTheWalk:
    """The store's own chain, while another workstation records a contact just after the
    walk has verified the chain: the report must not count an entry it did not verify."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.ledger = runtime.ledger()

    def walk(self):
        yield from self.ledger.walk()
        _interview(self.runtime, occurred_at=dt.datetime(2026, 2, 11, 12, 0))

    def count(self) -> int:
        return self.ledger.count()

    def head(self) -> tuple[int, str]:
        return self.ledger.head()

    def describe(self, seq: int) -> tuple[str, int]:
        return self.ledger.describe(seq)


def test_a_contact_recorded_while_the_report_is_made_is_not_counted(store) -> None:
    _interview(store)
    report = make_law_report(
        store.uow, _WriterDuringTheWalk(store), "oregon", dt.date(2026, 2, 1),
        dt.date(2026, 2, 28), SUPERVISOR, NOW,
    )  # fmt: skip
    assert dict(report.result.summary)["Communications or requests received"] == "1"
    assert len(find_contacts(store.uow(), ContactQuery(), SUPERVISOR, NOW)) == 2
    later = make_law_report(
        store.uow, store.ledger(), "oregon", dt.date(2026, 2, 1), dt.date(2026, 2, 28),
        SUPERVISOR, NOW,
    )  # fmt: skip
    assert dict(later.result.summary)["Communications or requests received"] == "2"
    assert later.entries > report.entries


def test_two_workstations_record_contacts_at_once_and_the_chain_holds(
    store, tmp_path, db_url
) -> None:
    import threading

    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    others = [
        open_runtime(resolve_paths(tmp_path / f"ws{n}"), db_url, keep_daily_backups=0)
        for n in range(2)
    ]
    start = threading.Barrier(2)
    failures: list[Exception] = []

    def workstation(runtime, name: str) -> None:
        try:
            start.wait(timeout=60)
            for n in range(15):
                record_contact(
                    runtime.uow(), ct.DATABASE_HIT, dt.datetime(2026, 2, 11, 9, n), "ICE",
                    {"system": "IAQ/LESC", "reference": f"{name}-{n}"},
                    Actor("officer.a", name), NOW,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - reported in the test's own thread
            failures.append(exc)

    threads = [
        threading.Thread(target=workstation, args=(runtime, f"DESK-{n}"))
        for n, runtime in enumerate(others)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        for runtime in others:
            runtime.close()
    assert failures == []
    views = find_contacts(store.uow(), ContactQuery(), OFFICER, NOW)
    references = sorted(str(v.fact.details["reference"]) for v in views)
    assert len(references) == 30 and len(set(references)) == 30
    result = _verify(store)
    assert result.fault is None, str(result.fault)


def test_contacts_are_searched_by_words_and_a_typed_wildcard_is_itself(store) -> None:
    _interview(
        store,
        kind=ct.DECLINED,
        details={"asked_for": "release date, 100% of the file"},
        reason="Not a judicial warrant",
    )
    _interview(store, kind=ct.DATABASE_HIT, details={"system": "IAQ/LESC"})

    def found(text: str) -> list[str]:
        views = find_contacts(store.uow(), ContactQuery(search=text), COUNSEL, NOW)
        return [v.fact.kind for v in views]

    assert found("judicial WARRANT") == [ct.DECLINED]
    assert found("iaq") == [ct.DATABASE_HIT]
    assert found("100%") == [ct.DECLINED]
    assert found("%") == [ct.DECLINED]  # only the one with a % in it
    assert sorted(found("_")) == [ct.DATABASE_HIT, ct.DECLINED]  # both kinds have one
    assert found("nothing-like-this") == []
    assert ("contacts.search", "counsel.d", "success") in _actions(store)


def test_an_empty_period_is_certified_and_the_county_days_hold_across_a_clock_change(
    store,
) -> None:
    # Nothing in January: Illinois asks the agency to certify that it received nothing.
    empty = make_law_report(
        store.uow, store.ledger(), "illinois-annual", dt.date(2026, 1, 1), dt.date(2026, 1, 31),
        COUNSEL, NOW,
    )  # fmt: skip
    assert empty.result.rows == ()
    assert any("received no requests" in c for c in empty.result.certifications)
    assert any("no immigration detainers" in c for c in empty.result.certifications)
    # The county's days (America/Los_Angeles): 8 March 2026 is 23 hours long. A contact at
    # 23:30 on the 7th and one at 00:30 on the 9th fall on those days, not on the 8th.
    later = NOW + dt.timedelta(days=40)
    for when in (dt.datetime(2026, 3, 7, 23, 30), dt.datetime(2026, 3, 9, 0, 30)):
        record_contact(
            store.uow(), ct.DECLINED, when, "ICE", {"asked_for": "release date"}, OFFICER,
            later, reason="no judicial warrant",
        )  # fmt: skip
    day = make_law_report(
        store.uow, store.ledger(), "oregon", dt.date(2026, 3, 8), dt.date(2026, 3, 8),
        COUNSEL, later,
    )  # fmt: skip
    assert dict(day.result.summary)["Communications or requests received"] == "0"
    both = make_law_report(
        store.uow, store.ledger(), "oregon", dt.date(2026, 3, 7), dt.date(2026, 3, 9),
        COUNSEL, later,
    )  # fmt: skip
    assert [row[1] for row in both.result.rows] == ["2026-03-07", "2026-03-09"]
