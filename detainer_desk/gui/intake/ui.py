"""Loading the Qt Designer forms of ``forms/`` (at run time, from the source tree or the
frozen bundle), and the small pieces each field of those forms shares: its problem shown
under it in words, and a line saying how a typed time was read."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QFile, QIODevice, QObject, Qt
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QLabel, QWidget

from detainer_desk.paths import resource_dir

from ..widgets import error_colour, warning_colour
from ..widgets import push_button as push_button  # noqa: PLC0414 (the intake's parts import it here)

W = TypeVar("W", bound=QObject)


def load_form(file_name: str, parent: QWidget | None = None) -> QWidget:
    """Build the widget tree of ``forms/<file_name>``."""
    path = resource_dir("forms") / file_name
    device = QFile(str(path))
    if not device.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"{path} cannot be read: {device.errorString()}")
    try:
        loader = QUiLoader()
        widget = loader.load(device, parent)
    finally:
        device.close()
    if widget is None:
        raise RuntimeError(f"{path} is not a form Qt can load: {loader.errorString()}")
    return widget


def child(root: QObject, kind: type[W], name: str) -> W:
    """The child ``name`` of a loaded form; a missing or mistyped one is a bug in the form."""
    found = root.findChild(kind, name)
    if found is None:
        raise LookupError(f"the form has no {kind.__name__} named {name!r}")
    return found


class _Frozen(QObject):
    """Swallows what would change a check box or drop-down; lets focus move on (Tab), so
    the values can still be read one by one with the keyboard and a screen reader."""

    INPUT = frozenset(
        {
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.Wheel,
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
        }
    )
    NAVIGATION = frozenset({Qt.Key.Key_Tab, Qt.Key.Key_Backtab})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in self.INPUT:
            return False
        navigating = isinstance(event, QKeyEvent) and Qt.Key(event.key()) in self.NAVIGATION
        return not navigating


def freeze(widget: QWidget, frozen: bool) -> None:
    """Read-only for a check box or a drop-down: it reads as before (a greyed-out box is hard
    to read at 3 a.m.) but takes no input."""
    current = widget.findChild(_Frozen, "", Qt.FindChildOption.FindDirectChildrenOnly)
    if frozen and current is None:
        widget.installEventFilter(_Frozen(widget))
    elif not frozen and current is not None:
        widget.removeEventFilter(current)
        current.deleteLater()
        current.setParent(None)


class Note:
    """A label under a field: its problem (in the error colour, with a leading word so that
    colour is never the only sign) or a neutral remark. Hidden while empty."""

    def __init__(self, label: QLabel, accessible_name: str) -> None:
        self.label = label
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(accessible_name)
        label.hide()
        self._kind: bool | str | None = None

    def show_problem(self, text: str) -> None:
        self._style(problem=True)
        self._set(f"⚠ {text}")

    def show_remark(self, text: str) -> None:
        self._style(problem=False)
        self._set(text)

    def show_warning(self, text: str) -> None:
        """Something to check that does not stop anything (a large scan, an odd FBI number)."""
        self._style(problem=None)
        self._set(f"⚠ {text}")

    def _style(self, *, problem: bool | None) -> None:
        """``problem``: True a problem, False a remark, None a warning."""
        # Restyling costs a style pass: only when the kind of note changes.
        kind = "warning" if problem is None else problem
        if self._kind == kind:
            return
        self._kind = kind
        if problem:
            self.label.setStyleSheet(f"color: {error_colour(self.label.palette())};")
        elif problem is None:
            self.label.setStyleSheet(f"color: {warning_colour(self.label.palette())};")
        else:
            self.label.setStyleSheet("")
            self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def clear(self) -> None:
        self._set("")

    def text(self) -> str:
        return self.label.text()

    def _set(self, text: str) -> None:
        if self.label.text() != text:
            self.label.setText(text)
            self.label.setAccessibleDescription(text)
        self.label.setVisible(bool(text))
