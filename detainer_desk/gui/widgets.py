"""Small widgets and layout helpers shared by the pages and dialogs.

Every control gets an object name (for tests and style sheets) and an accessible name
(for screen readers); a problem is shown in words next to the field it concerns, never
by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def push_button(
    text: str,
    name: str,
    accessible: str | None = None,
    tip: str | None = None,
    *,
    on_click: Callable[[], object] | None = None,
) -> QPushButton:
    """A named button that does not grab Enter (the page's own default does); its
    accessible name is its text without the mnemonic unless ``accessible`` says otherwise;
    ``on_click`` is connected to its ``clicked``."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible if accessible is not None else text.replace("&", ""))
    if tip:
        button.setToolTip(tip)
    button.setAutoDefault(False)
    if on_click is not None:
        button.clicked.connect(on_click)
    return button


def bold(font: QFont) -> QFont:
    font.setBold(True)
    return font


def bigger(font: QFont, points: float) -> QFont:
    font.setPointSizeF(font.pointSizeF() + points)
    return font


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def error_colour(palette: QPalette) -> str:
    # Dark red reads well on a light window; on a dark one it is too dim, so use a light red.
    return "#ff8a80" if _is_dark(palette) else "#a40e26"


def warning_colour(palette: QPalette) -> str:
    # Amber-brown: "check this", not "this is wrong"; dark enough to read on a light window.
    return "#ffb74d" if _is_dark(palette) else "#8a4b00"


def note_colour(palette: QPalette) -> str:
    return "#9ccc65" if _is_dark(palette) else "#1b5e20"


def plain_sentence(text: str) -> str:
    """A service message as a sentence: capital first letter, closing full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


class ElidedLabel(QLabel):
    """A label that keeps its full text but draws it elided when space is short.

    Database paths can be long; without this a status-bar label would force the
    window wider than a 1366-pixel screen. The full text stays in the tooltip and
    in ``text()`` (which is what assistive technology reads).
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setToolTip(text)
        self.setContentsMargins(6, 0, 6, 0)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:
        # Preferred width is the full text; below that the layout may shrink us to
        # a short stub, and paintEvent elides the middle.
        hint = super().minimumSizeHint()
        stub = QFontMetrics(self.font()).horizontalAdvance("Database: …") + 8
        return QSize(min(hint.width(), stub), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        rect = self.contentsRect()
        shown = metrics.elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect, int(self.alignment()), shown)
        painter.end()


class MessageLabel(QLabel):
    """A message in plain words (a problem or a confirmation); hidden while empty."""

    def __init__(self, object_name: str, accessible_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, error_colour(self.palette()))

    def show_note(self, text: str) -> None:
        self._show(text, note_colour(self.palette()))

    def _show(self, text: str, colour: str) -> None:
        self.setStyleSheet(f"color: {colour};")
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.setAccessibleDescription("")
        self.hide()


class Field:
    """A labelled line edit with an optional hint and a problem shown under it."""

    def __init__(
        self,
        label: str,
        object_name: str,
        *,
        secret: bool = False,
        hint: str | None = None,
        max_length: int | None = None,
    ) -> None:
        name = label.replace("&", "").rstrip(":")
        self.name = name
        self.edit = QLineEdit()
        self.edit.setObjectName(object_name)
        self.edit.setAccessibleName(name)
        self.edit.setMinimumWidth(260)
        if max_length is not None:
            self.edit.setMaxLength(max_length)
        if secret:
            self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.label = QLabel(label)
        self.label.setObjectName(f"{object_name}Label")
        self.label.setBuddy(self.edit)
        self.hint: QLabel | None = None
        self.error = MessageLabel(f"{object_name}Error", f"Problem with {name.lower()}")

        self.box = QWidget()
        self.box.setObjectName(f"{object_name}Box")
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(self.edit)
        if hint:
            self.hint = QLabel(hint)
            self.hint.setObjectName(f"{object_name}Hint")
            self.hint.setWordWrap(True)
            self.hint.setTextFormat(Qt.TextFormat.PlainText)
            self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.edit.setAccessibleDescription(hint)
            column.addWidget(self.hint)
        column.addWidget(self.error)

    def text(self) -> str:
        return self.edit.text()

    def set_error(self, problem: str | None) -> None:
        if problem:
            self.error.show_error(problem)
            self.edit.setAccessibleDescription(problem)
        else:
            self.error.clear_message()
            self.edit.setAccessibleDescription(self.hint.text() if self.hint else "")

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self.label, self.box)


def compact_rows(table: QTableView) -> None:
    """Rows as tall as a line of text and a little air, not the style's roomy default."""
    header = table.verticalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setDefaultSectionSize(QFontMetrics(table.font()).height() + 8)


def status_separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(14)
    form.setVerticalSpacing(10)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


def heading(text: str, object_name: str, points: float = 6) -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setAccessibleName(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setFont(bold(bigger(label.font(), points)))
    return label


def paragraph(text: str, object_name: str, accessible_name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setAccessibleName(accessible_name or text)
    label.setAccessibleDescription(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def rich_label(object_name: str, accessible_name: str, text: str = "") -> QLabel:
    """A wrapping label of rich text (bold names, line breaks) that the program fills in."""
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setAccessibleName(accessible_name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


def close_buttons(dialog: QDialog, box_name: str, close_name: str) -> QDialogButtonBox:
    """A dialog's button box with its Close button (buttons of the dialog's own may be
    added to it); Close, like Escape, rejects the dialog."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.setObjectName(box_name)
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    close.setObjectName(close_name)
    close.setAccessibleName("Close")
    buttons.rejected.connect(dialog.reject)
    return buttons


def buddy_label(text: str, field: QWidget) -> QLabel:
    """A field's label, whose mnemonic (``&What:``) moves the focus to the field."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def centred_page(
    owner: QWidget, object_name: str, accessible_name: str, max_width: int
) -> QVBoxLayout:
    """``owner`` filled edge to edge with a scrollable page with one centred column of
    readable width; returns the column.

    Stretches on either side rather than an alignment flag: an aligned widget is held to
    its size hint, which squeezes word-wrapped labels into a narrow strip.
    """
    scroll = QScrollArea()
    scroll.setObjectName(f"{object_name}Scroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)

    page = QWidget()
    page.setObjectName(object_name)
    page.setAccessibleName(accessible_name)
    outer = QHBoxLayout(page)
    outer.setContentsMargins(32, 28, 32, 28)
    outer.addStretch(1)
    column_widget = QWidget()
    column_widget.setObjectName(f"{object_name}Column")
    column_widget.setMaximumWidth(max_width)
    column_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    outer.addWidget(column_widget, 100)
    outer.addStretch(1)

    column = QVBoxLayout(column_widget)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(12)
    scroll.setWidget(page)
    filled = QHBoxLayout(owner)
    filled.setContentsMargins(0, 0, 0, 0)
    filled.addWidget(scroll)
    return column


def card(object_name: str) -> tuple[QFrame, QVBoxLayout]:
    """A framed panel in the base colour, set apart from the page in any palette."""
    frame = QFrame()
    frame.setObjectName(object_name)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setBackgroundRole(QPalette.ColorRole.Base)
    frame.setAutoFillBackground(True)
    box = QVBoxLayout(frame)
    box.setContentsMargins(22, 18, 22, 18)
    box.setSpacing(12)
    return frame, box
