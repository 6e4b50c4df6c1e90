"""Statutory report benchmark (outside the default run):
``uv run pytest -m bench -s tests/test_bench_law_reports.py``.

    DETAINER_DESK_BENCH_EXPORT_HOME   a store filled by `demo --decisions 10000` (else a
                                      store of DETAINER_DESK_BENCH_REPORT_DECISIONS demo
                                      decisions, 2,000 by default, is made in tmp_path)

Goal: an annual report of 10,000 detainers (verify the chain, gather the facts, compute,
PDF and CSV) under 30 s on the 2-core machine, i.e. under 3 ms per decision. Baseline in the
same run: walking and verifying the chain alone. Figures printed, no assertion on time.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from detainer_desk.adapters.pdf.law_reports import Verification, render_law_report
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.demo import DEMO_PASSWORD, create_demo_accounts, fill_demo
from detainer_desk.services.documents import report_context
from detainer_desk.services.law_reports import make_law_report
from detainer_desk.services.ports import Actor

pytestmark = pytest.mark.bench
COUNSEL = Actor("counsel.demo", "BENCH")
GOAL_MS_PER_DECISION = 3.0


def _store(tmp_path: Path):
    home = os.environ.get("DETAINER_DESK_BENCH_EXPORT_HOME")
    if home:
        return open_runtime(resolve_paths(home))
    runtime = open_runtime(resolve_paths(tmp_path / "store"))
    count = int(os.environ.get("DETAINER_DESK_BENCH_REPORT_DECISIONS", "2000"))
    create_demo_accounts(
        runtime.uow(), runtime.security().hasher.hash(DEMO_PASSWORD), runtime.clock()
    )
    for _done in fill_demo(runtime.uow, count):
        pass
    return runtime


def test_an_annual_report_against_the_chain_walk_alone(tmp_path: Path) -> None:
    runtime = _store(tmp_path)
    try:
        now = runtime.clock()
        start = time.perf_counter()
        walked = sum(span.verified for span in runtime.ledger().walk())
        walk_s = time.perf_counter() - start

        start = time.perf_counter()
        today = now.date()
        report = make_law_report(
            runtime.uow,
            runtime.ledger(),
            "illinois-annual",
            today - dt.timedelta(days=365),
            today,
            COUNSEL,
            now,
        )
        pdf = render_law_report(
            report.result,
            Verification(report.entries, report.head_hash, report.verified_at),
            report_context(runtime.uow(), COUNSEL, now),
        )
        report_s = time.perf_counter() - start
    finally:
        runtime.close()
    detainers = sum(1 for row in report.result.rows if row[0].startswith("(a)(2) I-247"))
    per = report_s / max(detainers, 1) * 1000
    print(
        f"\nIllinois annual report of {detainers:,} detainers ({report.entries:,} chain "
        f"entries, PDF {len(pdf):,} bytes, CSV {len(report.csv):,} characters): "
        f"{report_s:.1f} s = {per:.2f} ms per detainer (goal: under {GOAL_MS_PER_DECISION} ms, "
        f"i.e. 10,000 in 30 s); baseline, the chain walk alone: {walked:,} entries in "
        f"{walk_s:.2f} s"
    )
    assert detainers > 0 and report.entries >= walked
