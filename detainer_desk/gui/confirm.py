"""Asking once before an act that cannot be undone.

A record, a countersignature, an override, an amendment, a disabled account: each is
written for good (records are evidence: amended, never edited or deleted). Before it is
written the person sees, in plain words, exactly what will be written, and says yes once.
The question never blocks the program (``open``, not ``exec``): the screen can still lock
while it waits, and locking closes it unanswered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

CONFIRM_BUTTON = "confirmButton"
CANCEL_BUTTON = "cancelButton"


def lock_works_in(box: QWidget) -> None:
    """Ctrl+L locks the screen from inside ``box`` too, as from every dialog of the window
    (a modal question otherwise keeps the shortcut from the window)."""
    parent = box.parentWidget()
    if parent is None:
        return
    lock = parent.window().findChild(QAction, "lockAction")
    if lock is not None:
        box.addAction(lock)


def what_will_be_written(lines: Sequence[tuple[str, str]]) -> str:
    """``label: value`` lines, the labels lined up by a tab-free colon and space."""
    return "\n".join(f"{label}: {value}" for label, value in lines)


def ask_to_confirm(
    parent: QWidget,
    *,
    object_name: str,
    title: str,
    question: str,
    written: Sequence[tuple[str, str]],
    note: str,
    act: str,
    on_confirmed: Callable[[], None],
    cancel_is_default: bool = False,
) -> QMessageBox:
    """Open the question beside ``parent`` and return it; ``on_confirmed`` runs only when
    the person presses ``act`` (Escape, closing the box or Cancel do nothing)."""
    box = QMessageBox(parent)
    box.setObjectName(object_name)
    box.setWindowTitle(title)
    box.setAccessibleName(title)
    box.setIcon(QMessageBox.Icon.Warning if cancel_is_default else QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons are shown as typed
    box.setText(question)
    details = what_will_be_written(written)
    box.setInformativeText(f"{details}\n\n{note}" if details else note)
    confirm = box.addButton(act, QMessageBox.ButtonRole.AcceptRole)
    confirm.setObjectName(CONFIRM_BUTTON)
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName(CANCEL_BUTTON)
    box.setDefaultButton(cancel if cancel_is_default else confirm)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    lock_works_in(box)
    box.finished.connect(lambda _result: on_confirmed() if box.clickedButton() is confirm else None)
    box.open()
    return box
