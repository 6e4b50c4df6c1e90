"""The amendment rules of the domain, without a database: one test per rule, each refusal in
its exact words (the service and every screen show these sentences as they are)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import amendments as rules
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.clock import HoldWindowRule
from detainer_desk.domain.outcomes import OUTCOMES, OVERRIDE_OUTCOMES, Outcome, is_holding
from detainer_desk.domain.vocabulary import OUTCOMES as OUTCOME_VALUES

ZONE = ZoneInfo("America/Los_Angeles")
ELIGIBLE = dt.datetime(2026, 3, 6, 14, 0, tzinfo=ZONE)
WINDOW = HoldWindowRule(max_hours=48)


def state(
    outcome: str = "hold",
    *,
    closed: bool = False,
    status: str = lc.AWAITING_COUNTERSIGN,
    release_eligible_at: dt.datetime | None = None,
) -> lc.DecisionState:
    return lc.DecisionState(outcome, status, None, release_eligible_at, closed)


def test_the_outcomes_are_the_contract_words() -> None:
    assert [str(o) for o in OUTCOMES] == ["hold", "transfer", "notify", "decline", "review"]
    assert OUTCOME_VALUES == ("hold", "transfer", "notify", "decline", "review")
    assert Outcome.HOLD == "hold" and f"{Outcome.DECLINE}" == "decline"
    assert Outcome("notify") is Outcome.NOTIFY
    assert Outcome.REVIEW not in OVERRIDE_OUTCOMES


def test_a_hold_runs_when_in_force_or_awaiting_review() -> None:
    assert is_holding("hold", None)
    assert is_holding("review", "hold")
    assert not is_holding("review", "notify")
    assert not is_holding("notify", "hold")


def test_an_unknown_kind_is_refused() -> None:
    assert rules.kind_problem("pardon") == "'pardon' is not a kind of amendment"
    assert all(rules.kind_problem(kind) is None for kind in lc.AMENDMENT_KINDS)


def test_an_override_a_lift_and_a_correction_need_a_written_reason() -> None:
    for kind, words in (
        (lc.OVERRIDE, "overridden"),
        (lc.LIFTED, "detainer lifted or cancelled"),
        (lc.CORRECTION, "correction"),
    ):
        assert rules.missing_problem(kind, None, ELIGIBLE) == (
            f"a written reason is required for: {words}"
        )
        assert rules.missing_problem(kind, "the warrant was withdrawn", ELIGIBLE) is None
    assert rules.missing_problem(lc.COUNTERSIGN, None, None) is None


def test_a_release_a_transfer_and_an_eligible_time_need_the_time() -> None:
    for kind in (lc.RELEASE_ELIGIBLE, lc.ICE_CUSTODY, lc.RELEASED):
        assert rules.missing_problem(kind, None, None) == (
            "the date and time it happened is required"
        )
        assert rules.missing_problem(kind, None, ELIGIBLE) is None


def test_a_closed_decision_takes_only_a_correction_or_a_fact_for_the_reports() -> None:
    released = state(closed=True, status=lc.STATUS_RELEASED)
    for kind in (lc.COUNTERSIGN, lc.OVERRIDE, lc.RELEASED, lc.RELEASE_ELIGIBLE, lc.LIFTED):
        assert rules.closed_problem(7, released, kind) == (
            "decision 7 is closed (released); only a correction or a fact for the reports "
            "can be added"
        )
    for kind in (lc.CORRECTION, lc.BAIL_POSTED, lc.PERSON_FACTS):
        assert rules.closed_problem(7, released, kind) is None
    assert rules.closed_problem(7, state(), lc.OVERRIDE) is None


def test_four_eyes_the_recording_officer_cannot_review_their_own_decision() -> None:
    refusal = (
        "the officer who recorded a decision cannot countersign or override it; "
        "another supervisor must"
    )
    assert rules.four_eyes_problem(lc.COUNTERSIGN, "jdoe", "jdoe") == refusal
    assert rules.four_eyes_problem(lc.OVERRIDE, "jdoe", "jdoe") == refusal
    assert rules.four_eyes_problem(lc.COUNTERSIGN, "super", "jdoe") is None
    # Other facts may be added by the officer who recorded the decision.
    assert rules.four_eyes_problem(lc.RELEASED, "jdoe", "jdoe") is None


def test_a_review_needs_the_review_permission_other_facts_the_amend_one() -> None:
    assert rules.permission_for(lc.COUNTERSIGN) == acc.REVIEW_DECISION
    assert rules.permission_for(lc.OVERRIDE) == acc.REVIEW_DECISION
    assert rules.permission_for(lc.RELEASED) == acc.AMEND_DECISION


@pytest.mark.parametrize("outcome", [None, "review", "release", 3])
def test_an_override_names_an_outcome_a_decision_can_have(outcome: object) -> None:
    assert rules.override_problem(state("notify"), outcome) == (
        "an override must name the new outcome: hold, transfer, notify or decline"
    )


def test_an_override_to_the_outcome_in_force_is_a_countersign() -> None:
    assert rules.override_problem(state("notify"), "notify") == (
        "the outcome is already notify: that is a countersign, not an override"
    )
    assert rules.override_problem(state("notify"), "hold") is None


def test_bail_posted_is_in_whole_minutes_and_not_in_the_future() -> None:
    now = dt.datetime(2026, 3, 6, 12, 0, tzinfo=ZONE)
    assert rules.bail_time_problem(now.replace(second=5), now, ZONE) == (
        "bail posted: give the time in whole minutes, without seconds"
    )
    later = now + dt.timedelta(hours=2)
    assert rules.bail_time_problem(later, now, ZONE) == (
        "bail posted cannot be in the future: 2026-03-06 14:00 PST is after the time now "
        "(2026-03-06 12:00 PST)"
    )
    # Before the detainer came is allowed: the statute asks when it was posted.
    assert rules.bail_time_problem(now - dt.timedelta(days=3), now, ZONE) is None


def test_a_known_release_time_gives_a_hold_its_deadline() -> None:
    before = dt.datetime(2026, 3, 6, 15, 0, tzinfo=ZONE)
    window = rules.hold_after_release_eligible(state("hold"), None, ELIGIBLE, WINDOW, ZONE, before)
    assert window is not None
    assert window.hold_until == dt.datetime(2026, 3, 8, 15, 0, tzinfo=ZONE)  # DST: 48 real hours
    assert window.details() == {
        "hold_until": "2026-03-08T15:00:00-07:00",
        "window_closed_when_recorded": False,
    }
    # Awaiting review, tentatively a hold: the deadline is known already.
    review = rules.hold_after_release_eligible(
        state("review"), "hold", ELIGIBLE, WINDOW, ZONE, before
    )
    assert review == window
    # No hold, no deadline.
    assert (
        rules.hold_after_release_eligible(state("notify"), None, ELIGIBLE, WINDOW, ZONE, before)
        is None
    )
    assert (
        rules.hold_after_release_eligible(state("review"), "notify", ELIGIBLE, WINDOW, ZONE, before)
        is None
    )


def test_a_release_time_entered_after_the_window_ended_says_so() -> None:
    late = dt.datetime(2026, 3, 9, 8, 0, tzinfo=ZONE)
    window = rules.hold_after_release_eligible(state("hold"), None, ELIGIBLE, WINDOW, ZONE, late)
    assert window is not None and window.window_closed
    assert window.details()["window_closed_when_recorded"] is True


def test_an_override_to_a_hold_counts_the_window_from_the_known_release_time() -> None:
    known = state("notify", release_eligible_at=ELIGIBLE)
    window = rules.hold_after_override(known, "hold", WINDOW, ZONE)
    assert window is not None
    assert window.details() == {"hold_until": "2026-03-08T15:00:00-07:00"}
    # Not known yet: the hold has no deadline until it is; another outcome has none at all.
    assert rules.hold_after_override(state("notify"), "hold", WINDOW, ZONE) is None
    assert rules.hold_after_override(known, "decline", WINDOW, ZONE) is None


def test_an_override_away_from_a_hold_lifts_its_deadline() -> None:
    recorded = dt.datetime(2026, 3, 6, 16, 0, tzinfo=dt.UTC)
    facts = [
        lc.AmendmentFact(
            lc.RELEASE_ELIGIBLE,
            ELIGIBLE,
            {"hold_until": "2026-03-08T15:00:00-07:00"},
            recorded,
        ),
        lc.AmendmentFact(
            lc.OVERRIDE, None, {"outcome": "notify"}, recorded + dt.timedelta(minutes=5)
        ),
    ]
    now = lc.current_state("hold", None, None, None, facts)
    assert (now.outcome, now.status, now.hold_until) == ("notify", lc.STATUS_OVERRIDDEN, None)
    assert now.release_eligible_at == ELIGIBLE
