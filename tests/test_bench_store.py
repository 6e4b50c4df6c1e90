"""Record-store benchmarks (outside the default run): ``uv run pytest -m bench -s``.

For the 1,000,000-decision figures, fill a store once and point the benchmark at it:

    uv run detainer-desk --data-dir /tmp/bench1m demo --decisions 1000000 --quiet
    DETAINER_DESK_BENCH_HOME=/tmp/bench1m uv run pytest -m bench -s tests/test_bench_store.py

Goals (issue 3): log search under 50 ms on 1,000,000 decisions and within 3x of the same
search on 1,000 (the baseline, measured in the same run); verify of 1,000,000 entries under
10 s (100,000 entries/s). Recording a decision with a 1 MB attachment has no goal of its own:
beside it, the same decision without one. Figures are printed beside their goals, not
asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

import pytest

from detainer_desk.adapters.db.ledger import verify_store
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


SEARCH_GOAL_MS, WITHIN, VERIFY_GOAL_PER_S = 50.0, 3.0, 100_000


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
    figures["(first page of 100, no search)"] = first_page
    return figures


def _small_store(tmp_path: Path):
    runtime = open_runtime(resolve_paths(tmp_path))
    create_demo_accounts(runtime.uow(), "not-a-real-hash", dt.datetime.now(dt.UTC))
    for _ in fill_demo(runtime.uow, 1000):
        pass
    return runtime


def _verify_rate(engine, label: str, every: int | None = None) -> None:
    start = time.perf_counter()
    last = list(verify_store(engine) if every is None else verify_store(engine, every=every))[-1]
    elapsed = time.perf_counter() - start
    rate = last.checked / elapsed
    if last.checked < 100_000:
        verdict = "judged on a big store only, starting the workers dominates here"
    else:
        verdict = "met" if rate >= VERIFY_GOAL_PER_S else "NOT met"
    print(
        f"[{label}] verify {last.checked:,} entries: {elapsed:.2f} s = {rate:,.0f}/s "
        f"(goal: 1,000,000 in under 10 s, i.e. {VERIFY_GOAL_PER_S:,}/s: {verdict}); "
        f"fault={last.fault}"
    )


def test_record_one_decision_with_a_1mb_attachment(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(tmp_path))
    actor = Actor("officer.a", "BENCH")
    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(runtime.uow(), now)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "BENCH"), now)
    scan = AttachmentIn("scan.pdf", "application/pdf", b"%PDF-1.4\n" + os.urandom(1024 * 1024))
    times: dict[str, list[float]] = {"with": [], "without": []}
    for n in range(40):  # interleaved, so that both see the same machine
        for kind, attachments in (("with", [scan]), ("without", [])):
            document = request_json(**{"subject.booking_number": f"B{n}-{kind}"})
            start = time.perf_counter()
            record_decision(runtime.uow(), document, "r.json", attachments, actor, now)
            times[kind].append((time.perf_counter() - start) * 1000)
    runtime.close()
    ours, plain = statistics.median(times["with"]), statistics.median(times["without"])
    print(
        f"\nrecord with a 1 MB attachment: median {ours:.1f} ms, max {max(times['with']):.1f} ms "
        f"(no goal set: issue 3 asks for the figure); baseline, the same decision without an "
        f"attachment: {plain:.1f} ms ({ours / plain:.2f}x)"
    )


def test_search_on_1000_decisions(tmp_path: Path) -> None:
    """The small store alone: the baseline the big store's searches are held against."""
    runtime = _small_store(tmp_path)
    print()
    for text, ms in _search_figures(runtime, "1,000").items():
        goal = (
            "no goal of its own" if text.startswith("(") else f"goal: under {SEARCH_GOAL_MS:.0f} ms"
        )
        print(f"[1,000] search {text!r}: {ms:.2f} ms ({goal})")
    _verify_rate(runtime.engine, "1,000")
    runtime.close()


@pytest.mark.skipif(not BIG, reason="set DETAINER_DESK_BENCH_HOME to a store filled by demo")
def test_search_and_verify_on_the_big_store(tmp_path: Path) -> None:
    small = _small_store(tmp_path)
    baseline = _search_figures(small, "1,000")
    small.close()
    runtime = open_runtime(resolve_paths(BIG))
    with runtime.uow() as uow:
        total = len(uow.records.find_decisions(DecisionQuery(limit=1)))
    assert total
    print()
    for text, ms in _search_figures(runtime, "big").items():
        ratio = ms / baseline[text]
        met = ms < SEARCH_GOAL_MS and ratio <= WITHIN
        print(
            f"[big] search {text!r}: {ms:.2f} ms (goal: under {SEARCH_GOAL_MS:.0f} ms and within "
            f"{WITHIN:.0f}x of 1,000: {'met' if met else 'NOT met'}); baseline on 1,000 "
            f"decisions: {baseline[text]:.2f} ms ({ratio:.1f}x)"
        )
    _verify_rate(runtime.engine, "big", every=100_000)
    runtime.close()
