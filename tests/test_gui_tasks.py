"""The background task runner: progress, result, errors and cancelling reach the GUI thread."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QThread

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
