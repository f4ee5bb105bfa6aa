"""A table of households with a check box a row, the checked ones being what an act is
done for: the village batch (batch_model.py) and the county's review queue
(county_review.py). Subclasses say what each column shows (`cell`) and may add roles
(`extra`); rows are anything with a `household_id`. Column 0 is the check box."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.widgets.tables import ListModel

COL_CHECK = 0
IdRole = Qt.ItemDataRole.UserRole + 1


class HasHousehold(Protocol):
    @property
    def household_id(self) -> str: ...


RowT = TypeVar("RowT", bound=HasHousehold)


class CheckedRowsModel(ListModel[RowT]):
    right_aligned: frozenset[int] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self._checked: set[str] = set()

    def extra(self, r: RowT, col: int, role: int) -> object:
        """Any other role of a cell (colour…); None by default."""
        return None

    # ---- checking ---------------------------------------------------------------------
    def checked(self) -> list[RowT]:
        return [r for r in self._rows if r.household_id in self._checked]

    def set_checked(self, household_ids: Iterable[str], on: bool = True) -> None:
        """Checks (or unchecks) those of the shown rows: what is not shown is never acted
        on."""
        ids = set(household_ids) & {r.household_id for r in self._rows}
        if on:
            self._checked |= ids
        else:
            self._checked -= ids
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_CHECK),
                                  self.index(len(self._rows) - 1, COL_CHECK),
                                  [Qt.ItemDataRole.CheckStateRole])

    def check_all(self, on: bool = True) -> None:
        self.set_checked([r.household_id for r in self._rows], on)

    # ---- QAbstractTableModel ------------------------------------------------------------
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.column() == COL_CHECK else base

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r, col = self._rows[index.row()], index.column()
        if role == IdRole:
            return r.household_id
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_CHECK:
            return (Qt.CheckState.Checked if r.household_id in self._checked
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if col == COL_CHECK else self.cell(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.right_aligned:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self.extra(r, col, role)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != COL_CHECK:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self.set_checked([self._rows[index.row()].household_id], on)
        return True
