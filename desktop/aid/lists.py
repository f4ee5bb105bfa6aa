"""Filling the 帮扶 screens' small read-only tables from rows of form values: a cell shows a
code list's label, a date as 2016-03-01, money as 1,200.00; the row's id rides on its first
cell (IdRole) so a button acts on the selected row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from desktop.households.field_widgets import format_value
from desktop.widgets.tables import plain_table
from forms.fields import FieldType, Form

IdRole = Qt.ItemDataRole.UserRole + 1
_GREY = QColor("#7a7a7a")
_RED = QColor("#c62f2f")


def text_of(form: Form, name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    f = form[name]
    if f.codelist is not None and f.type in (FieldType.CODE, FieldType.COMPUTED):
        return f.codelist.label_of(str(value))
    return money(value) if isinstance(value, Decimal) else format_value(value)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def fill(table: QTableWidget, rows: Sequence[Sequence[str]], ids: Sequence[str],
         right: frozenset[int] = frozenset(), greyed: Sequence[bool] | None = None,
         red: Sequence[bool] | None = None) -> None:
    """Replaces the table's rows; keeps the selected id selected when it is still there."""
    selected = selected_id(table)
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if greyed is not None and greyed[r]:
                item.setForeground(_GREY)
            if red is not None and red[r]:
                item.setForeground(_RED)
            if c == 0:
                item.setData(IdRole, ids[r])
            table.setItem(r, c, item)
        if ids[r] == selected:
            table.selectRow(r)


def selected_id(table: QTableWidget) -> str | None:
    rows = table.selectionModel().selectedRows()
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return None if item is None else str(item.data(IdRole))


def widths(table: QTableWidget, sizes: Sequence[int]) -> None:
    for i, w in enumerate(sizes):
        table.setColumnWidth(i, w)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)


def plain_widths(parent: QWidget, headers: list[str], sizes: Sequence[int]) -> QTableWidget:
    table = plain_table(parent, headers)
    widths(table, sizes)
    return table
