"""Demo data as a trial user meets it: requests up to the present hour, nothing recorded
after it, and a holds board with a handful of people on it and nobody past the deadline
(it opened on 271 red overdue rows when the demo ended weeks before today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from detainer_desk.domain import alerts
from detainer_desk.domain import lifecycle as lc
from detainer_desk.runtime import Runtime
from detainer_desk.services import board, records
from detainer_desk.services.demo import (
    OPEN_HOLDS_WANTED,
    create_demo_accounts,
    fill_demo,
)
from detainer_desk.services.ports import Actor, DecisionQuery, DecisionRow

from .test_gui_support import store_under

NOW = dt.datetime(2026, 12, 6, 14, 37, tzinfo=dt.UTC)
SUPERVISOR = Actor("sgt.fischer", "BOOKING-3")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


def _demo(store: Runtime, count: int, now: dt.datetime = NOW) -> None:
    create_demo_accounts(store.uow(), "not-a-real-hash", now)
    for _done in fill_demo(store.uow, count, now=now):
        pass


def _everything(store: Runtime) -> list[tuple[DecisionRow, lc.DecisionState]]:
    page = board.log_page(store.uow(), SUPERVISOR, DecisionQuery(limit=10_000), NOW)
    return [
        records.load_decision(store.uow(), row.decision_id, SUPERVISOR, NOW) for row in page.rows
    ]


@pytest.mark.parametrize("count", [300, 1000])
def test_the_demo_runs_up_to_the_present_hour_with_a_handful_of_holds(
    store: Runtime, count: int
) -> None:
    _demo(store, count)
    loaded = _everything(store)
    rows = [row for row, _state in loaded]
    assert len(rows) == count
    received = sorted(row.summary.received_at for row in rows)
    assert NOW - dt.timedelta(hours=2) <= received[-1] < NOW  # the present hour, not weeks ago
    assert received[0] >= NOW - dt.timedelta(days=31)

    # Nothing happens in the future: every decision and amendment is recorded by now, and
    # a release or an ICE custody is never dated after it was recorded.
    for row in rows:
        assert row.summary.recorded_at <= NOW
        for amendment in row.amendments:
            assert amendment.stamp.recorded_at <= NOW
            if amendment.effective_at is not None:
                assert amendment.effective_at <= amendment.stamp.recorded_at

    holds = board.holds_board(store.uow(), SUPERVISOR, NOW)
    levels = [item.level for item in holds.items]
    assert 3 <= len(levels) <= 3 * OPEN_HOLDS_WANTED, levels  # a handful, not hundreds
    assert alerts.EXPIRED not in levels  # nobody held past the deadline
    # Older holds ended the way holds end, with the facts recorded.
    ended = [state for _row, state in loaded if state.outcome == "hold" and state.closed]
    assert len(ended) > count // 10


def test_the_same_seed_and_hour_give_the_same_demo(tmp_path: Path) -> None:
    names = []
    for folder in ("one", "two"):
        for store in store_under(tmp_path / folder):
            _demo(store, 120)
            names.append([row.summary.subject_name for row, _state in _everything(store)])
    assert names[0] == names[1]
