"""Many audit PDFs at once, for the litigation export: each taken from the cache of PDFs
already made when it is there (``cache.py``), else rendered by worker processes, one per
processor, a bounded number ahead; all handed back in the order asked for.

Rendering is pure (a record and a context in, bytes out; see ``__init__``), so a worker
gives exactly the bytes this process would (reportlab's invariant mode: a test compares).
A short run, or a machine where no worker process can be started, renders here.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Generator, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..workers import start_pool, stop_pool, worker_count

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from detainer_desk.services.evidence_model import DecisionRecord, PdfDocument, ReportContext

    from .cache import AuditPdfCache

log = logging.getLogger("detainer_desk.pdf")
PARALLEL_FROM = 12  # fewer PDFs to render than this: starting workers costs more than it saves
AHEAD = 4  # PDFs in flight per worker: enough to keep each busy, few records in memory

Job = tuple["DecisionRecord", "ReportContext"]


def render_one(record: DecisionRecord, context: ReportContext) -> PdfDocument:
    from .audit import render_audit_document

    return render_audit_document(record, context)


def render_audit_pdfs(
    jobs: Iterable[Job], workers: int | None = None, cache: AuditPdfCache | None = None
) -> Generator[PdfDocument, None, None]:
    """The audit PDF of each (record, context), in order: from ``cache`` when it has it
    (and each one made is put there), else rendered. Close the iterator (or let it finish)
    to stop the workers; what was not yet handed back is dropped."""
    line = _Line(workers, cache)
    finished = False
    try:
        for job in jobs:
            line.add(job)
            while line.head_ready():
                yield line.take()
        line.no_more_jobs()
        while line.waiting:
            yield line.take()
        finished = True
    finally:
        line.stop(finished=finished)


@dataclass(slots=True)
class _Item:
    job: Job
    key: str | None
    document: PdfDocument | None  # from the cache, or rendered here
    future: Future[PdfDocument] | None = None  # rendering in a worker


class _Line:
    """The PDFs asked for, in order, a bounded number ahead of the one handed back.

    Until PARALLEL_FROM PDFs must be rendered (not found in the cache) they wait, at most
    PARALLEL_FROM ahead (the first is rendered here if its turn comes first); then workers
    are started for them and all that follow (or, with one worker, each is rendered here
    when its turn comes)."""

    def __init__(self, workers: int | None, cache: AuditPdfCache | None) -> None:
        self.workers = workers
        self.cache = cache
        self.waiting: deque[_Item] = deque()
        self.pool: ProcessPoolExecutor | None = None
        self.here = False  # decided: everything is rendered in this process
        self.to_render = 0

    @property
    def limit(self) -> int:
        if self.pool is not None:
            return max(2, self._workers * AHEAD)
        return 1 if self.here else PARALLEL_FROM

    @property
    def _workers(self) -> int:
        return self.workers if self.workers is not None else 1

    def add(self, job: Job) -> None:
        key = document = None
        if self.cache is not None:
            key = self.cache.key(*job)
            document = self.cache.get(key)
        item = _Item(job, key, document)
        self.waiting.append(item)
        if document is None:
            self.to_render += 1
            if self.pool is not None:
                self._submit(item)
            elif not self.here and self.to_render >= PARALLEL_FROM:
                self._decide()

    def no_more_jobs(self) -> None:
        if self.pool is None and not self.here:
            self._decide()

    def _decide(self) -> None:
        """Workers, or here: for what waits, and all that follows."""
        count = (
            self.workers
            if self.workers is not None
            else worker_count(self.to_render, PARALLEL_FROM)
        )
        self.workers = count
        if count < 2:
            self.here = True
            return
        try:
            self.pool = start_pool(count)
        except (OSError, RuntimeError) as exc:
            log.warning("rendering PDFs without worker processes (%s)", exc)
            self.here = True
            return
        for item in self.waiting:
            if item.document is None and item.future is None:
                self._submit(item)

    def _submit(self, item: _Item) -> None:
        from concurrent.futures.process import BrokenProcessPool

        assert self.pool is not None
        try:
            item.future = self.pool.submit(render_one, *item.job)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            log.warning("rendering PDFs without worker processes (%s)", exc)
            self.here = True
            self._drop_pool()

    def _drop_pool(self) -> None:
        if self.pool is not None:
            stop_pool(self.pool, finished=False)
            self.pool = None

    def head_ready(self) -> bool:
        if not self.waiting:
            return False
        head = self.waiting[0]
        if head.document is not None or (head.future is not None and head.future.done()):
            return True
        return len(self.waiting) >= self.limit

    def take(self) -> PdfDocument:
        item = self.waiting.popleft()
        if item.document is not None:
            return item.document
        # Not yet sent to a worker (too few to render so far, or here): rendered here.
        document = self._result(item)
        if self.cache is not None and item.key is not None:
            document = self.cache.put(item.key, document)
        return document

    def _result(self, item: _Item) -> PdfDocument:
        from concurrent.futures.process import BrokenProcessPool

        if item.future is not None:
            try:
                return item.future.result()
            except BrokenProcessPool as exc:  # a worker died: this one is rendered here
                log.warning("a PDF worker process ended (%s); rendering here", exc)
        return render_one(*item.job)

    def stop(self, *, finished: bool) -> None:
        if self.pool is not None:
            stop_pool(self.pool, finished=finished)
            self.pool = None
