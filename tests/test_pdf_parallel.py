"""Audit PDFs rendered by worker processes for the export are byte for byte the PDFs this
process renders, handed back in the order asked for; stopping early stops the workers."""

from __future__ import annotations

import multiprocessing
from typing import Any

from detainer_desk.adapters.pdf import parallel
from detainer_desk.adapters.pdf.audit import render_audit_pdf

from .test_pdf_documents import CONTEXT, make_record, request_document


def _jobs(count: int):
    records = []
    for n in range(count):
        scans: list[Any] | None = (
            [] if n % 3 else None
        )  # some with scans (thumbnails), most without
        records.append(
            make_record(request=request_document(name=f"PERSON {n}, Number"), scans=scans)
        )
    return [(record, CONTEXT) for record in records]


def test_workers_render_the_same_bytes_in_order() -> None:
    jobs = _jobs(parallel.PARALLEL_FROM + 5)
    here = [render_audit_pdf(record, context) for record, context in jobs]
    assert len(set(here)) == len(here)  # each PDF differs (names), so order is checked
    assert [pdf.data for pdf in parallel.render_audit_pdfs(iter(jobs), workers=2)] == here


def test_a_short_run_is_rendered_here() -> None:
    jobs = _jobs(3)
    before = len(multiprocessing.active_children())
    pdfs = list(parallel.render_audit_pdfs(jobs, workers=2))
    assert len(pdfs) == 3 and len(multiprocessing.active_children()) == before


def test_stopping_early_stops_the_workers() -> None:
    jobs = _jobs(parallel.PARALLEL_FROM + 8)
    rendering = parallel.render_audit_pdfs(iter(jobs), workers=2)
    first = next(rendering)
    assert first.data == render_audit_pdf(*jobs[0])
    rendering.close()  # what the export does when counsel cancels
    assert multiprocessing.active_children() == []
