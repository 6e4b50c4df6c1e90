"""Evidence benchmarks (outside the default run): ``uv run pytest -m bench -s tests/test_bench_export.py``.

    DETAINER_DESK_BENCH_EXPORT_HOME  a store filled by `demo --decisions 10000` (full export with PDFs)
    DETAINER_DESK_BENCH_HOME         a store filled by `demo --decisions 1000000` (CSV alone)

Goals (issue 7): export of 10,000 decisions with PDFs under 60 s; decisions.csv alone for
1,000,000 decisions within 2x of `sqlite3 -csv` dumping the same columns. Figures printed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from detainer_desk.adapters import pdf
from detainer_desk.adapters.db.repository import SqlRecordRepository
from detainer_desk.adapters.export import open_destination, page_count
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.export import ExportRequest, ExportResult, export_csv, export_records
from detainer_desk.services.ports import Actor, DecisionQuery

pytestmark = pytest.mark.bench
COUNSEL = Actor("counsel.demo", "BENCH")
NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


@pytest.mark.skipif(
    not os.environ.get("DETAINER_DESK_BENCH_EXPORT_HOME"), reason="needs a 10,000-decision store"
)
def test_export_ten_thousand_with_pdfs(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(os.environ["DETAINER_DESK_BENCH_EXPORT_HOME"]))
    try:
        start = time.perf_counter()
        result = None
        for step in export_records(
            runtime.uow,
            runtime.ledger(),
            runtime.signer(),
            COUNSEL,
            ExportRequest(DecisionQuery(), "benchmark", str(tmp_path / "bundle")),
            open_destination(str(tmp_path / "bundle")),
            NOW,
            pdf.render_audit_pdfs,
            pdf.render_checkpoint_pdf,
            page_count,
        ):
            if isinstance(step, ExportResult):
                result = step
        elapsed = time.perf_counter() - start
    finally:
        runtime.close()
    assert result is not None
    print(
        f"\nexport of {result.decisions:,} decisions with PDFs: {elapsed:.1f} s "
        f"({elapsed / result.decisions * 1000:.1f} ms per decision), {result.files:,} files"
    )


@pytest.mark.skipif(not os.environ.get("DETAINER_DESK_BENCH_HOME"), reason="needs a large store")
def test_csv_alone_against_sqlite3(tmp_path: Path) -> None:
    home = Path(os.environ["DETAINER_DESK_BENCH_HOME"])
    runtime = open_runtime(resolve_paths(home))
    try:
        with runtime.engine.connect() as conn:
            statement = SqlRecordRepository(conn)._export_statement(DecisionQuery())
            sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        sqlite3 = shutil.which("sqlite3")
        assert sqlite3, "the sqlite3 command-line program is needed"
        # Once first, unmeasured, so that both read from a warm page cache.
        subprocess.run(
            [sqlite3, "-csv", "-header", str(home / "detainer-desk.sqlite3"), sql],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        start = time.perf_counter()
        with (tmp_path / "ours.csv").open("x", encoding="utf-8", newline="") as handle:
            count = export_csv(runtime.uow(), COUNSEL, DecisionQuery(), "benchmark", handle, NOW)
        ours = time.perf_counter() - start
    finally:
        runtime.close()
    start = time.perf_counter()
    with (tmp_path / "sqlite3.csv").open("wb") as handle:
        subprocess.run(
            [sqlite3, "-csv", "-header", str(home / "detainer-desk.sqlite3"), sql],
            stdout=handle,
            check=True,
        )
    theirs = time.perf_counter() - start
    print(
        f"\ndecisions.csv for {count:,} decisions: {ours:.1f} s; sqlite3 -csv of the same columns: "
        f"{theirs:.1f} s; ratio {ours / theirs:.2f}x"
    )


def test_one_audit_pdf() -> None:
    """Goal (issue 7): one audit PDF under 100 ms. A record with three scans (thumbnails of
    each first page) and one without."""
    import statistics

    from detainer_desk.adapters.pdf.audit import render_audit_pdf

    from .test_pdf_documents import CONTEXT, make_record

    for label, record in (
        ("with three scans", make_record()),
        ("without scans", make_record(scans=[])),
    ):
        render_audit_pdf(record, CONTEXT)  # fonts registered, modules loaded
        times = []
        for _ in range(30):
            start = time.perf_counter()
            render_audit_pdf(record, CONTEXT)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"\none audit PDF {label}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
        )
