"""Evidence benchmarks (outside the default run): ``uv run pytest -m bench -s tests/test_bench_export.py``.

    DETAINER_DESK_BENCH_EXPORT_HOME  a store filled by `demo --decisions 10000` (full export with PDFs)
    DETAINER_DESK_BENCH_HOME         a store filled by `demo --decisions 1000000` (CSV alone)

Goals: issue 19, an export of 10,000 decisions with PDFs limited by rendering (1.5x a bare
reportlab document, measured in the same run) and, when an earlier export made the PDFs,
under 20 s; issue 7, decisions.csv alone for 1,000,000 decisions within 2x of `sqlite3 -csv`
dumping the same columns. Figures printed, not asserted.
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
from detainer_desk.adapters.db.records import SqlRecordRepository
from detainer_desk.adapters.export.bundle import open_bundle
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.export import Exporter, ExportRequest, ExportResult, export_csv
from detainer_desk.services.ports import Actor, DecisionQuery

pytestmark = pytest.mark.bench
COUNSEL = Actor("counsel.demo", "BENCH")
NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def _export(runtime, destination: Path, render) -> tuple[ExportResult, float]:
    start = time.perf_counter()
    result = None
    exporter = Exporter(
        runtime.uow,
        runtime.ledger,
        runtime.signer,
        open_bundle,
        render,
        pdf.render_checkpoint_pdf,
        lambda: NOW,
    )
    for step in exporter.export(
        ExportRequest(DecisionQuery(), "benchmark", str(destination), COUNSEL)
    ):
        if isinstance(step, ExportResult):
            result = step
    elapsed = time.perf_counter() - start
    assert result is not None
    return result, elapsed


def bare_document(number: int) -> bytes:
    """The baseline: a bare reportlab document of three Letter pages, 120 strings a page in
    the audit PDF's three embedded fonts (DejaVu Sans, Sans Bold, Sans Mono), no layout."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from detainer_desk.adapters.pdf.fonts import MONO, SANS, SANS_BOLD, ensure_fonts

    ensure_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in range(3):
        for line in range(120):
            font = (SANS, SANS_BOLD, MONO)[line % 3]
            canvas.setFont(font, 8.5)
            canvas.drawString(
                54 + (line % 2) * 250,
                740 - (line // 2) * 11,
                f"Decision {number} page {page + 1} line {line}: Ñandú Œuvre {number * 7919:x}",
            )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _bare_ms(count: int, workers: int) -> float:
    """Milliseconds per bare document, ``count`` of them, in ``workers`` worker processes
    (as the export renders its PDFs) or here (1)."""
    from detainer_desk.adapters.workers import start_pool, stop_pool

    start = time.perf_counter()
    if workers < 2:
        for number in range(count):
            bare_document(number)
    else:
        pool = start_pool(workers)
        try:
            list(pool.map(bare_document, range(count), chunksize=8))
        finally:
            stop_pool(pool, finished=True)
    return (time.perf_counter() - start) / count * 1000


@pytest.mark.skipif(
    not os.environ.get("DETAINER_DESK_BENCH_EXPORT_HOME"), reason="needs a 10,000-decision store"
)
def test_export_ten_thousand_with_pdfs_first_and_again(tmp_path: Path) -> None:
    """Goals (issue 19): an export of 10,000 decisions whose audit PDFs an earlier export
    made in under 20 s (the PDFs are copied from the cache); the first export limited by
    rendering: ms per decision at most 1.5x a bare reportlab three-page document with the
    same fonts, rendered the same way (worker processes), measured in the same run between
    the exports. The cache is a fresh one of this test's own (the store's is not touched)."""
    import statistics

    from detainer_desk.adapters.pdf.cache import AuditPdfCache
    from detainer_desk.adapters.pdf.parallel import render_audit_pdfs
    from detainer_desk.adapters.workers import processors, worker_count

    workers = worker_count(10_000, 12)
    bare_here, bare_workers = [], []

    def baseline() -> None:
        bare_here.append(_bare_ms(200, 1))
        bare_workers.append(_bare_ms(1_000, workers))

    runtime = open_runtime(
        resolve_paths(os.environ["DETAINER_DESK_BENCH_EXPORT_HOME"]), keep_daily_backups=0
    )
    cache = AuditPdfCache(tmp_path / "cache", os.urandom(32), 1 << 40)
    try:
        baseline()
        first, first_s = _export(runtime, tmp_path / "first", cache.renderer(render_audit_pdfs))
        made = cache.made
        baseline()
        second, second_s = _export(runtime, tmp_path / "second", cache.renderer(render_audit_pdfs))
        baseline()
    finally:
        runtime.close()
    assert first.decisions == second.decisions and cache.reused == second.decisions
    n = first.decisions
    here_ms, workers_ms = statistics.median(bare_here), statistics.median(bare_workers)
    first_ms = first_s / n * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nload average {load:.2f} on {processors()} processors; {workers} worker processes"
        f"\nbare reportlab 3-page document (baseline, 3 runs between the exports): "
        f"{workers_ms:.1f} ms each in workers ({', '.join(f'{v:.1f}' for v in bare_workers)}), "
        f"{here_ms:.1f} ms one by one here ({', '.join(f'{v:.1f}' for v in bare_here)})"
        f"\nfirst export of {n:,} decisions, {made:,} audit PDFs rendered: {first_s:.1f} s = "
        f"{first_ms:.1f} ms per decision = {first_ms / workers_ms:.2f}x the bare document in "
        f"workers (goal 1.5x), {first_ms / here_ms:.2f}x one by one here"
        f"\nsecond export, {cache.reused:,} audit PDFs copied from the cache: {second_s:.1f} s "
        f"(goal 20 s), {second_s / n * 1000:.2f} ms per decision"
    )


@pytest.mark.skipif(not os.environ.get("DETAINER_DESK_BENCH_HOME"), reason="needs a large store")
def test_csv_alone_against_sqlite3(tmp_path: Path) -> None:
    home = Path(os.environ["DETAINER_DESK_BENCH_HOME"])
    runtime = open_runtime(resolve_paths(home))
    try:
        with runtime.engine.connect() as conn:
            statement = SqlRecordRepository(conn).table.statement(DecisionQuery())
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
        f"\ndecisions.csv for {count:,} decisions: {ours:.1f} s; baseline, sqlite3 -csv of the "
        f"same columns: {theirs:.1f} s; ratio {ours / theirs:.2f}x (goal: within 2x: "
        f"{'met' if ours <= 2 * theirs else 'NOT met'})"
    )


def test_one_audit_pdf() -> None:
    """Goal (issue 7): one audit PDF under 100 ms. A record with three scans (thumbnails of
    each first page) and one without; beside them, the bare reportlab document of three pages
    (``bare_document``) in the same run."""
    import statistics

    from detainer_desk.adapters.pdf.audit import render_audit_pdf

    from .test_pdf_documents import CONTEXT, make_record

    for label, record in (
        ("with three scans", make_record()),
        ("without scans", make_record(scans=[])),
    ):
        render_audit_pdf(record, CONTEXT)  # fonts registered, modules loaded
        bare_document(0)
        times, bare = [], []
        for n in range(30):  # interleaved, so that both see the same machine
            start = time.perf_counter()
            render_audit_pdf(record, CONTEXT)
            times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            bare_document(n)
            bare.append((time.perf_counter() - start) * 1000)
        ms, base = statistics.median(times), statistics.median(bare)
        print(
            f"\none audit PDF {label}: median {ms:.1f} ms, max {max(times):.1f} ms (goal: under "
            f"100 ms: {'met' if ms < 100 else 'NOT met'}); baseline, a bare reportlab document "
            f"of three pages: {base:.1f} ms ({ms / base:.2f}x)"
        )
