"""Record-store benchmarks (outside the default run): ``uv run pytest -m bench -s``.

For the 1,000,000-decision figures, fill a store once and point the benchmark at it:

    uv run detainer-desk --data-dir /tmp/bench1m demo --decisions 1000000 --quiet
    DETAINER_DESK_BENCH_HOME=/tmp/bench1m uv run pytest -m bench -s tests/test_bench_store.py

Goals (issue 3): log search under 50 ms on 1,000,000 decisions and within 3x of the same
search on 1,000; verify of 1,000,000 entries under 10 s. Figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

import pytest

from detainer_desk.adapters.db.repository import verify_store
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.demo import create_demo_accounts, fill_demo
from detainer_desk.services.ports import Actor, AttachmentIn, DecisionQuery
from detainer_desk.services.records import activate_policy, find_decisions, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

pytestmark = pytest.mark.bench
SEARCHES = ("garcia", "nguyen min", "A100000123", "B26-0000500", "zzz-nobody")
BIG = os.environ.get("DETAINER_DESK_BENCH_HOME")
READER = Actor("officer.alvarez", "BENCH")  # a demo account
NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def _median_ms(action, repeat: int = 15) -> float:
    action()  # warm the caches, as a user's second search would be
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _search_figures(runtime, label: str) -> dict[str, float]:
    figures = {}
    for text in SEARCHES:
        figures[text] = _median_ms(
            lambda t=text: find_decisions(
                runtime.uow(), DecisionQuery(search=t, limit=100), READER, NOW
            )
        )
    first_page = _median_ms(
        lambda: find_decisions(runtime.uow(), DecisionQuery(limit=100), READER, NOW)
    )
    print(f"\n[{label}] first page of 100: {first_page:.2f} ms")
    for text, ms in figures.items():
        print(f"[{label}] search {text!r}: {ms:.2f} ms")
    return figures


def test_record_one_decision_with_a_1mb_attachment(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(tmp_path))
    actor = Actor("officer.a", "BENCH")
    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(runtime.uow(), now)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "BENCH"), now)
    scan = AttachmentIn("scan.pdf", "application/pdf", b"%PDF-1.4\n" + os.urandom(1024 * 1024))
    times = []
    for n in range(40):
        document = request_json(**{"subject.booking_number": f"B{n}"})
        start = time.perf_counter()
        record_decision(runtime.uow(), document, "r.json", [scan], actor, now)
        times.append((time.perf_counter() - start) * 1000)
    runtime.close()
    print(
        f"\nrecord with 1 MB attachment: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )


def test_search_on_1000_decisions(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(tmp_path))
    create_demo_accounts(runtime.uow(), "not-a-real-hash", dt.datetime.now(dt.UTC))
    for _ in fill_demo(runtime.uow, 1000):
        pass
    _search_figures(runtime, "1,000")
    start = time.perf_counter()
    last = list(verify_store(runtime.engine))[-1]
    print(f"[1,000] verify {last.checked} entries: {time.perf_counter() - start:.3f} s")
    runtime.close()


@pytest.mark.skipif(not BIG, reason="set DETAINER_DESK_BENCH_HOME to a store filled by demo")
def test_search_and_verify_on_the_big_store() -> None:
    runtime = open_runtime(resolve_paths(BIG))
    with runtime.uow() as uow:
        total = len(uow.records.find_decisions(DecisionQuery(limit=1)))
    assert total
    _search_figures(runtime, "big")
    start = time.perf_counter()
    last = list(verify_store(runtime.engine, every=100_000))[-1]
    elapsed = time.perf_counter() - start
    print(
        f"[big] verify {last.checked:,} entries: {elapsed:.1f} s ({last.checked / elapsed:,.0f}/s); fault={last.fault}"
    )
    runtime.close()
