"""The decision log (sorted and paged in SQL), the review queue and the holds board."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from detainer_desk.domain import alerts
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.board import (
    active_holds,
    holds_board,
    log_count,
    log_page,
    overdue_holds,
    overdue_report,
    review_queue,
)
from detainer_desk.services.ports import LOG_SORT_KEYS, Actor, DecisionQuery
from detainer_desk.services.records import activate_policy, amend_decision, record_decision
from detainer_desk.services.settings import read_settings, save_settings

from .helpers import JUDICIAL_WARRANT_POLICY, PEOPLE, seed_accounts, varied_request

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "W")
SUPERVISOR = Actor("sgt.b", "W")
ADMIN = Actor("admin", "W")
HOURS = dt.timedelta(hours=1)
CUSTOM = (8 * HOURS, 2 * HOURS)  # alert times an administrator set: 8 h and 2 h
NAMES = list(PEOPLE)


@pytest.fixture
def store(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    for n, name in enumerate(NAMES):
        by = OFFICER if n % 2 else SUPERVISOR
        record_decision(runtime.uow(), varied_request(n, name), "r", [], by, NOW)
    return runtime


@pytest.mark.parametrize("sort", LOG_SORT_KEYS)
@pytest.mark.parametrize("descending", [True, False])
def test_every_sort_pages_in_sql_like_a_full_sort(store, sort: str, descending: bool) -> None:
    everything = log_page(
        store.uow(), OFFICER, DecisionQuery(sort=sort, descending=descending, limit=100), NOW
    ).rows
    assert len(everything) == len(NAMES)
    keys = [(r.sort_value, r.request_id) for r in everything]
    assert keys == sorted(keys, reverse=descending)
    paged: list[Any] = []
    after = None
    while True:
        page = log_page(
            store.uow(),
            OFFICER,
            DecisionQuery(sort=sort, descending=descending, limit=3, after=after),
            NOW,
        )
        paged += page.rows
        if page.next_after is None:
            break
        after = page.next_after
    assert [r.decision_id for r in paged] == [r.decision_id for r in everything]


def test_filters_and_count(store) -> None:
    assert log_count(store.uow(), OFFICER, DecisionQuery(), NOW) == len(NAMES)
    holds = log_page(store.uow(), OFFICER, DecisionQuery(outcome="hold"), NOW).rows
    assert {r.outcome for r in holds} == {"hold"}
    review = log_page(store.uow(), OFFICER, DecisionQuery(status=lc.AWAITING_REVIEW), NOW).rows
    assert [r.subject_name for r in review] == ["MORALES, Ada"]
    assert log_count(store.uow(), OFFICER, DecisionQuery(search="doe"), NOW) == 2


def test_unknown_sort_is_refused(store) -> None:
    from detainer_desk.services.access import RecordError

    with pytest.raises(RecordError, match="cannot be sorted"):
        log_page(store.uow(), OFFICER, DecisionQuery(sort="dob"), NOW)


def test_review_queue_puts_review_first_and_drops_countersigned(store) -> None:
    queue = review_queue(store.uow(), SUPERVISOR, NOW)
    assert queue[0].status == lc.AWAITING_REVIEW
    assert len(queue) == len(NAMES)
    first_plain = next(
        r for r in queue if r.status == lc.AWAITING_COUNTERSIGN and r.recorded_by == "officer.a"
    )
    amend_decision(store.uow(), first_plain.decision_id, lc.COUNTERSIGN, SUPERVISOR, NOW)
    assert first_plain.decision_id not in {
        r.decision_id for r in review_queue(store.uow(), SUPERVISOR, NOW)
    }


def test_holds_board_counts_down_and_empties_as_people_are_released(store) -> None:
    board = active_holds(store.uow(), OFFICER, NOW)
    held = [item for item in board if item.row.outcome_in_force == "hold"]
    assert held and all(item.level == alerts.UNKNOWN for item in held)  # no release time yet
    first = held[0].row.decision_id
    release = NOW + dt.timedelta(hours=1)
    # Recorded once it has happened (a fact in the future is refused).
    amend_decision(
        store.uow(), first, lc.RELEASE_ELIGIBLE, SUPERVISOR, release, effective_at=release
    )
    board = active_holds(store.uow(), OFFICER, NOW)
    assert board[0].row.decision_id == first  # the soonest deadline comes first
    assert board[0].level == alerts.OK and board[0].countdown == "49 h 00 min left"
    later = active_holds(store.uow(), OFFICER, release + dt.timedelta(hours=46))
    assert later[0].level == alerts.SOON
    assert (
        active_holds(store.uow(), OFFICER, release + dt.timedelta(hours=47, minutes=30))[0].level
        == alerts.URGENT
    )
    assert [
        i.row.decision_id
        for i in overdue_holds(store.uow(), OFFICER, release + dt.timedelta(hours=49))
    ] == [first]
    for item in active_holds(store.uow(), OFFICER, NOW):
        amend_decision(
            store.uow(), item.row.decision_id, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW
        )
    assert active_holds(store.uow(), OFFICER, NOW) == []


def test_alert_levels_and_crossings() -> None:
    deadline = NOW + dt.timedelta(hours=5)
    assert alerts.alert_level(deadline, NOW) == alerts.OK
    assert alerts.alert_level(deadline, NOW + dt.timedelta(hours=1, seconds=1)) == alerts.SOON
    assert alerts.alert_level(deadline, NOW + dt.timedelta(hours=4)) == alerts.URGENT
    assert alerts.alert_level(deadline, deadline) == alerts.EXPIRED
    assert alerts.alert_level(None, NOW) == alerts.UNKNOWN
    assert alerts.newly_reached(alerts.OK, alerts.SOON) and not alerts.newly_reached(
        alerts.SOON, alerts.SOON
    )
    assert alerts.newly_reached(alerts.SOON, alerts.EXPIRED) and not alerts.newly_reached(
        alerts.URGENT, alerts.OK
    )
    assert alerts.countdown_text(NOW - dt.timedelta(minutes=12), NOW) == "overdue by 0 h 12 min"


def test_alert_words_name_the_alert_times_in_force() -> None:
    minutes = dt.timedelta(minutes=1)
    assert [
        alerts.duration_words(span)
        for span in (8 * HOURS, HOURS, 150 * minutes, 45 * minutes, 65 * minutes, 48 * HOURS)
    ] == ["8 hours", "1 hour", "2 h 30 min", "45 min", "1 h 5 min", "48 hours"]
    assert [alerts.short_duration(span) for span in (8 * HOURS, HOURS, 150 * minutes)] == [
        "8 h",
        "1 h",
        "2 h 30 min",
    ]
    assert {level: alerts.level_words(level, CUSTOM) for level in alerts.LEVELS} == {
        alerts.UNKNOWN: "release time not known yet",
        alerts.OK: "more than 8 hours left",
        alerts.SOON: "under 8 hours left",
        alerts.URGENT: "under 2 hours left",
        alerts.EXPIRED: "DEADLINE PASSED: release now",
    }
    odd = (150 * minutes, 45 * minutes)
    assert alerts.level_words(alerts.SOON, odd) == "under 2 h 30 min left"
    assert alerts.level_words(alerts.URGENT, odd) == "under 45 min left"
    assert {level: alerts.short_level_words(level, CUSTOM) for level in alerts.LEVELS} == {
        alerts.UNKNOWN: "no clock yet",
        alerts.OK: "over 8 h",
        alerts.SOON: "under 8 h",
        alerts.URGENT: "under 2 h",
        alerts.EXPIRED: "PASSED: release",
    }
    assert alerts.short_level_words(alerts.SOON, odd) == "under 2 h 30 min"
    # The default alert times keep the words they always had.
    assert alerts.LEVEL_WORDS == {
        alerts.UNKNOWN: "release time not known yet",
        alerts.OK: "more than 4 hours left",
        alerts.SOON: "under 4 hours left",
        alerts.URGENT: "under 1 hour left",
        alerts.EXPIRED: "DEADLINE PASSED: release now",
    }
    assert {
        level: alerts.level_words(level, alerts.DEFAULT_WARNINGS) for level in alerts.LEVELS
    } == alerts.LEVEL_WORDS
    assert alerts.short_level_words(alerts.OK) == "over 4 h"
    assert alerts.short_level_words(alerts.URGENT) == "under 1 h"


def _one_hold(store) -> tuple[int, dt.datetime]:
    held = [i for i in active_holds(store.uow(), OFFICER, NOW) if i.row.outcome_in_force == "hold"]
    first = held[0].row.decision_id
    release = NOW + HOURS
    # Recorded once it has happened (a fact in the future is refused).
    amend_decision(
        store.uow(), first, lc.RELEASE_ELIGIBLE, SUPERVISOR, release, effective_at=release
    )
    return first, release + 48 * HOURS


def test_the_board_alerts_at_the_times_set_in_the_settings(store) -> None:
    first, hold_until = _one_hold(store)
    five_hours_before = hold_until - 5 * HOURS
    # The defaults: 5 hours left is more than the first alert time of 4 hours.
    item = active_holds(store.uow(), OFFICER, five_hours_before)[0]
    assert item.row.decision_id == first
    assert (item.level, item.words, item.short_words) == (
        alerts.OK,
        "more than 4 hours left",
        "over 4 h",
    )
    assert item.warnings == alerts.DEFAULT_WARNINGS

    settings = dataclasses.replace(
        read_settings(store.uow()), alert_first_minutes=8 * 60, alert_second_minutes=2 * 60
    )
    save_settings(store.uow(), ADMIN, settings, NOW)

    board = holds_board(store.uow(), OFFICER, five_hours_before)
    assert board.warnings == CUSTOM
    item = board.items[0]
    assert (item.level, item.words, item.short_words) == (
        alerts.SOON,
        "under 8 hours left",
        "under 8 h",
    )
    assert item.warnings == CUSTOM
    item = active_holds(store.uow(), OFFICER, hold_until - 90 * dt.timedelta(minutes=1))[0]
    assert (item.level, item.words, item.short_words) == (
        alerts.URGENT,
        "under 2 hours left",
        "under 2 h",
    )
    # Alert times passed in win over the settings (and say so in their words).
    item = active_holds(store.uow(), OFFICER, five_hours_before, alerts.DEFAULT_WARNINGS)[0]
    assert (item.level, item.words) == (alerts.OK, "more than 4 hours left")

    # The overdue list and report read the settings in their own unit of work, nested.
    later = hold_until + 5 * dt.timedelta(minutes=1)
    overdue = overdue_holds(store.uow(), OFFICER, later)
    assert [i.row.decision_id for i in overdue] == [first]
    assert overdue[0].warnings == CUSTOM
    report = overdue_report(store.uow(), SUPERVISOR, later)
    assert [(i.row.decision_id, i.warnings) for i in report] == [(first, CUSTOM)]
