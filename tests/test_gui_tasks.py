"""The background task runner: progress, result, errors and cancelling reach the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QThread, QThreadPool

from detainer_desk.gui.tasks import TaskRunner


def test_progress_and_result_arrive_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner()
    gui_thread = QThread.currentThread()
    seen: list[object] = []
    results: list[Any] = []
    on_gui: list[bool] = []

    def work(handle):
        worker = threading.get_ident()
        yield from range(3)
        return ("done", worker)

    def progress(step: object) -> None:
        seen.append(step)
        on_gui.append(QThread.currentThread() is gui_thread)

    runner.start(work, on_progress=progress, on_finished=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results[0][0] == "done" and results[0][1] != threading.get_ident()
    assert seen == [0, 1, 2] and all(on_gui)


def test_errors_come_back_with_the_traceback(qtbot) -> None:
    runner = TaskRunner()
    failures: list[tuple[BaseException, str]] = []

    def work(handle):
        yield "starting"
        raise ValueError("the disk is full")

    runner.start(work, on_failed=lambda error, text: failures.append((error, text)))
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    error, text = failures[0]
    assert isinstance(error, ValueError) and "the disk is full" in text


def test_cancel_is_seen_by_the_work(qtbot) -> None:
    runner = TaskRunner()
    release = threading.Event()
    results: list[Any] = []

    def work(handle):
        release.wait(5)
        steps = 0
        while not handle.cancelled():
            steps += 1
            yield steps
        return "cancelled"

    handle = runner.start(work, on_finished=results.append)
    handle.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results == ["cancelled"]
    assert runner.wait(5000)


def test_a_window_closed_while_its_work_runs_gets_nothing_and_nothing_breaks(qtbot) -> None:
    """The work outlives its window (a test's teardown, or staff closing the window while a
    read is under way): the work ends normally, nothing is delivered to the dead window,
    and no error reaches the event loop (a full CI run once failed on exactly this)."""
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QWidget

    from detainer_desk.gui.changes import Change

    window = QWidget()
    runner = TaskRunner(window)
    heard: list[object] = []
    runner.changes.when({Change.DECISIONS}, heard.append)
    running, release, ended = threading.Event(), threading.Event(), threading.Event()
    delivered: list[object] = []

    def work(handle):
        running.set()
        release.wait(10)
        yield "a step after the window is gone"
        ended.set()
        return "a result nobody is there to take"

    def fails(handle):
        running.set()
        release.wait(10)
        yield "a step"
        raise ValueError("an error nobody is there to show")

    runner.start(
        work, on_progress=delivered.append, on_finished=delivered.append, changes={Change.DECISIONS}
    )
    assert running.wait(10)
    running.clear()
    runner.start(fails, on_failed=lambda error, trace: delivered.append(error))
    assert running.wait(10)
    window.deleteLater()
    qtbot.waitUntil(lambda: not _alive(runner), timeout=5000)
    release.set()
    assert ended.wait(10)
    assert QThreadPool.globalInstance().waitForDone(10_000)  # both have sent all they send
    # Another runner's work sent its result after both; when it arrives, everything the dead
    # runner's tasks sent before it has been delivered or dropped (one queue, in order).
    later = TaskRunner()
    after: list[object] = []
    later.start(_returning("still working"), on_finished=after.append)
    qtbot.waitUntil(lambda: bool(after), timeout=5000)
    assert after == ["still working"]
    assert delivered == [] and heard == []
    assert isinstance(later, QObject)


def _alive(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def _returning(value: object):
    def work(handle):
        yield "one step"
        return value

    return work


def test_a_dialog_closed_while_its_work_runs_is_not_called_back(qtbot) -> None:
    """The window's runner lives on, but the dialog whose method was to take the result was
    deleted meanwhile: its method is not called (as a signal connected to it would not be)."""
    from PySide6.QtWidgets import QDialog

    runner = TaskRunner()
    taken: list[object] = []

    class Dialog(QDialog):
        def take(self, result: object) -> None:
            taken.append((self.objectName(), result))

    dialog, kept = Dialog(), Dialog()
    kept.setObjectName("kept")
    release = threading.Event()

    def work(handle):
        release.wait(10)
        yield "a step"
        return "the result"

    first = runner.start(work, on_finished=dialog.take)
    second = runner.start(work, on_finished=kept.take)
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not _alive(dialog), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: bool(taken), timeout=5000)
    assert runner.wait(5000)
    qtbot.waitUntil(lambda: not _pending(first, second), timeout=5000)  # both delivered
    assert taken == [("kept", "the result")]


def _pending(*handles) -> bool:
    from detainer_desk.gui import tasks

    return any(handle.token in tasks._entries for handle in handles)


def test_a_write_is_announced_though_the_dialog_that_asked_for_it_closed(qtbot) -> None:
    """A dialog's own runner (announcing through its window's broadcaster) is deleted with
    the dialog while its write runs: the write committed all the same, so the window's
    screens hear of it; the dialog's own callback is not called."""
    from PySide6.QtWidgets import QDialog, QWidget

    from detainer_desk.gui.changes import Change

    window = QWidget()
    window_runner = TaskRunner(window)
    heard: list[object] = []
    window_runner.changes.when({Change.CONTACTS}, heard.append)
    dialog = QDialog(window)
    dialog_runner = TaskRunner(dialog, changes=window_runner.changes)
    taken: list[object] = []
    release = threading.Event()

    def write(handle):
        release.wait(10)
        yield "writing"
        return "written"

    handle = dialog_runner.start(write, on_finished=taken.append, changes={Change.CONTACTS})
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not _alive(dialog_runner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: bool(heard), timeout=5000)
    assert heard == [frozenset({Change.CONTACTS})] and taken == []
    assert not _pending(handle)
    window.deleteLater()


def test_an_error_of_any_kind_in_the_work_comes_back(qtbot) -> None:
    """Even an exit asked for inside the work (SystemExit) ends the task as failed: the
    caller is told and ``done`` is true, rather than waiting for ever."""
    runner = TaskRunner()
    failures: list[BaseException] = []

    def work(handle):
        yield "starting"
        raise SystemExit(3)

    handle = runner.start(work, on_failed=lambda error, trace: failures.append(error))
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert isinstance(failures[0], SystemExit) and handle.done


def test_a_task_is_started_from_the_gui_thread_only(qtbot) -> None:
    runner = TaskRunner()
    refused: list[BaseException] = []

    def start_elsewhere() -> None:
        try:
            runner.start(_returning("never"))
        except RuntimeError as error:
            refused.append(error)

    other = threading.Thread(target=start_elsewhere)
    other.start()
    other.join(10)
    assert len(refused) == 1 and "GUI thread" in str(refused[0])
