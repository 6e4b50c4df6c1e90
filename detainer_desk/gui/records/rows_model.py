"""A small table model over a short list of decisions (the review queue, the holds board):
lists that are bounded by what is open, not by the size of the whole log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt

from .common import DECISION_ID, DISPLAY, TOOLTIP, AnyIndex

Column = tuple[str, Callable[[Any], str]]


class RowsModel(QAbstractTableModel):
    def __init__(
        self,
        columns: Sequence[Column],
        decision_id: Callable[[Any], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._decision_id = decision_id
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, decision_id: int) -> int | None:
        for number, item in enumerate(self._rows):
            if self._decision_id(item) == decision_id:
                return number
        return None

    def headers(self) -> list[str]:
        return [header for header, _value in self._columns]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def value_of(self, row: int) -> Any:
        """What the column functions read for a row (subclasses may derive it)."""
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        if role == DECISION_ID:
            return self._decision_id(self._rows[index.row()])
        item = self.value_of(index.row())
        if role in (DISPLAY, TOOLTIP):
            return self._columns[index.column()][1](item)
        return self.extra_data(item, index.column(), role)

    def extra_data(self, item: Any, column: int, role: int) -> object:
        """Subclasses add roles (colours) here."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if (
            role == DISPLAY
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section][0]
        return None
