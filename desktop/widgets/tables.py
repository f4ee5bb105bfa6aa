"""The read-only tables the dialogs list things in: rows selected whole, no editing, one
line a row, counts aligned right."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)


def count_item(n: int | str) -> QTableWidgetItem:
    item = QTableWidgetItem(str(n))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def plain_table(parent: QWidget, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    return _plain(table)


def plain_view(parent: QWidget, model: QAbstractItemModel) -> QTableView:
    """A plain table over a model: for lists of many thousand rows (an item per cell made
    the province's 194,000 duplicate flags take 7 s to show)."""
    view = QTableView(parent)
    view.setModel(model)
    return _plain(view)


T = TypeVar("T", bound=QTableView)


def _plain(table: T) -> T:
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


RowT = TypeVar("RowT")
_ROOT = QModelIndex()


class ListModel(QAbstractTableModel, Generic[RowT]):
    """Rows shown as they are, a column per header: subclasses say what a cell shows
    (`cell`), and may answer other roles in `data`. (No attribute named `flags`: Qt calls
    a model's flags().)"""

    headers: Sequence[str] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    def set_rows(self, rows: list[RowT]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, i: int) -> RowT:
        return self._rows[i]

    def rows(self) -> list[RowT]:
        return list(self._rows)

    def cell(self, row: RowT, column: int) -> str:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole,
                                        Qt.ItemDataRole.ToolTipRole):
            return self.cell(self._rows[index.row()], index.column())
        return None
