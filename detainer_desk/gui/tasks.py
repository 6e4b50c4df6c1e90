"""The one way to run work off the GUI thread (after Anki's QueryOp/CollectionOp).

Every database read or write started by a widget goes through ``run_in_background``: the
work runs on the pool with its own unit of work, the result comes back to the widget on
the GUI thread, and a write names what it changed (``changes=``), which the runner's
``Changes`` broadcaster announces to every screen once the write has succeeded.

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
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from detainer_desk.services.access import RecordError

from .changes import Change, Changes
from .errors import show_bug
from .widgets import MessageLabel, plain_sentence

T = TypeVar("T")
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
    """Starts tasks on a thread pool; keeps their handles alive until they end.

    ``changes`` is the window's broadcaster (one per window: the window's runner makes it;
    a runner of a screen's own pool is given the window's)."""

    def __init__(
        self,
        parent: QObject | None = None,
        pool: QThreadPool | None = None,
        changes: Changes | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[TaskHandle] = set()
        self.changes = changes if changes is not None else Changes(self)

    def start(
        self,
        work: TaskFunction,
        *,
        on_progress: Callable[[Any], None] | None = None,
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException, str], None] | None = None,
        changes: Iterable[Change] = (),
    ) -> TaskHandle:
        """Start ``work``; the callbacks are connected before it starts, so none is missed.
        When it succeeds, ``changes`` are announced after ``on_finished`` has run."""
        handle = TaskHandle(self)
        if on_progress is not None:
            handle.progress.connect(on_progress)
        if on_finished is not None:
            handle.finished.connect(on_finished)
        changed = frozenset(changes)
        if changed:
            handle.finished.connect(lambda _result: self.changes.announce(changed))
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


def still_alive(widget: QWidget) -> bool:
    return shiboken6.isValid(widget)


def window_tasks(widget: QObject | None) -> TaskRunner | None:
    """The runner of the window ``widget`` is in (its own, or its nearest parent's)."""
    while widget is not None:
        tasks = getattr(widget, "tasks", None)
        if isinstance(tasks, TaskRunner):
            return tasks
        widget = widget.parent()
    return None


def tasks_for(owner: QWidget, given: TaskRunner | None = None) -> TaskRunner:
    """The runner a screen or dialog uses: the one it was given, else one of its own that
    announces through its window's broadcaster (so every screen hears of its writes; its
    tasks' handles end with it)."""
    if given is not None:
        return given
    window = window_tasks(owner.parent())
    return TaskRunner(owner, changes=window.changes if window is not None else None)


def report_failure(
    parent: QWidget, message: MessageLabel, error: BaseException, _trace: str
) -> None:
    """A refusal in plain words beside the work; anything else is a bug and says so."""
    if isinstance(error, RecordError):
        message.show_error(plain_sentence(str(error)))
    else:
        show_bug(parent, type(error), error, error.__traceback__)


def run_in_background(
    tasks: TaskRunner,
    owner: QWidget,
    message: MessageLabel,
    work: Callable[[], T],
    on_done: Callable[[T], None],
    *,
    on_failed: Callable[[BaseException], None] | None = None,
    changes: Iterable[Change] = (),
) -> TaskHandle:
    """Run ``work()`` (a read, or a write that changed ``changes``) on the pool; then
    ``on_done(result)`` on the GUI thread if ``owner`` lives, and the changes announced to
    every screen (whether or not ``owner`` lives: the records changed all the same).

    ``work`` gets only plain values captured on the GUI thread (a unit-of-work factory,
    the actor, the time) and opens its own unit of work; it never touches a widget."""

    def task(_handle: TaskHandle) -> Generator[Any, None, T]:
        yield "working"
        return work()

    def finished(result: T) -> None:
        if still_alive(owner):
            on_done(result)

    def failed(error: BaseException, trace: str) -> None:
        if not still_alive(owner):
            return
        if on_failed is not None:
            on_failed(error)
        report_failure(owner, message, error, trace)

    return tasks.start(task, on_finished=finished, on_failed=failed, changes=changes)
