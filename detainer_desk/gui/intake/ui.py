"""Loading the Qt Designer forms of ``forms/`` (at run time, from the source tree or the
frozen bundle), and the small pieces each field of those forms shares: its problem shown
under it in words, and a line saying how a typed time was read."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject, Qt
from PySide6.QtGui import QPalette
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QLabel, QWidget

from detainer_desk.paths import resource_dir

from ..widgets import error_colour

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
    found = root.findChild(kind, name)  # type: ignore[arg-type]
    if found is None:
        raise LookupError(f"the form has no {kind.__name__} named {name!r}")
    return found


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

    def show_problem(self, text: str) -> None:
        self.label.setStyleSheet(f"color: {error_colour(self.label.palette())};")
        self._set(f"⚠ {text}")

    def show_remark(self, text: str) -> None:
        self.label.setStyleSheet("")
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._set(text)

    def clear(self) -> None:
        self._set("")

    def text(self) -> str:
        return self.label.text()

    def _set(self, text: str) -> None:
        if self.label.text() != text:
            self.label.setText(text)
            self.label.setAccessibleDescription(text)
        self.label.setVisible(bool(text))
