"""The one way to run long work off the GUI thread (after Anki's QueryOp/CollectionOp).

A task is a function returning a generator: it yields progress (anything; the caller turns
it into a progress bar) and returns its result. ``TaskRunner.start`` runs it on the global
QThreadPool and brings progress, the result or the error back to the GUI thread by signal.
The work must open its own units of work (sessions) and never touch a widget.
A task can be cancelled: ``handle.cancel()`` makes ``handle.cancelled()`` true, which the
work checks between steps (e.g. the export's Export.run(cancelled)).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

TaskFunction = Callable[["TaskHandle"], Generator[Any, None, Any]]


class TaskHandle(QObject):
    """Signals arrive on the GUI thread (the handle lives there)."""

    progress = Signal(object)
    finished = Signal(object)  # the generator's return value
    failed = Signal(object, str)  # the exception and its formatted traceback

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Runnable(QRunnable):
    def __init__(self, work: TaskFunction, handle: TaskHandle) -> None:
        super().__init__()
        self._work = work
        self._handle = handle

    def run(self) -> None:
        handle = self._handle
        try:
            generator = self._work(handle)
            while True:
                try:
                    step = next(generator)
                except StopIteration as stop:
                    handle.done = True
                    handle.finished.emit(stop.value)
                    return
                handle.progress.emit(step)
        except Exception as exc:  # noqa: BLE001 - every error goes back to the GUI thread
            handle.done = True
            handle.failed.emit(exc, traceback.format_exc())


class TaskRunner(QObject):
    """Starts tasks on a thread pool; keeps their handles alive until they end."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[TaskHandle] = set()

    def start(
        self,
        work: TaskFunction,
        *,
        on_progress: Callable[[Any], None] | None = None,
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException, str], None] | None = None,
    ) -> TaskHandle:
        """Start ``work``; the callbacks are connected before it starts, so none is missed."""
        handle = TaskHandle(self)
        if on_progress is not None:
            handle.progress.connect(on_progress)
        if on_finished is not None:
            handle.finished.connect(on_finished)
        if on_failed is not None:
            handle.failed.connect(on_failed)
        self._running.add(handle)
        handle.finished.connect(lambda _result, h=handle: self._running.discard(h))
        handle.failed.connect(lambda _exc, _tb, h=handle: self._running.discard(h))
        self._pool.start(_Runnable(work, handle))
        return handle

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """For shutdown and tests: wait until every task has ended."""
        return self._pool.waitForDone(timeout_ms)
