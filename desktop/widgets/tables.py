"""The read-only tables the dialogs list things in: rows selected whole, no editing, one
line a row, counts aligned right."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, Qt
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
