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

import itertools
import threading
import traceback
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThread, QThreadPool, Signal
from PySide6.QtWidgets import QWidget

from detainer_desk.services.access import RecordError

from .changes import Change, Changes
from .errors import show_bug
from .widgets import MessageLabel, plain_sentence

T = TypeVar("T")
TaskFunction = Callable[["TaskHandle"], Generator[Any, None, Any]]


class TaskHandle:
    """What a caller holds of a running task: cancel it, ask whether it ended.

    A plain object, not a Qt one: the worker never emits on it, so closing the window
    (which deletes the runner) cannot pull an object out from under a running worker."""

    def __init__(self, token: int) -> None:
        self.token = token
        self._cancel = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Relay(QObject):
    """The one object workers emit on. A child of the application, on the GUI thread, it
    lives as long as the application (deleted only after the application has waited for
    the global pool), so the signals are queued there; each carries the task's token, and
    ``_progress``, ``_finished`` and ``_failed`` hand it to the task's callbacks if the
    runner that started it lives."""

    progress = Signal(object, object)  # token, the step
    finished = Signal(object, object)  # token, the generator's return value
    failed = Signal(object, object, str)  # token, the exception, its formatted traceback


@dataclass
class _Entry:
    runner: TaskRunner
    handle: TaskHandle
    on_progress: Callable[[Any], None] | None
    on_finished: Callable[[Any], None] | None
    on_failed: Callable[[BaseException, str], None] | None
    changes: frozenset[Change]
    broadcaster: Changes  # the window's: a write is announced even if its runner is gone


_entries: dict[int, _Entry] = {}  # touched on the GUI thread only
_tokens = itertools.count(1)
_made: list[_Relay] = []  # the relay, once made


def _the_relay() -> _Relay:
    """The relay, made on first use (again if the application was shut down and made
    anew). Tasks are started from the GUI thread only: the entries are kept there."""
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        raise RuntimeError("A task is started from the GUI thread, once the application exists.")
    if not _made or not shiboken6.isValid(_made[0]):
        relay = _Relay(app)
        relay.progress.connect(_progress)
        relay.finished.connect(_finished)
        relay.failed.connect(_failed)
        _made[:] = [relay]
    return _made[0]


def _live(entry: _Entry | None) -> _Entry | None:
    """The entry, if the runner that started the task still exists (its window open)."""
    if entry is None or not shiboken6.isValid(entry.runner):
        return None
    return entry


def _call(callback: Callable[..., None] | None, *arguments: Any) -> None:
    """``callback(*arguments)``, unless it is a method of a Qt object deleted meanwhile (a
    dialog closed while its work ran), as a signal connected to that method would do."""
    if callback is None:
        return
    receiver = getattr(callback, "__self__", None)
    if isinstance(receiver, QObject) and not shiboken6.isValid(receiver):
        return
    callback(*arguments)


def _progress(token: int, step: Any) -> None:
    entry = _live(_entries.get(token))
    if entry is not None:
        _call(entry.on_progress, step)


def _finished(token: int, value: Any) -> None:
    entry = _entries.pop(token, None)
    if entry is None:
        return
    try:
        if _live(entry) is not None:
            _call(entry.on_finished, value)
    finally:
        # The write happened whether or not the dialog that asked for it is still open.
        if entry.changes and shiboken6.isValid(entry.broadcaster):
            entry.broadcaster.announce(entry.changes)


def _failed(token: int, error: BaseException, trace: str) -> None:
    entry = _live(_entries.pop(token, None))
    if entry is not None:
        _call(entry.on_failed, error, trace)


class _Runnable(QRunnable):
    def __init__(self, work: TaskFunction, handle: TaskHandle, relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._handle = handle
        self._relay = relay

    def run(self) -> None:
        handle, relay = self._handle, self._relay
        try:
            generator = self._work(handle)
            while True:
                try:
                    step = next(generator)
                except StopIteration as stop:
                    handle.done = True
                    relay.finished.emit(handle.token, stop.value)
                    return
                relay.progress.emit(handle.token, step)
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the GUI thread
            handle.done = True
            relay.failed.emit(handle.token, exc, traceback.format_exc())


class TaskRunner(QObject):
    """Starts tasks on a thread pool and brings their progress, result or error back to
    the GUI thread, to the callbacks given to ``start``, as long as the runner lives.

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
        """Start ``work``; the callbacks are registered before it starts, so none is missed.
        When it succeeds, ``changes`` are announced after ``on_finished`` has run.
        If the runner is gone by the time the work ends (its window closed), nothing is
        delivered, but a write's ``changes`` are still announced to the window's screens if
        the window lives: the work's own units of work have committed or rolled back by then."""
        relay = _the_relay()
        handle = TaskHandle(next(_tokens))
        _entries[handle.token] = _Entry(
            self, handle, on_progress, on_finished, on_failed, frozenset(changes), self.changes
        )
        self._pool.start(_Runnable(work, handle, relay))
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
