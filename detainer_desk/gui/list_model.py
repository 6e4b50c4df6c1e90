"""A table model over a list held in memory, one item a row, with named columns: what the
admin's lists (accounts, audit trail) share; each says only what an item shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

T = TypeVar("T")
AnyIndex = QModelIndex | QPersistentModelIndex


class ListModel(QAbstractTableModel, Generic[T]):
    def __init__(self, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._items: list[T] = []

    def cells(self, item: T) -> tuple[str, ...]:
        """What each column shows of ``item`` (as text and as its tooltip)."""
        raise NotImplementedError

    def tooltip(self, item: T, column: int) -> str | None:
        """A tooltip other than the cell's text (None: the text)."""
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            item = self._items[index.row()]
            if role == Qt.ItemDataRole.ToolTipRole:
                tip = self.tooltip(item, index.column())
                if tip is not None:
                    return tip
            return self.cells(item)[index.column()]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section]
        return None
