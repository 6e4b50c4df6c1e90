"""What verifying the whole store costs beside the chain alone (outside the default run):
``uv run pytest -m bench -s tests/test_bench_verify.py``.

For the large figures, fill a store once and point the benchmark at a copy of it (opening
it brings it to this program's schema):

    uv run detainer-desk --data-dir /tmp/bench1m demo --decisions 229000 --quiet   # ~1M entries
    DETAINER_DESK_BENCH_HOME=/tmp/bench1m uv run pytest -m bench -s tests/test_bench_verify.py

In one run, on the same store: the chain alone (what verify checked before: every entry
and attachment), then the whole store without the memo of derived rows (a first verify:
the chain, rows outside 1..head, SQLite's integrity check, accounts and settings, every
derived row derived again), then the whole store with it (every later verify). Goal
(issue 3): 1,000,000 entries verified in under 10 s. Figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from detainer_desk.adapters.db import chain
from detainer_desk.adapters.db.derived_scan import IndexMemo
from detainer_desk.adapters.db.ledger import SqlLedger
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.demo import create_demo_accounts, fill_demo

pytestmark = pytest.mark.bench
BIG = os.environ.get("DETAINER_DESK_BENCH_HOME")
GOAL = "goal: 1,000,000 entries in under 10 s"


def _timed(label: str, walk) -> float:
    start = time.perf_counter()
    spans = list(walk())
    elapsed = time.perf_counter() - start
    checked = sum(span.verified for span in spans)
    fault = spans[-1].fault if spans else None
    print(
        f"[{label}] {checked:,} entries: {elapsed:.1f} s ({checked / elapsed:,.0f}/s); "
        f"fault={fault.text if fault else None}"
    )
    assert fault is None
    return elapsed


def _figures(data_dir: Path, label: str) -> None:
    runtime = open_runtime(resolve_paths(data_dir), keep_daily_backups=0)
    try:
        memo = IndexMemo(data_dir / "bench-memo")
        shutil.rmtree(memo.folder, ignore_errors=True)
        ledger = SqlLedger(runtime.engine)
        path = ledger._sqlite_path()

        def chain_only():
            return chain.walk_chain(ledger._connect, sqlite_path=path, whole_store=False)

        with open(str(path), "rb") as handle:  # the file in the page cache for every run
            while handle.read(1 << 24):
                pass
        chain_alone = _timed(f"{label}: the chain alone (before)", chain_only)
        first = _timed(
            f"{label}: whole store, first verify (no memo)",
            lambda: SqlLedger(runtime.engine, memo=memo).walk(),
        )
        later = _timed(
            f"{label}: whole store, later verify (memo)",
            lambda: SqlLedger(runtime.engine, memo=memo).walk(),
        )
        chain_alone = min(chain_alone, _timed(f"{label}: the chain alone, again", chain_only))
        print(
            f"[{label}] whole store / chain alone: first {first / chain_alone:.2f}x, "
            f"later {later / chain_alone:.2f}x ({GOAL})"
        )
    finally:
        runtime.close()


def test_verify_costs_on_1000_decisions(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(tmp_path / "data"))
    create_demo_accounts(runtime.uow(), "not-a-real-hash", dt.datetime.now(dt.UTC))
    for _ in fill_demo(runtime.uow, 1000):
        pass
    runtime.close()
    _figures(tmp_path / "data", "1,000 decisions")


@pytest.mark.skipif(not BIG, reason="set DETAINER_DESK_BENCH_HOME to a store filled by demo")
def test_verify_costs_on_the_big_store() -> None:
    assert BIG is not None
    _figures(Path(BIG), "big")


def test_account_lookup_with_its_evidence(tmp_path: Path) -> None:
    """Sign-in and every authorization read the account and compare it with its latest
    entry in the chain; beside it, the plain read of the row they did before (goal: sign-in
    as fast as before, that is within a millisecond of it: argon2 takes tens)."""
    import statistics

    from sqlalchemy import select

    from detainer_desk.adapters.db.schema import users
    from detainer_desk.services.ports import Actor

    from .helpers import seed_accounts

    runtime = open_runtime(resolve_paths(tmp_path / "data"))
    seed_accounts(runtime.uow(), dt.datetime.now(dt.UTC))
    for n in range(50):  # some history: each change is an entry
        from detainer_desk.services.accounts import set_disabled

        set_disabled(
            runtime.uow(), Actor("admin", "W"), "officer.a", n % 2 == 0, dt.datetime.now(dt.UTC)
        )

    def median_ms(action) -> float:
        action()
        times = []
        for _ in range(300):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def checked() -> None:
        with runtime.uow() as uow:
            assert uow.accounts.user("officer.a") is not None

    def plain() -> None:
        with runtime.engine.connect() as conn:
            conn.execute(select(users).where(users.c.name == "officer.a")).mappings().first()

    with_evidence, before = median_ms(checked), median_ms(plain)
    print(
        f"\naccount lookup with its evidence: {with_evidence:.2f} ms; the plain row read: "
        f"{before:.2f} ms (+{with_evidence - before:.2f} ms; goal: under 1 ms more)"
    )
    runtime.close()
