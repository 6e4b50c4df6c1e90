"""Running a records query or document off the GUI thread, through the one TaskRunner.

The work gets plain values (a unit-of-work factory, the actor, the time) captured on the
GUI thread, and opens its own unit of work; the result comes back to a widget that may
have been closed meanwhile, so every callback checks first.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

import shiboken6
from PySide6.QtWidgets import QWidget

from detainer_desk.services.access import RecordError

from ..errors import show_bug
from ..tasks import TaskHandle, TaskRunner
from ..widgets import MessageLabel, plain_sentence

T = TypeVar("T")


def still_alive(widget: QWidget) -> bool:
    return shiboken6.isValid(widget)


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
) -> TaskHandle:
    """Run ``work()`` on the pool; ``on_done(result)`` on the GUI thread if ``owner`` lives."""

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

    return tasks.start(task, on_finished=finished, on_failed=failed)
