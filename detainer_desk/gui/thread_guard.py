"""A check that no unit of work is opened on the GUI thread.

Every database read or write started by a widget runs as a background operation
(``tasks.run_in_background``); a slow or locked database then slows that operation, never
the window. The guard wraps the window's unit-of-work factory: while it is on (the tests
turn it on around what a person does on the screens), opening a unit of work on the GUI
thread raises ``DatabaseOnGuiThread`` and is remembered in ``violations``.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QThread

T = TypeVar("T")
WATCH_VARIABLE = "DETAINER_DESK_WATCH_GUI_THREAD"
log = logging.getLogger(__name__)


class DatabaseOnGuiThread(RuntimeError):
    """A bug: the database was opened on the GUI thread."""


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() == app.thread()


class GuiThreadGuard:
    def __init__(self, enabled: bool = False, *, watch: bool = False) -> None:
        self.enabled = enabled  # refuse (tests)
        self.watch = watch  # only log (a developer finding what is left)
        self.violations: list[str] = []  # where each one happened (a stack)

    @classmethod
    def from_environment(cls) -> GuiThreadGuard:
        return cls(watch=os.environ.get(WATCH_VARIABLE) == "1")

    def check(self) -> None:
        if not (self.enabled or self.watch) or not on_gui_thread():
            return
        where = "".join(traceback.format_stack(limit=12)[:-1])
        if not self.enabled:
            log.warning("A unit of work was opened on the GUI thread:\n%s", where)
            return
        self.violations.append(where)
        raise DatabaseOnGuiThread(
            "A unit of work was opened on the GUI thread; run it as a background "
            "operation (tasks.run_in_background).\n" + where
        )

    def guarded(self, factory: Callable[[], T]) -> Callable[[], T]:
        if getattr(factory, "guard", None) is self:
            return factory  # already wrapped (dataclasses.replace keeps it once)

        def opened() -> T:
            self.check()
            return factory()

        opened.guard = self  # type: ignore[attr-defined]
        return opened

    @contextmanager
    def forbidding(self) -> Iterator[GuiThreadGuard]:
        """On for the block: opening a unit of work on the GUI thread raises."""
        was = self.enabled
        self.enabled = True
        try:
            yield self
        finally:
            self.enabled = was
