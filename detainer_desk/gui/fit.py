"""Fitting windows, dialogs, pages and tables to the screen and to the fonts in use.

Staff use 1366x768 laptops and high-DPI screens scaled by 125, 150 or 200 per cent; a
window larger than the screen hides its own buttons, and a column sized in fixed pixels
clips its words as soon as the font or the scale changes. So:

* a window or dialog is sized from the screen's available area, never beyond it;
* a page whose controls need more room than the window has scrolls, instead of pushing
  the window past the edge of the screen;
* a column is as wide as its heading and a typical value, measured in the table's own
  font (``fit_columns``); a column that takes the spare room never shrinks below that
  (``fill_with_column``).

Qt only (no records, no services): the main window imports it before its first paint.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QWidget,
)

# Share of the available area a dialog may take: the window frame and a little of what is
# behind it stay visible.
DIALOG_SHARE = 0.94
# Room around a cell's text: the style's margins and a little air on both sides.
CELL_AIR = 18


def available_area(widget: QWidget | None = None) -> QRect:
    """The available geometry (without task bars) of the widget's screen, or the primary's."""
    screen = widget.screen() if widget is not None else None
    if screen is None:
        screen = QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (should not happen, even offscreen)
        return QRect(0, 0, 1366, 768)
    return screen.availableGeometry()


def size_within(preferred: QSize, area: QRect, share: float = DIALOG_SHARE) -> QSize:
    """``preferred``, made smaller where the area (times ``share``) is smaller."""
    return QSize(
        min(preferred.width(), int(area.width() * share)),
        min(preferred.height(), int(area.height() * share)),
    )


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize a dialog to ``width`` x ``height``, or less where its screen is smaller."""
    size = size_within(QSize(width, height), available_area(window.parentWidget() or window))
    window.resize(size)


def scrolling(page: QWidget, object_name: str | None = None) -> QScrollArea:
    """``page`` in a frameless scroll area: the page takes all the room it is given, and
    scrolls once the window is smaller than the page needs (a laptop at 150 or 200 %)."""
    area = QScrollArea()
    area.setObjectName(object_name or f"{page.objectName()}Scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    area.setAccessibleName(page.accessibleName())
    return area


class _CurrentPageSizes(QObject):
    """A stack of pages asks for the room of the page shown, not of its largest page: a
    stack's minimum is otherwise that of every page at once, so the small holds board would
    scroll because the intake form is wide. Hidden pages are given the "ignored" size
    policy (their own comes back when they show)."""

    def __init__(self, stack: QStackedWidget | QTabWidget) -> None:
        super().__init__(stack)
        self.stack = stack
        self.policies: dict[int, QSizePolicy] = {}
        stack.currentChanged.connect(self.update)
        # Pages added later are hidden pages too (a tab widget keeps them in its own stack).
        holder = stack.findChild(QStackedWidget) if isinstance(stack, QTabWidget) else stack
        if holder is not None:
            holder.installEventFilter(self)
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ChildAdded, QEvent.Type.ChildRemoved):
            QTimer.singleShot(0, self, self.update)
        return False

    def update(self, _index: int = -1) -> None:
        stack = self.stack
        current = stack.currentWidget()
        ignored = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        for index in range(stack.count()):
            page = stack.widget(index)
            if page is None:
                continue
            key = id(page)
            if page is current:
                if key in self.policies:
                    page.setSizePolicy(self.policies.pop(key))
            elif key not in self.policies:
                self.policies[key] = page.sizePolicy()
                page.setSizePolicy(ignored)
        stack.updateGeometry()


def size_to_current_page(stack: QStackedWidget | QTabWidget) -> None:
    """Let ``stack`` ask only for the room its current page needs (see _CurrentPageSizes)."""
    _CurrentPageSizes(stack)


def text_width(table: QAbstractItemView, text: str) -> int:
    """Pixels a cell needs to show ``text`` whole, in the table's font."""
    metrics = table.fontMetrics()
    widest = max((metrics.horizontalAdvance(line) for line in text.splitlines()), default=0)
    return widest + CELL_AIR


def header_width(table: QTableView, column: int) -> int:
    """Pixels the column's heading needs (with the sort arrow's room), in the header's font."""
    header = table.horizontalHeader()
    return header.sectionSizeFromContents(column).width()


def fitted_width(table: QTableView, column: int, sample: str = "") -> int:
    return max(header_width(table, column), text_width(table, sample) if sample else 0)


def fit_columns(table: QTableView, samples: Mapping[int, str]) -> None:
    """Each column as wide as its heading and its sample value (a typical long value);
    columns without a sample as wide as their heading. A user may still widen them."""
    model = table.model()
    if model is None:
        return
    for column in range(model.columnCount()):
        table.setColumnWidth(column, fitted_width(table, column, samples.get(column, "")))


class _ColumnFiller(QObject):
    """Keeps one column taking the table's spare width, but never below its minimum."""

    def __init__(self, table: QTableView, column: int, minimum: int) -> None:
        super().__init__(table)
        self.table = table
        self.column = column
        self.minimum = minimum
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._resized)
        self._adjusting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.adjust()
        return False

    def _resized(self, section: int, _old: int, _new: int) -> None:
        if section != self.column:
            self.adjust()

    def adjust(self) -> None:
        if self._adjusting:
            return
        table = self.table
        header = table.horizontalHeader()
        others = sum(
            header.sectionSize(c)
            for c in range(header.count())
            if c != self.column and not header.isSectionHidden(c)
        )
        spare = table.viewport().width() - others
        self._adjusting = True
        try:
            table.setColumnWidth(self.column, max(self.minimum, spare))
        finally:
            self._adjusting = False


def fill_with_column(table: QTableView, column: int, sample: str = "") -> None:
    """``column`` takes whatever width the other columns leave, and never less than its
    heading and ``sample`` need (a stretched column can otherwise shrink to a few pixels
    and show "fen" for "Offense"). Beyond that the table scrolls sideways."""
    table.horizontalHeader().setStretchLastSection(False)
    filler = _ColumnFiller(table, column, fitted_width(table, column, sample))
    filler.adjust()
