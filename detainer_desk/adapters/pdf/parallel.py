"""Many audit PDFs at once, for the litigation export: rendered by worker processes, one per
processor, a bounded number ahead, and handed back in the order asked for.

Rendering is pure (a record and a context in, bytes out; see ``__init__``), so a worker
gives exactly the bytes this process would (reportlab's invariant mode: a test compares).
A short run, or a machine where no worker process can be started, renders here.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING

from ..workers import start_pool, stop_pool, worker_count

if TYPE_CHECKING:
    from detainer_desk.services.evidence_model import DecisionRecord, ReportContext

log = logging.getLogger("detainer_desk.pdf")
PARALLEL_FROM = 12  # fewer PDFs than this: starting workers costs more than it saves
AHEAD = 4  # PDFs in flight per worker: enough to keep each busy, few records in memory

Job = tuple["DecisionRecord", "ReportContext"]


def render_one(record: DecisionRecord, context: ReportContext) -> bytes:
    from .audit import render_audit_pdf

    return render_audit_pdf(record, context)


def render_audit_pdfs(
    jobs: Iterable[Job], workers: int | None = None
) -> Generator[bytes, None, None]:
    """The audit PDF of each (record, context), in order. Close the iterator (or let it
    finish) to stop the workers; what was not yet handed back is dropped."""
    jobs = iter(jobs)
    first: list[Job] = []
    for job in jobs:
        first.append(job)
        if len(first) >= PARALLEL_FROM:
            break
    if workers is None:
        workers = worker_count(len(first), PARALLEL_FROM)
    if workers < 2:
        for record, context in [*first, *jobs]:
            yield render_one(record, context)
        return
    yield from _in_workers(first, jobs, workers)


def _in_workers(first: list[Job], jobs: Iterator[Job], workers: int) -> Iterator[bytes]:
    from concurrent.futures.process import BrokenProcessPool

    pending: deque[tuple[Job, Future[bytes] | None]] = deque()
    pool = start_pool(workers)
    broken = False
    finished = False

    def submit(job: Job) -> None:
        nonlocal broken
        future: Future[bytes] | None = None
        if not broken:
            try:
                future = pool.submit(render_one, *job)
            except (BrokenProcessPool, OSError, RuntimeError) as exc:
                log.warning("rendering PDFs without worker processes (%s)", exc)
                broken = True
        pending.append((job, future))

    try:
        for job in _chain(first, jobs):
            submit(job)
            if len(pending) >= workers * AHEAD:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())
        finished = True
    finally:
        stop_pool(pool, finished=finished)


def _chain(first: list[Job], rest: Iterator[Job]) -> Iterator[Job]:
    yield from first
    yield from rest


def _result(item: tuple[Job, Future[bytes] | None]) -> bytes:
    from concurrent.futures.process import BrokenProcessPool

    job, future = item
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker died: this one is rendered here
            log.warning("a PDF worker process ended (%s); rendering here", exc)
    return render_one(*job)
