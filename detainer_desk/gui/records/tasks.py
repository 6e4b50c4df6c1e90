"""Running a records query or write off the GUI thread: the one helper of ``gui/tasks.py``,
named here too for the screens that import it from their own package, and
``run_with_button_off`` for a file made in the background from a button."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QAbstractButton, QWidget

from ..tasks import TaskHandle, TaskRunner, report_failure, run_in_background, still_alive
from ..widgets import MessageLabel

T = TypeVar("T")


def run_with_button_off(
    button: QAbstractButton,
    note: str,
    tasks: TaskRunner,
    owner: QWidget,
    message: MessageLabel,
    work: Callable[[], T],
    on_done: Callable[[T], None],
) -> TaskHandle:
    """Make a file (a report, a PDF) in the background: ``button`` is off and ``note`` is
    shown while it is made, and the button is on again when it ends, made or not."""

    def done(result: T) -> None:
        button.setEnabled(True)
        on_done(result)

    button.setEnabled(False)
    message.show_note(note)
    return run_in_background(
        tasks, owner, message, work, done, on_failed=lambda _error: button.setEnabled(True)
    )


__all__ = ["report_failure", "run_in_background", "run_with_button_off", "still_alive"]
