"""The third page of the request form: the person's charges and convictions, one row each
(contract section 2.2), edited in place. A cell with a problem says so in its text (⚠) and
its tooltip, and the problems are listed in words under the table."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import vocabulary as v

from ..fit import fill_with_column, fit_columns
from ..widgets import compact_rows
from .dates import DateEntry
from .draft import HistoryDraft
from .entry import normalise_date
from .ui import Note, push_button

AnyIndex = QModelIndex | QPersistentModelIndex

# (contract key, heading, HistoryDraft attribute)
COLUMNS = (
    ("offense", "Offense", "offense"),
    ("statute", "Statute", "statute"),
    ("class", "Class", "offense_class"),
    ("status", "Status", "status"),
    ("date", "Date", "date"),
    ("released_on", "Released on", "released_on"),
    ("probable_cause_found", "PC found", "probable_cause_found"),
)
CHOICES = {
    "class": (("", "Choose…"), *((c, c) for c in v.OFFENSE_CLASSES)),
    "status": (("", "Choose…"), *((s, s) for s in v.HISTORY_STATUSES)),
}
CHECK_COLUMN = 6
DATE_COLUMNS = ("date", "released_on")
PROBLEM_MARK = "⚠ "


class HistoryModel(QAbstractTableModel):
    edited = Signal()  # the officer changed a cell (not: problems shown, rows reset)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryDraft] = []
        self._problems: dict[tuple[int, str], str] = {}
        self.read_only = False

    def entries(self) -> list[HistoryDraft]:
        return [dataclasses.replace(row) for row in self._rows]

    def set_entries(self, entries: list[HistoryDraft]) -> None:
        self.beginResetModel()
        self._rows = [dataclasses.replace(e) for e in entries]
        self._problems = {}
        self.endResetModel()

    def add_entry(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(HistoryDraft())
        self.endInsertRows()
        return row

    def remove_entry(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def set_problems(self, problems: dict[tuple[int, str], str]) -> None:
        if problems == self._problems:
            return
        self._problems = problems
        if self._rows:
            last = self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
            self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, len(self._rows) - 1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only:
            return base
        if index.column() == CHECK_COLUMN:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        key, heading, attribute = COLUMNS[index.column()]
        value = getattr(entry, attribute)
        problem = self._problems.get((index.row(), key))
        if index.column() == CHECK_COLUMN:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return "yes" if value else "no"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{PROBLEM_MARK}{value}" if problem else value
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{heading}: {value or 'empty'}" + (f". Problem: {problem}" if problem else "")
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.read_only:
            return False
        entry = self._rows[index.row()]
        _key, _heading, attribute = COLUMNS[index.column()]
        if index.column() == CHECK_COLUMN:
            if role != Qt.ItemDataRole.CheckStateRole:
                return False
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            setattr(entry, attribute, checked)
        elif role == Qt.ItemDataRole.EditRole:
            text = str(value or "")
            if _key in DATE_COLUMNS:  # 06/01/2019 as on a rap sheet: 2019-06-01
                text = normalise_date(text)
            setattr(entry, attribute, text)
        else:
            return False
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        has_problem = any(row == section for row, _ in self._problems)
        return f"{section + 1} ⚠" if has_problem else str(section + 1)


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down of the contract's values for the class and status columns."""

    def __init__(self, choices: tuple[tuple[str, str], ...], name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._choices = choices
        self._name = name

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName(self._name)
        for value, words in self._choices:
            combo.addItem(words, value)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class DateDelegate(QStyledItemDelegate):
    """A date cell is typed like every date field of the form (ISO or MM/DD/YYYY), with
    the same calendar (the button at the cell's right end, or Alt+Down)."""

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self._name = name

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        edit = QLineEdit(parent)
        edit.setObjectName(f"history{self._name.replace(' ', '')}Editor")
        edit.setAccessibleName(self._name)
        edit.setFrame(False)
        DateEntry(edit)
        return edit


class HistoryPanel(QWidget):
    edited = Signal(str)  # "history"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPage")
        self.setAccessibleName("Charges and convictions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        intro = QLabel(
            "One row for each charge or conviction in the person's record. Dates as YYYY-MM-DD "
            "or MM/DD/YYYY; "
            "for a conviction the date is the conviction date, and 'Released on' the release "
            "from custody for it. 'PC found': a magistrate found probable cause on a pending "
            "charge. Type in a cell or press F2 to edit it; Space ticks a box."
        )
        intro.setObjectName("historyIntro")
        intro.setAccessibleName("How to fill in the history")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.model = HistoryModel(self)
        self.model.edited.connect(self._changed)
        self.table = QTableView()
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Charges and convictions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        self.table.setWordWrap(False)
        compact_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # Widths from the fonts in use; the offense takes the room left, never less than
        # its words need (stretched, it shrank to a few pixels beside the decision panel).
        fit_columns(
            self.table,
            {1: "PC 245(a)(1)", 2: "misdemeanor", 3: "convicted", 4: "2026-12-31", 5: "2026-12-31"},
        )
        fill_with_column(self.table, 0, "Assault with a deadly weapon")
        self.table.setItemDelegateForColumn(
            2, ChoiceDelegate(CHOICES["class"], "Class", self.table)
        )
        self.table.setItemDelegateForColumn(
            3, ChoiceDelegate(CHOICES["status"], "Status", self.table)
        )
        for column, (_key, heading, _attribute) in enumerate(COLUMNS):
            if _key in DATE_COLUMNS:
                self.table.setItemDelegateForColumn(column, DateDelegate(heading, self.table))
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.add_button = push_button(
            "Add c&harge or conviction", "historyAdd", "Add a charge or conviction"
        )
        self.add_button.clicked.connect(self.add_entry)
        self.remove_button = push_button("Remove row", "historyRemove", "Remove the selected row")
        self.remove_button.clicked.connect(self.remove_entry)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.problems = Note(QLabel(), "Problems in the history")
        self.problems.label.setObjectName("historyProblems")
        layout.addWidget(self.problems.label)
        self.table.selectionModel().currentChanged.connect(self._update_buttons)
        self._update_buttons()

    def entries(self) -> list[HistoryDraft]:
        return self.model.entries()

    def set_entries(self, entries: list[HistoryDraft]) -> None:
        self.model.set_entries(entries)
        self._update_buttons()

    def add_entry(self) -> None:
        row = self.model.add_entry()
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        self.table.edit(index)
        self._update_buttons()
        self.edited.emit("history")

    def remove_entry(self) -> None:
        current = self.table.currentIndex()
        if not current.isValid():
            return
        self.model.remove_entry(current.row())
        self._update_buttons()
        self.edited.emit("history")

    def select_cell(self, row: int, key: str) -> None:
        column = next((n for n, (k, _h, _a) in enumerate(COLUMNS) if k == key), 0)
        index = self.model.index(row, column)
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.setFocus()

    def show_problems(self, cells: dict[tuple[int, str], str], lines: list[str]) -> None:
        self.model.set_problems(cells)
        if lines:
            self.problems.show_problem("\n⚠ ".join(lines))
        else:
            self.problems.clear()

    def set_read_only(self, read_only: bool) -> None:
        self.model.read_only = read_only
        self.model.layoutChanged.emit()
        self._update_buttons()

    def _changed(self) -> None:
        self.edited.emit("history")

    def _update_buttons(self) -> None:
        read_only = self.model.read_only
        self.add_button.setEnabled(not read_only)
        self.remove_button.setEnabled(not read_only and self.table.currentIndex().isValid())
