"""The intake screen's logic without a window: the form's draft and the request file, where
each problem is shown, the judicial-warrant checklist, the decision's words, and the
duplicate look-up over a real store."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from detainer_desk.domain.errors import Problem
from detainer_desk.domain.policy import parse_policy
from detainer_desk.domain.request import request_from_mapping
from detainer_desk.gui.intake import presenter as p
from detainer_desk.gui.intake.draft import (
    DocumentDraft,
    HistoryDraft,
    RequestDraft,
    from_contract,
    to_contract,
)
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import intake, records
from detainer_desk.services.access import PermissionDenied
from detainer_desk.services.ports import Actor

from .conftest import REPO_ROOT
from .test_gui_support import OFFICER_PASSWORD, seed_admin, seed_user, store_under

EXAMPLES = REPO_ROOT / "tests" / "fixtures" / "examples"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))
ON = dt.date(2026, 2, 11)


def _example(name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((EXAMPLES / name / "request.json").read_text())
    return data


def _policy(name: str = "01-judicial-warrant-hold"):
    return parse_policy((EXAMPLES / name / "policy.toml").read_bytes(), "policy.toml")


# -- the draft and the request file -------------------------------------------------------


@pytest.mark.parametrize(
    "name", sorted(d.name for d in EXAMPLES.iterdir() if d.is_dir() and not d.name.startswith("10"))
)
def test_every_example_request_survives_the_form_unchanged(name: str) -> None:
    original = _example(name)
    loaded = from_contract(original, "request.json")

    assert loaded.left_out == ()
    again = to_contract(loaded.draft)
    assert request_from_mapping(again, "again") == request_from_mapping(original, "original")


def test_the_first_example_round_trips_key_for_key() -> None:
    original = _example("01-judicial-warrant-hold")
    assert to_contract(from_contract(original, "request.json").draft) == original


def test_a_file_keeps_what_the_form_can_hold_and_lists_the_rest() -> None:
    document = _example("01-judicial-warrant-hold")
    document["subject"] = {
        "name": "RIVERA, Ana",
        "dob": "14/07/1988",  # wrong format: kept as typed, the field shows the problem
        "booking_number": 311,  # not text: left out
        "nickname": "Annie",  # unknown: the contract parser reports it
    }
    document["flags"] = ["watch_list", "tattoo"]

    loaded = from_contract(document, "bad.json")

    assert loaded.draft.name == "RIVERA, Ana"
    assert loaded.draft.dob == "14/07/1988"
    assert loaded.draft.booking_number == ""
    assert loaded.draft.flags == ["watch_list"]
    assert {problem.key for problem in loaded.left_out} == {"subject.booking_number", "flags[1]"}


def test_empty_optional_fields_are_left_out_and_unknown_release_time_is_null() -> None:
    draft = RequestDraft(
        received_at="2026-02-10 08:30",
        name="  DOE, John ",
        dob="1990-04-02",
        booking_number="B1",
        form="I-247A",
        requested=["hold", "notify"],
        documents=[DocumentDraft(kind="I-200", signed=True)],
        history=[HistoryDraft(offense_class="felony", status="pending")],
    )
    contract = to_contract(draft)

    assert contract["subject"] == {"name": "DOE, John", "dob": "1990-04-02", "booking_number": "B1"}
    assert contract["detainer"] == {"form": "I-247A", "requested": ["notify", "hold"]}
    assert contract["documents"] == [{"kind": "I-200", "signed": True}]
    assert contract["history"] == [{"class": "felony", "status": "pending"}]
    assert contract["release_eligible_at"] is None


# -- where problems are shown, and how they are said -----------------------------------------


@pytest.mark.parametrize(
    ("key", "area", "field", "index"),
    [
        ("subject.a_number", p.REQUEST, "subject.a_number", None),
        ("detainer.requested", p.REQUEST, "detainer.requested", None),
        ("detainer.requested[1]", p.REQUEST, "detainer.requested", None),
        ("documents[1].signer_role", p.DOCUMENT, "signer_role", 1),
        ("documents[0]", p.DOCUMENT, "", 0),
        ("history[2].date", p.HISTORY, "date", 2),
        ("subject.nickname", p.GENERAL, "", None),
        ("", p.GENERAL, "", None),
    ],
)
def test_each_problem_key_finds_its_field(
    key: str, area: str, field: str, index: int | None
) -> None:
    place = p.place_of(key)
    assert (place.area, place.field, place.index) == (area, field, index)


def test_messages_name_the_field_in_a_sentence() -> None:
    missing = Problem("f", "subject.name", "is required but missing")
    empty = Problem("f", "subject.booking_number", "must not be empty")
    bad = Problem("f", "history[0].date", "'2026-13-01' is not a real calendar date")

    assert p.message_for(missing) == "Name is required."
    assert p.message_for(empty) == "Booking number must not be empty."
    assert p.summary_of(bad) == "History row 1, date: '2026-13-01' is not a real calendar date."
    assert p.summary_of(Problem("f", "subject.dob", "'x' is not a date")) == (
        "Date of birth: 'x' is not a date."
    )


def test_problems_are_listed_in_the_order_of_the_form() -> None:
    draft = RequestDraft(dob="1990-13-01", booking_number="B1", a_number="A1")
    keys = [problem.key for problem in p.assess(draft, None, dt.datetime.now(dt.UTC)).problems]
    assert keys == [
        "subject.name",
        "subject.dob",
        "subject.a_number",
        "detainer.form",
        "received_at",
        "detainer.requested",
    ]


# -- the checks before a decision -------------------------------------------------------------


def _draft(**changes: object) -> RequestDraft:
    draft = from_contract(_example("01-judicial-warrant-hold"), "request.json").draft
    for name, value in changes.items():
        setattr(draft, name, value)
    return draft


def test_a_valid_draft_is_evaluated_at_the_instant_given() -> None:
    now = dt.datetime(2026, 2, 11, 20, 0, tzinfo=PACIFIC)
    assessment = p.assess(_draft(), _policy(), now)

    assert assessment.valid and assessment.decision is not None
    assert assessment.decision.headline() == "HOLD until Fri 13 Feb 2026, 15:00 PST (UTC-08:00)"
    assert assessment.decision.evaluated_at == now


def test_a_received_time_in_the_future_is_a_problem_before_recording_refuses_it() -> None:
    now = dt.datetime(2026, 2, 10, 8, 0, tzinfo=PACIFIC)
    assessment = p.assess(_draft(), _policy(), now)  # received 08:30, half an hour ahead

    assert not assessment.valid
    assert [problem.key for problem in assessment.problems] == ["received_at"]


def test_a_birth_date_after_the_evaluation_date_is_shown_on_the_birth_date() -> None:
    now = dt.datetime(2026, 2, 11, 20, 0, tzinfo=PACIFIC)
    assessment = p.assess(_draft(dob="2026-03-01"), _policy(), now)

    assert [problem.key for problem in assessment.problems] == ["subject.dob"]


def test_a_typed_time_says_how_it_was_read() -> None:
    zone = _policy().zone
    assert p.instant_reading("2026-02-11 15:00", zone) == (
        "Read as Wed 11 Feb 2026, 15:00 PST (UTC-08:00)"
    )
    assert p.instant_reading("2026-02-11T23:00Z", zone) == (
        "Read as Wed 11 Feb 2026, 15:00 PST (UTC-08:00)"
    )
    assert p.instant_reading("yesterday", zone) is None


# -- the judicial-warrant checklist -------------------------------------------------------------

WARRANT = DocumentDraft(
    kind="judicial_warrant",
    signed=True,
    signer_role="magistrate",
    court="U.S. District Court for the District of Oregon",
    court_system="federal",
    names_subject=True,
)


def test_a_complete_federal_warrant_counts() -> None:
    verdict = p.warrant_verdict(WARRANT, ON)
    assert verdict.counts is True
    assert verdict.headline == "COUNTS as a judicial warrant"
    assert "From a federal court." in verdict.reasons


def test_a_warrant_signed_by_an_immigration_officer_does_not_count_and_says_why() -> None:
    doc = DocumentDraft(**{**WARRANT.__dict__, "signer_role": "immigration_officer"})
    verdict = p.warrant_verdict(doc, ON)
    assert verdict.counts is False and verdict.judicial_kind
    assert verdict.reasons == (
        "It is signed by an immigration officer, not a judge or magistrate.",
    )


def test_every_failed_test_is_listed() -> None:
    doc = DocumentDraft(kind="court_order", expires_on="2026-02-10")
    reasons = p.warrant_verdict(doc, ON).reasons
    assert reasons == (
        "It is not signed.",
        "It is signed by nobody the form names, not a judge or magistrate.",
        "It does not name the court that issued it.",
        "It does not name this person.",
        "It expired on 2026-02-10.",
    )


def test_a_state_warrant_counts_with_a_caution_about_federal_only_policies() -> None:
    doc = DocumentDraft(**{**WARRANT.__dict__, "court_system": "state"})
    verdict = p.warrant_verdict(doc, ON)
    assert verdict.counts is True
    assert any("only federal judicial warrants" in reason for reason in verdict.reasons)


def test_an_administrative_warrant_is_plainly_not_a_judicial_one() -> None:
    verdict = p.warrant_verdict(DocumentDraft(kind="I-200", signed=True), ON)
    assert verdict.counts is False and not verdict.judicial_kind
    assert verdict.headline == "Not a judicial warrant"


# -- the decision's words -------------------------------------------------------------------------


def test_a_review_shows_the_tentative_outcome_and_what_the_supervisor_must_look_at() -> None:
    now = dt.datetime(2026, 2, 11, 20, 0, tzinfo=PACIFIC)
    draft = _draft(citizenship_claim=True)
    assessment = p.assess(draft, _policy(), now)
    assert assessment.decision is not None and assessment.request is not None

    view = p.decision_view(assessment.decision, assessment.request, "Example citation")

    assert view.words == "SUPERVISOR REVIEW"
    assert view.detail.startswith("If a supervisor agrees: HOLD until Fri 13 Feb 2026")
    assert len(view.supervisor_items) == 1
    assert view.supervisor_items[0].startswith("Possible U.S. citizen: the person says")
    assert [g.action for g in view.groups] == ["hold", "transfer", "notify", "review"]
    assert all(r.citation for g in view.groups for r in g.reasons)


def test_a_hold_without_a_release_time_says_why_there_is_no_countdown() -> None:
    now = dt.datetime(2026, 2, 11, 20, 0, tzinfo=PACIFIC)
    assessment = p.assess(_draft(release_eligible_at=""), _policy(), now)
    assert assessment.decision is not None and assessment.request is not None

    view = p.decision_view(assessment.decision, assessment.request, "c")

    assert view.headline == "HOLD" and view.hold_until is None
    assert view.deadline_note is not None and "not known" in view.deadline_note


def test_the_countdown_follows_the_clock() -> None:
    until = dt.datetime(2026, 2, 13, 15, 0, tzinfo=PACIFIC)
    assert p.countdown(until, until - dt.timedelta(hours=43)).text == "43 h 00 min left"
    soon = p.countdown(until, until - dt.timedelta(minutes=30))
    assert (soon.text, soon.level) == ("0 h 30 min left", "urgent")
    assert p.countdown(until, until + dt.timedelta(minutes=5)).words.startswith("DEADLINE PASSED")


def test_the_countdown_is_urgent_at_the_alert_times_in_force() -> None:
    until = dt.datetime(2026, 2, 13, 15, 0, tzinfo=PACIFIC)
    custom = (dt.timedelta(hours=8), dt.timedelta(hours=2))
    five_hours = until - dt.timedelta(hours=5)
    assert (p.countdown(until, five_hours).level, p.countdown(until, five_hours).words) == (
        "ok",
        "more than 4 hours left",
    )
    soon = p.countdown(until, five_hours, custom)
    assert (soon.text, soon.level, soon.words) == ("5 h 00 min left", "soon", "under 8 hours left")
    urgent = p.countdown(until, until - dt.timedelta(minutes=90), custom)
    assert (urgent.level, urgent.words) == ("urgent", "under 2 hours left")
    odd = (dt.timedelta(minutes=150), dt.timedelta(minutes=45))
    assert p.countdown(until, until - dt.timedelta(hours=2), odd).words == "under 2 h 30 min left"


# -- the duplicate look-up -------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


def test_earlier_decisions_for_a_booking_and_form_are_found(store: Runtime) -> None:
    admin = seed_admin(store)
    seed_user(store, admin, "officer.a", ["officer"], OFFICER_PASSWORD)
    officer = Actor("officer.a", admin.workstation, frozenset({"officer"}))
    policy = (EXAMPLES / "01-judicial-warrant-hold" / "policy.toml").read_bytes()
    records.activate_policy(store.uow(), policy, "policy.toml", admin, utc_now())
    request = (EXAMPLES / "01-judicial-warrant-hold" / "request.json").read_text()

    none_yet = intake.earlier_decisions(store.uow(), "B26-000311", "I-247A", officer, utc_now())
    first = records.record_decision(store.uow(), request, "r.json", [], officer, utc_now())
    found = intake.earlier_decisions(store.uow(), " B26-000311 ", "I-247A", officer, utc_now())
    other_form = intake.earlier_decisions(store.uow(), "B26-000311", "I-247D", officer, utc_now())

    assert none_yet.total == 0 and p.earlier_text(none_yet, None) is None
    assert found.total == 1 and found.latest[0].decision_id == first.decision_id
    assert found.latest[0].recorded_by == "officer.a"
    text = p.earlier_text(found, _policy().zone)
    assert text is not None and f"decision {first.decision_id} (" in text
    assert other_form.total == 0
    with pytest.raises(PermissionDenied):
        intake.earlier_decisions(store.uow(), "B26-000311", "I-247A", admin, utc_now())
