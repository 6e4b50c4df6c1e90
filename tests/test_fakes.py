"""The in-memory fakes (tests/fakes.py) are complete and mean what the SQL store means.

Every port method has its fake, with the same parameters; and the board, the statistics
and the export's selection, run through the services on the same record, give the same
results on the fakes as on a real SQLite store.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
from collections.abc import Callable
from typing import Any

import pytest

from detainer_desk.domain import lifecycle as lc
from detainer_desk.services import board, export, statistics
from detainer_desk.services import ports as p
from detainer_desk.services.records import (
    activate_policy,
    amend_decision,
    find_decisions,
    record_decision,
)

from .fakes import FakeAccounts, FakeAudit, FakeRecords, FakeUnitOfWork
from .helpers import JUDICIAL_WARRANT_POLICY, PEOPLE, seed_accounts, varied_request

PORTS = [
    (p.RecordRepository, FakeRecords),
    (p.AccountRepository, FakeAccounts),
    (p.AuditRepository, FakeAudit),
    (p.UnitOfWork, FakeUnitOfWork),
]


def _methods(port: type) -> dict[str, inspect.Signature]:
    """A port's methods (the context manager's two included), with their signatures."""
    return {
        name: inspect.signature(function)
        for name, function in inspect.getmembers(port, inspect.isfunction)
        if not name.startswith("_") or name in ("__enter__", "__exit__")
    }


def _parameters(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(q.name, q.kind, q.default) for q in signature.parameters.values()]


@pytest.mark.parametrize(("port", "fake"), PORTS, ids=lambda x: x.__name__)
def test_every_port_method_has_its_fake_with_the_same_parameters(port: type, fake: type) -> None:
    methods = _methods(port)
    assert methods  # the port's methods were found
    missing = sorted(name for name in methods if not callable(getattr(fake, name, None)))
    assert missing == [], f"{fake.__name__} lacks {missing} of {port.__name__}"
    for name, signature in methods.items():
        own = inspect.signature(getattr(fake, name))
        assert _parameters(own) == _parameters(signature), f"{fake.__name__}.{name}"


def test_the_fake_unit_of_work_has_the_three_repositories() -> None:
    with FakeUnitOfWork() as uow:
        for name in p.UnitOfWork.__annotations__:
            assert hasattr(uow, name), name


# -- one record, the services on both implementations -------------------------------------

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = p.Actor("officer.a", "W")
SUPERVISOR = p.Actor("sgt.b", "W")
COUNSEL = p.Actor("counsel.d", "W")
NAMES = [*PEOPLE, "Núñez, Inés"]


def _record(uow: Callable[[], p.UnitOfWork]) -> None:
    """Eight decisions of four days, then a countersignature, a release time known, a
    release after the deadline (ended late) and one before it."""
    seed_accounts(uow(), NOW)
    activate_policy(uow(), JUDICIAL_WARRANT_POLICY, "p.toml", p.Actor("admin", "W"), NOW)
    for n, name in enumerate(NAMES):
        record_decision(uow(), varied_request(n, name), "r", [], OFFICER, NOW)
    early = NOW - dt.timedelta(hours=60)
    amend_decision(uow(), 2, lc.COUNTERSIGN, SUPERVISOR, NOW)
    amend_decision(uow(), 3, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW, effective_at=NOW)
    amend_decision(uow(), 1, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW, effective_at=early)
    amend_decision(uow(), 1, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW)  # 12 h late
    amend_decision(uow(), 7, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW, effective_at=early)
    amend_decision(uow(), 7, lc.RELEASED, SUPERVISOR, NOW, effective_at=early)


def _pages(uow: Callable[[], p.UnitOfWork], query: p.DecisionQuery) -> list[p.DecisionSummary]:
    rows: list[p.DecisionSummary] = []
    while True:
        page = board.log_page(uow(), OFFICER, query, NOW)
        rows += page.rows
        if page.next_after is None:
            return rows
        query = p.DecisionQuery(**{**_fields(query), "after": page.next_after})


def _fields(query: p.DecisionQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in query.__dataclass_fields__}


def _csv_without_chain(text: str) -> list[list[str]]:
    """decisions.csv without the chain's columns (seq, entry hash), which only a real
    chain has."""
    return [row[:-2] for row in csv.reader(io.StringIO(text))]


FILTERS = [
    p.DecisionQuery(),
    p.DecisionQuery(search="doe"),
    p.DecisionQuery(search="ji wo"),
    p.DecisionQuery(search="nunez"),
    p.DecisionQuery(search="B3"),
    p.DecisionQuery(search="A100000002"),
    p.DecisionQuery(outcome="hold"),
    p.DecisionQuery(status=lc.AWAITING_REVIEW),
    p.DecisionQuery(recorded_by="officer.a", received_from=NOW - dt.timedelta(days=8)),
]


def _everything_read(uow: Callable[[], p.UnitOfWork]) -> dict[str, Any]:
    """What the board, the statistics and the export's selection show of the record."""
    seen: dict[str, Any] = {}
    for sort in p.LOG_SORT_KEYS:
        for descending in (True, False):
            query = p.DecisionQuery(sort=sort, descending=descending, limit=3)
            seen[f"log by {sort} {descending}"] = _pages(uow, query)
    for n, query in enumerate(FILTERS):
        seen[f"log {n}"] = board.log_page(uow(), OFFICER, query, NOW).rows
        seen[f"count {n}"] = board.log_count(uow(), OFFICER, query, NOW)
    seen["review queue"] = board.review_queue(uow(), SUPERVISOR, NOW)
    holds = board.holds_board(uow(), OFFICER, NOW)
    seen["holds"] = holds.items
    seen["ended late"] = holds.ended_late
    seen["overdue"] = board.overdue_holds(uow(), OFFICER, NOW + dt.timedelta(hours=49))
    seen["statistics"] = statistics.statistics_tables(
        uow(), SUPERVISOR, dt.date(2026, 1, 26), dt.date(2026, 2, 15), NOW
    )
    for search in (None, "doe", "B3"):
        selection = p.DecisionQuery(search=search)
        seen[f"find {search}"] = find_decisions(uow(), selection, OFFICER, NOW).items
        handle = io.StringIO()
        export.export_csv(uow(), COUNSEL, selection, "counsel", handle, NOW)
        seen[f"csv {search}"] = _csv_without_chain(handle.getvalue())
    return seen


@pytest.fixture
def on_fakes() -> dict[str, Any]:
    fake = FakeUnitOfWork()
    _record(lambda: fake)
    return _everything_read(lambda: fake)


def test_the_fakes_read_as_the_store_reads(runtime, on_fakes: dict[str, Any]) -> None:
    _record(runtime.uow)
    on_sqlite = _everything_read(runtime.uow)
    assert on_fakes.keys() == on_sqlite.keys()
    for key, seen in on_sqlite.items():
        assert on_fakes[key] == seen, key
    # The scenario shows something of every kind (else the comparison proves little).
    assert len(on_sqlite["log by received_at True"]) == len(NAMES)
    assert on_sqlite["holds"] and on_sqlite["ended late"] and on_sqlite["review queue"]
    assert on_sqlite["count 1"] == 2 and on_sqlite["count 4"] >= 1
    assert len(on_sqlite["csv None"]) == len(NAMES) + 1  # and the header


def test_the_board_statistics_and_export_run_on_the_fakes(on_fakes: dict[str, Any]) -> None:
    assert [r.subject_name for r in on_fakes["log 1"]] == ["DOE, Jane", "DOE, John"]
    assert [r.subject_name for r in on_fakes["log 3"]] == ["Núñez, Inés"]
    assert on_fakes["statistics"].report.timezone == "America/Los_Angeles"
    assert on_fakes["csv None"][0] == list(export.EXPORT_COLUMNS[:-2])
