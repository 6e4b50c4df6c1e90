"""No act from a mouse wheel.

Scrolling a page with the wheel must never change what is on it. Qt's drop-downs, spin
boxes and date edits take the wheel whenever the pointer is over them, so an officer who
scrolled the intake page over "Form" switched I-247A to I-247N and then I-247G without a
word. One filter on the whole application, not a patch on each widget: such a control takes
the wheel only while it has the keyboard focus (the person chose it, by clicking or with
Tab), and the wheel never gives it the focus. Otherwise the wheel scrolls whatever the
control sits in, as if the control were not there.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

# Controls whose value the wheel changes: drop-downs, spin boxes, date and time edits.
GUARDED = (QComboBox, QAbstractSpinBox)
_WHEEL, _POLISH = QEvent.Type.Wheel, QEvent.Type.Polish


def _enclosing_scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        if parent.isWindow():
            return None
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Installed on the application (``install_wheel_guard``); sees every event, so each
    check is as cheap as it can be: the event's type first."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind is not _WHEEL and kind is not _POLISH:
            return False  # nearly every event: one call and two identity checks
        if kind is _WHEEL:
            if not isinstance(watched, GUARDED) or watched.hasFocus():
                return False
            area = _enclosing_scroll_area(watched)
            if area is not None:
                # The page scrolls as it would have without the control under the pointer.
                QCoreApplication.sendEvent(area.viewport(), event)
            event.accept()
            return True
        if isinstance(watched, GUARDED):  # polished: about to be shown the first time
            # The wheel must not give the focus either (Qt's default for these controls):
            # the next turn of the wheel would then change the value after all.
            _no_wheel_focus(watched)
        return False


def _no_wheel_focus(widget: QWidget) -> None:
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def install_wheel_guard(owner: QObject) -> WheelGuard | None:
    """Guard every control of the application for as long as ``owner`` lives."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    guard = WheelGuard(owner)
    guard.setObjectName("wheelGuard")
    app.installEventFilter(guard)
    for widget in QApplication.allWidgets():  # those polished before the guard came
        if isinstance(widget, GUARDED):
            _no_wheel_focus(widget)
    return guard
