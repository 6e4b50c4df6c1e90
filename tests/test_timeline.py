"""Facts that fit the record's own time line, enforced by the domain for every caller (here
through the use cases, on a real SQLite store): custody facts neither in the future nor
before the request; a fact after the deadline recorded and marked; intake refusing a
request received before it was issued and a date of birth in the future; whole minutes;
no override to the outcome already in force."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.domain.request import request_from_mapping
from detainer_desk.domain.timeline import CLOCK_SKEW, fact_time_problem, request_time_problems
from detainer_desk.gui.intake import presenter
from detainer_desk.services import board
from detainer_desk.services.access import RecordError
from detainer_desk.services.documents import decision_record, report_context
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import activate_policy, amend_decision, record_decision
from detainer_desk.services.settings import read_settings, save_settings

from .helpers import BASE_REQUEST, JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

PACIFIC = ZoneInfo("America/Los_Angeles")
RECEIVED = dt.datetime(2026, 2, 10, 8, 30, tzinfo=PACIFIC)  # BASE_REQUEST's received_at
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)  # 09:00 in Oregon
OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "DESK-2")
ADMIN = Actor("admin", "ADMIN-1")
TIMED = (lc.RELEASE_ELIGIBLE, lc.ICE_CUSTODY, lc.RELEASED, lc.LIFTED)


def _set_up(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    return runtime


@pytest.fixture
def store(runtime):
    return _set_up(runtime)


@pytest.fixture
def both_stores(db_runtime):
    """On SQLite and on PostgreSQL (the holds that ended late are found by a query)."""
    return _set_up(db_runtime)


def _record(store, now: Any = NOW, **changes: Any) -> int:
    return record_decision(
        store.uow(), request_json(**changes), "r.json", [], OFFICER, now
    ).decision_id


def _amend(store, decision_id: int, kind: str, at: dt.datetime, now: dt.datetime = NOW):
    reason = "ICE cancelled it" if kind == lc.LIFTED else None
    return amend_decision(
        store.uow(), decision_id, kind, SUPERVISOR, now, effective_at=at, reason=reason
    )


def _amendments(store, decision_id: int) -> int:
    with store.uow() as uow:
        row = uow.records.decision(decision_id)
    assert row is not None
    return len(row.amendments)


# -- custody facts ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TIMED)
def test_a_custody_fact_in_the_future_is_refused(store, kind: str) -> None:
    decision = _record(store)
    two_minutes_ahead = NOW + dt.timedelta(minutes=2)
    with pytest.raises(RecordError, match="cannot be in the future") as refused:
        _amend(store, decision, kind, two_minutes_ahead)
    # The times are the county's, named as people read them.
    assert "2026-02-10 09:02 PST is after the time now (2026-02-10 09:00 PST)" in str(refused.value)
    assert _amendments(store, decision) == 0


@pytest.mark.parametrize("kind", TIMED)
def test_a_custody_fact_within_a_minute_of_clock_skew_is_taken(store, kind: str) -> None:
    decision = _record(store)
    now = NOW + dt.timedelta(seconds=20)  # this workstation's clock is 40 s behind the other
    result = _amend(store, decision, kind, NOW + dt.timedelta(minutes=1), now)
    assert result.kind == kind and dt.timedelta(minutes=1) == CLOCK_SKEW


@pytest.mark.parametrize("kind", TIMED)
def test_a_custody_fact_before_the_request_was_received_is_refused(store, kind: str) -> None:
    decision = _record(store)
    before = RECEIVED - dt.timedelta(minutes=1)
    with pytest.raises(RecordError, match="cannot be before the request was received") as refused:
        _amend(store, decision, kind, before)
    assert "2026-02-10 08:29 PST is before it was received (2026-02-10 08:30 PST)" in str(
        refused.value
    )
    assert _amendments(store, decision) == 0


def test_a_custody_fact_at_the_moment_of_receipt_and_now_are_taken(store) -> None:
    first, second = _record(store), _record(store, **{"subject.booking_number": "B-2"})
    assert _amend(store, first, lc.RELEASE_ELIGIBLE, RECEIVED).kind == lc.RELEASE_ELIGIBLE
    assert _amend(store, second, lc.RELEASED, NOW).state.closed


def test_a_typed_time_with_seconds_is_refused(store) -> None:
    decision = _record(store)
    with pytest.raises(RecordError, match="whole minutes, without seconds"):
        _amend(store, decision, lc.RELEASED, NOW - dt.timedelta(seconds=30))
    assert _amendments(store, decision) == 0


def test_a_time_typed_without_an_offset_is_the_countys_wall_clock(store) -> None:
    decision = _record(store)
    result = _amend(store, decision, lc.RELEASE_ELIGIBLE, dt.datetime(2026, 2, 10, 8, 45))
    assert result.state.release_eligible_at == dt.datetime(2026, 2, 10, 8, 45, tzinfo=PACIFIC)


def test_a_fact_after_the_deadline_is_recorded_and_marked_everywhere(both_stores) -> None:
    """The truth is recorded: the person was handed over 2 h 05 min after the deadline.
    The holds board, the overdue report and the audit PDF say so, with by how much."""
    decision = _record(both_stores)  # a judicial warrant: a hold
    eligible = dt.datetime(2026, 2, 10, 9, 0, tzinfo=PACIFIC)
    _amend(both_stores, decision, lc.RELEASE_ELIGIBLE, eligible)
    deadline = eligible + dt.timedelta(hours=48)  # 2026-02-12 09:00 PST, same offset
    late = deadline + dt.timedelta(hours=2, minutes=5)
    now = late + dt.timedelta(minutes=30)
    result = _amend(both_stores, decision, lc.ICE_CUSTODY, late, now)
    assert result.past_deadline == dt.timedelta(hours=2, minutes=5)
    assert result.state.closed
    assert result.state.past_deadline_words() == "held past its deadline by 2 h 05 min"

    read = board.holds_board(both_stores.uow(), SUPERVISOR, now)
    assert read.items == []  # no longer held
    [ended] = read.ended_late
    assert (ended.row.decision_id, ended.kind, ended.words) == (
        decision,
        lc.ICE_CUSTODY,
        "held past its deadline by 2 h 05 min",
    )
    assert ended.ended_at == late and ended.hold_until == deadline
    assert [e.row.decision_id for e in board.ended_late(both_stores.uow(), SUPERVISOR, now)] == [
        decision
    ]

    import io

    from pypdf import PdfReader

    from detainer_desk.adapters.pdf import render_audit_pdf

    record = decision_record(both_stores.uow(), decision, SUPERVISOR, now, "audit PDF")
    pdf = render_audit_pdf(record, report_context(both_stores.uow(), SUPERVISOR, now))
    text = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "Held past its deadline YES: held past its deadline by 2 h 05 min." in text
    assert "Thu 12 Feb 2026, 11:05 PST (UTC-08:00) = 2026-02-12 19:05:00 UTC" in text


def test_a_fact_before_the_deadline_is_not_marked(store) -> None:
    decision = _record(store)
    eligible = dt.datetime(2026, 2, 10, 9, 0, tzinfo=PACIFIC)
    _amend(store, decision, lc.RELEASE_ELIGIBLE, eligible)
    released = eligible + dt.timedelta(hours=1)
    result = _amend(store, decision, lc.RELEASED, released, released)
    assert result.past_deadline is None and result.state.past_deadline_words() is None
    assert board.ended_late(store.uow(), SUPERVISOR, NOW + dt.timedelta(days=3)) == []


# -- the override ------------------------------------------------------------------------------


def test_an_override_to_the_outcome_already_in_force_is_refused(store) -> None:
    decision = _record(store)  # hold
    with pytest.raises(RecordError, match="already hold: that is a countersign"):
        amend_decision(
            store.uow(),
            decision,
            lc.OVERRIDE,
            SUPERVISOR,
            NOW,
            reason="agree",
            details={"outcome": "hold"},
        )
    assert _amendments(store, decision) == 0
    # To another outcome, it is taken; and then back to that same one is refused again.
    amend_decision(
        store.uow(),
        decision,
        lc.OVERRIDE,
        SUPERVISOR,
        NOW,
        reason="x",
        details={"outcome": "notify"},
    )
    with pytest.raises(RecordError, match="already notify"):
        amend_decision(
            store.uow(),
            decision,
            lc.OVERRIDE,
            SUPERVISOR,
            NOW,
            reason="y",
            details={"outcome": "notify"},
        )


# -- intake ------------------------------------------------------------------------------------


def _refusal(store, **changes: object) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        _record(store, **changes)
    with store.uow() as uow:
        assert uow.records.log_count(_everything()) == 0  # nothing was recorded
    return refused.value


def _everything():
    from detainer_desk.services.ports import DecisionQuery

    return DecisionQuery()


def test_intake_refuses_a_request_received_before_the_detainer_was_issued(store) -> None:
    invalid = _refusal(
        store,
        received_at="2026-02-10T07:00:00-08:00",
        **{"detainer.issued_at": "2026-02-10T07:55:00-08:00"},
    )
    [problem] = invalid.problems
    assert problem.key == "received_at"
    assert problem.message == (
        "is before the detainer was issued (Issued at 2026-02-10 07:55 PST); check both times"
    )
    # The window shows it beside the field, in the officer's words.
    assert presenter.message_for(problem) == (
        "Received at is before the detainer was issued (Issued at 2026-02-10 07:55 PST); "
        "check both times."
    )
    assert presenter.summary_of(problem).startswith("Received at is before")


def test_intake_refuses_a_date_of_birth_in_the_future(store) -> None:
    invalid = _refusal(store, **{"subject.dob": "2026-02-11"})
    [problem] = invalid.problems
    assert (problem.key, problem.message) == (
        "subject.dob",
        "is in the future (today is 2026-02-10)",
    )
    assert presenter.message_for(problem) == "Date of birth is in the future (today is 2026-02-10)."


def test_intake_refuses_a_date_of_birth_after_the_day_of_receipt(store) -> None:
    invalid = _refusal(
        store, received_at="2026-02-06T08:30:00-08:00", **{"subject.dob": "2026-02-08"}
    )
    [problem] = invalid.problems
    assert presenter.message_for(problem) == (
        "Date of birth is after the day the request was received (2026-02-06)."
    )


def test_intake_refuses_seconds_in_a_typed_time(store) -> None:
    invalid = _refusal(
        store,
        received_at="2026-02-10T08:30:15-08:00",
        **{"detainer.issued_at": "2026-02-10T07:55:00-08:00"},
    )
    assert [(p.key, p.message) for p in invalid.problems] == [
        ("received_at", "must be in whole minutes, without seconds")
    ]
    assert presenter.message_for(invalid.problems[0]) == (
        "Received at must be in whole minutes, without seconds."
    )


def test_check_keeps_the_contract_for_the_same_files(tmp_path, run_cli) -> None:
    """`check` evaluates request files exactly per the decision contract: the intake's
    time-line rules are not contract rules, and a file that breaks them still checks."""
    policy = tmp_path / "p.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    early = tmp_path / "early.json"
    early.write_text(
        request_json(
            received_at="2026-02-10T07:00:00-08:00",
            **{"detainer.issued_at": "2026-02-10T07:55:00-08:00"},
        )
    )
    result = run_cli("check", "--policy", str(policy), str(early), "--json")
    assert result.code == 0 and json.loads(result.out)["outcome"] == "hold"
    # A date of birth after received_at is a contract error: named by its key, as before.
    later = tmp_path / "born-later.json"
    later.write_text(request_json(**{"subject.dob": "2026-02-11"}))
    refused = run_cli("check", "--policy", str(policy), str(later))
    assert refused.code == 2
    assert refused.err.startswith(f"{later}: subject.dob: the date of birth 2026-02-11 is after")


def test_the_rules_themselves_name_nothing_wrong_in_a_good_request() -> None:
    request = request_from_mapping(BASE_REQUEST, "r")
    assert request_time_problems(request, PACIFIC, NOW, "r") == []
    assert (
        fact_time_problem(lc.COUNTERSIGN, NOW + dt.timedelta(days=9), RECEIVED, NOW, PACIFIC)
        is None
    )


def test_an_installation_in_another_zone_refuses_nothing_in_its_own(store) -> None:
    """The rules read the county's clock: in New York (the county moved its setting), the
    same instant is 12:00 and is still not in the future."""
    settings = dataclasses.replace(read_settings(store.uow()), timezone="America/New_York")
    save_settings(store.uow(), ADMIN, settings, NOW)
    decision = _record(store)
    with pytest.raises(
        RecordError, match=r"2026-02-10 12:02 EST is after the time now \(2026-02-10 12:00 EST\)"
    ):
        _amend(store, decision, lc.RELEASED, NOW + dt.timedelta(minutes=2))
