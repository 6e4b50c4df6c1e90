"""The record use cases against an in-memory unit of work: rules, not storage."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, AttachmentIn, DecisionQuery
from detainer_desk.services.records import (
    activate_policy,
    amend_decision,
    find_decisions,
    load_decision,
    name_tokens,
    record_decision,
)

from .fakes import FakeUnitOfWork
from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "DESK-2")
ADMIN = Actor("admin", "X")
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)  # 09:00 in Oregon


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    seed_accounts(fake, NOW)
    activate_policy(fake, JUDICIAL_WARRANT_POLICY, "policy.toml", ADMIN, NOW)
    return fake


def test_recording_needs_an_active_policy() -> None:
    fake = FakeUnitOfWork()
    seed_accounts(fake, NOW)
    with pytest.raises(RecordError, match="no policy is active"):
        record_decision(fake, request_json(), "r.json", [], OFFICER, NOW)


def test_activating_the_same_text_twice_changes_nothing(uow: FakeUnitOfWork) -> None:
    result = activate_policy(uow, JUDICIAL_WARRANT_POLICY, "again.toml", ADMIN, NOW)
    assert result.already_active
    assert len(uow.committed.activations) == 1


def test_bad_policy_is_refused_and_nothing_stored() -> None:
    fake = FakeUnitOfWork()
    with pytest.raises(InvalidInput):
        activate_policy(fake, b"schema = 1\n", "p.toml", ADMIN, NOW)
    assert fake.commits == 0


def test_record_stores_request_attachments_and_decision_together(uow: FakeUnitOfWork) -> None:
    scan = AttachmentIn("warrant.pdf", "application/pdf", b"%PDF-1.4 fake scan", 1)
    recorded = record_decision(uow, request_json(), "r.json", [scan], OFFICER, NOW)
    assert recorded.decision.outcome == "hold"
    data = uow.committed
    assert len(data.requests) == len(data.decisions) == len(data.attachments) == 1
    stored_request, stamp = data.requests[0]
    assert json.loads(stored_request.request_json)["subject"]["name"] == "RIVERA, Ana"
    assert stamp.recorded_by == "officer.a" and stamp.workstation == "INTAKE-1"
    assert data.decisions[0][0].policy_version_id == uow.committed.policies[0].id


def test_invalid_request_stores_nothing(uow: FakeUnitOfWork) -> None:
    before = uow.commits
    with pytest.raises(InvalidInput) as caught:
        record_decision(
            uow, request_json(**{"subject.dob": "2030-01-01"}), "r.json", [], OFFICER, NOW
        )
    assert any(p.key == "subject.dob" for p in caught.value.problems)
    assert uow.commits == before and uow.committed.requests == []


def test_attachment_of_wrong_type_or_document_is_refused(uow: FakeUnitOfWork) -> None:
    bad = [
        AttachmentIn("notes.docx", "application/msword", b"x"),
        AttachmentIn("empty.pdf", "application/pdf", b""),
        AttachmentIn("scan.png", "image/png", b"\x89PNG\r\n\x1a\n png", document_index=7),
    ]
    with pytest.raises(InvalidInput) as caught:
        record_decision(uow, request_json(), "r.json", bad, OFFICER, NOW)
    assert len(caught.value.problems) == 3
    assert uow.committed.requests == []


def test_received_in_the_future_is_a_typing_error(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput, match="future"):
        record_decision(
            uow, request_json(received_at="2026-02-11T08:30:00-08:00"), "r", [], OFFICER, NOW
        )


def test_duplicate_booking_and_form_is_reported(uow: FakeUnitOfWork) -> None:
    first = record_decision(uow, request_json(), "r.json", [], OFFICER, NOW)
    second = record_decision(uow, request_json(), "r.json", [], OFFICER, NOW)
    assert first.earlier_decisions == ()
    assert second.earlier_decisions == (first.decision_id,)


def test_release_eligibility_later_starts_the_clock(uow: FakeUnitOfWork) -> None:
    recorded = record_decision(uow, request_json(), "r.json", [], OFFICER, NOW)
    assert recorded.decision.hold_until is None
    release = dt.datetime(2026, 2, 11, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    # Recorded when it happened: a fact in the future is refused (test_timeline.py).
    result = amend_decision(
        uow, recorded.decision_id, lc.RELEASE_ELIGIBLE, SUPERVISOR, release, effective_at=release
    )
    assert result.hold_until == release + dt.timedelta(hours=48)
    assert result.hold_until is not None and result.hold_until.utcoffset() == dt.timedelta(hours=-8)
    assert not result.window_closed
    # The decision row itself is untouched: the clock lives in the amendment.
    assert uow.committed.decisions[0][0].hold_until is None


def test_release_eligibility_already_past_the_window_says_so(uow: FakeUnitOfWork) -> None:
    # Received four days ago: release eligibility 72 hours ago lies after it.
    received = request_json(received_at="2026-02-06T08:30:00-08:00")
    recorded = record_decision(uow, received, "r.json", [], OFFICER, NOW)
    release = NOW - dt.timedelta(hours=72)
    result = amend_decision(
        uow, recorded.decision_id, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW, effective_at=release
    )
    assert result.window_closed


def test_override_needs_reason_and_another_person(uow: FakeUnitOfWork) -> None:
    recorded = record_decision(uow, request_json(), "r.json", [], OFFICER, NOW)
    with pytest.raises(RecordError, match="reason"):
        amend_decision(
            uow, recorded.decision_id, lc.OVERRIDE, SUPERVISOR, NOW, details={"outcome": "notify"}
        )
    with pytest.raises(RecordError, match="may not countersign"):
        amend_decision(uow, recorded.decision_id, lc.COUNTERSIGN, OFFICER, NOW)
    result = amend_decision(
        uow,
        recorded.decision_id,
        lc.OVERRIDE,
        SUPERVISOR,
        NOW,
        reason="warrant is for a different person",
        details={"outcome": "notify"},
    )
    assert result.state.outcome == "notify" and result.state.status == lc.STATUS_OVERRIDDEN


def test_closed_decision_takes_only_corrections(uow: FakeUnitOfWork) -> None:
    recorded = record_decision(uow, request_json(), "r.json", [], OFFICER, NOW)
    amend_decision(uow, recorded.decision_id, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW)
    with pytest.raises(RecordError, match="closed"):
        amend_decision(uow, recorded.decision_id, lc.COUNTERSIGN, SUPERVISOR, NOW)
    amend_decision(
        uow,
        recorded.decision_id,
        lc.CORRECTION,
        SUPERVISOR,
        NOW,
        reason="booking number typo",
        details={"field": "booking_number", "value": "B26-000312"},
    )
    row, state = load_decision(uow, recorded.decision_id, OFFICER, NOW)
    assert [a.kind for a in row.amendments] == [lc.RELEASED, lc.CORRECTION]
    assert state.status == lc.STATUS_RELEASED and state.closed


def test_review_countersigned_takes_the_tentative_outcome(uow: FakeUnitOfWork) -> None:
    recorded = record_decision(
        uow, request_json(**{"subject.citizenship_claim": True}), "r", [], OFFICER, NOW
    )
    assert recorded.decision.outcome == "review"
    result = amend_decision(uow, recorded.decision_id, lc.COUNTERSIGN, SUPERVISOR, NOW)
    assert result.state.outcome == "hold" and result.state.status == lc.STATUS_COUNTERSIGNED


def test_find_pages_newest_first(uow: FakeUnitOfWork) -> None:
    for day in range(1, 6):
        received = f"2026-02-0{day}T08:00:00-08:00"
        record_decision(
            uow,
            request_json(received_at=received, **{"subject.booking_number": f"B{day}"}),
            "r",
            [],
            OFFICER,
            NOW,
        )
    first = find_decisions(uow, DecisionQuery(limit=2), OFFICER, NOW)
    assert [i.booking_number for i in first.items] == ["B5", "B4"]
    second = find_decisions(uow, DecisionQuery(limit=2, after=first.next_after), OFFICER, NOW)
    assert [i.booking_number for i in second.items] == ["B3", "B2"]
    third = find_decisions(uow, DecisionQuery(limit=2, after=second.next_after), OFFICER, NOW)
    assert [i.booking_number for i in third.items] == ["B1"] and third.next_after is None


def test_name_tokens() -> None:
    assert name_tokens("DOE, John  Q.") == ["doe", "john", "q"]


def test_supervisor_who_recorded_cannot_countersign_their_own(uow: FakeUnitOfWork) -> None:
    recorded = record_decision(uow, request_json(), "r.json", [], SUPERVISOR, NOW)
    with pytest.raises(RecordError, match="cannot countersign or override"):
        amend_decision(uow, recorded.decision_id, lc.COUNTERSIGN, SUPERVISOR, NOW)
    other = Actor("sgt.c", "DESK-3")
    assert (
        amend_decision(uow, recorded.decision_id, lc.COUNTERSIGN, other, NOW).state.status
        == lc.STATUS_COUNTERSIGNED
    )


def test_a_nul_character_is_refused_in_plain_words_and_nothing_is_stored(db_runtime) -> None:
    """PostgreSQL cannot keep U+0000 in text; both databases refuse it, naming the field."""
    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(db_runtime.uow(), now)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), now)
    document = request_json(**{"subject.name": "DOE\x00, John", "subject.booking_number": "B\x00"})
    with pytest.raises(InvalidInput) as refused:
        record_decision(db_runtime.uow(), document, "r.json", [], Actor("officer.a", "W"), now)
    assert [p.key for p in refused.value.problems] == ["subject.name", "subject.booking_number"]
    assert "NUL character" in str(refused.value)
    with db_runtime.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM requests").scalar() == 0


def test_statistics_are_counted_and_audited_on_both_databases(db_runtime) -> None:
    """The rows are streamed; the audit entry written after them is an ordinary insert
    (on PostgreSQL a streamed connection once made it a server-side cursor, which failed)."""
    from detainer_desk.services.statistics import statistics_tables

    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(db_runtime.uow(), now)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), now)
    for n in range(3):
        document = request_json(**{"subject.booking_number": f"B{n}"})
        record_decision(db_runtime.uow(), document, "r.json", [], Actor("officer.a", "W"), now)
    tables = statistics_tables(
        db_runtime.uow(),
        Actor("sgt.b", "W"),
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 15),
        now,
    )
    assert tables.report.timezone == "America/Los_Angeles"  # the county's: the policy's
    assert sum(row.counts.get("received", 0) for row in tables.by_month) == 3
    with db_runtime.engine.connect() as conn:
        audited = conn.exec_driver_sql(
            "SELECT count(*) FROM audit_events WHERE action = 'statistics.report'"
        ).scalar()
    assert audited == 1
