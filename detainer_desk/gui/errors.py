"""The second error family: a bug. It is logged with its traceback and shown in a dialog
that says so plainly (a refusal by a use case is not a bug: the screens show those)."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

log = logging.getLogger("detainer_desk.gui")

BUG_TEXT = (
    "Something went wrong inside Detainer Desk. This is a fault in the program, not "
    "something you did. Nothing half-done was saved. Please give the details below to "
    "whoever looks after Detainer Desk."
)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def show_bug(
    parent: QWidget | None,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
) -> QMessageBox:
    # Imported here: this module is loaded before the first window is painted, and the
    # first use of ``Qt`` (the flags namespace) costs some 15 ms.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    log.error("Unexpected error", exc_info=(exc_type, exc, tb))
    box = QMessageBox(parent)
    box.setObjectName("bugDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Detainer Desk: unexpected error")
    box.setAccessibleName("Unexpected error")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(BUG_TEXT)
    box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


@contextmanager
def bugs_shown_in(parent: QWidget | Callable[[], QWidget | None]) -> Iterator[None]:
    """While the event loop runs, an exception escaping a slot opens the bug dialog over
    ``parent`` (or over whatever window ``parent()`` says is in front at the time)."""
    previous: ExceptHook = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        show_bug(parent if isinstance(parent, QWidget) else parent(), exc_type, exc, tb)

    sys.excepthook = hook
    try:
        yield
    finally:
        sys.excepthook = previous
