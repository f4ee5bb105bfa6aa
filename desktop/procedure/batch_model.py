"""The village batch's table model: a village's households (a few hundred at most) with
their stage and a check box each; the checked ones are what a step is recorded for.
Tested with no view."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from registry.procedure.access import BatchRow

COL_CHECK, COL_GROUP, COL_HEAD, COL_ID, COL_SIZE, COL_STAGE = range(6)
HEADERS = ("", "组", "户主", "户主身份证号", "人口", "识别阶段")
IdRole = Qt.ItemDataRole.UserRole + 1

_ROOT = QModelIndex()


class BatchModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._all: list[BatchRow] = []
        self._rows: list[BatchRow] = []
        self._checked: set[str] = set()
        self.stage: str | None = None  # shown: every stage (None) or one

    # ---- content ----------------------------------------------------------------------
    def set_rows(self, rows: list[BatchRow]) -> None:
        self.beginResetModel()
        self._all = rows
        present = {r.household_id for r in rows}
        self._checked &= present
        self._filter()
        self.endResetModel()

    def set_stage(self, stage: str | None) -> None:
        self.beginResetModel()
        self.stage = stage
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        self._rows = [r for r in self._all if self.stage is None or r.stage == self.stage]
        shown = {r.household_id for r in self._rows}
        self._checked &= shown  # what is not shown is never acted on

    def row(self, i: int) -> BatchRow:
        return self._rows[i]

    def rows(self) -> list[BatchRow]:
        return list(self._rows)

    def stage_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self._all:
            counts[r.stage] = counts.get(r.stage, 0) + 1
        return counts

    # ---- checking -----------------------------------------------------------------------
    def checked(self) -> list[BatchRow]:
        return [r for r in self._rows if r.household_id in self._checked]

    def set_checked(self, household_ids: Iterable[str], on: bool = True) -> None:
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

    def check_stage(self, stage: str) -> None:
        """Checks exactly the shown households at `stage`."""
        self._checked.clear()
        self.set_checked([r.household_id for r in self._rows if r.stage == stage])

    # ---- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_CHECK:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == IdRole:
            return r.household_id
        if role == Qt.ItemDataRole.CheckStateRole and col == COL_CHECK:
            return (Qt.CheckState.Checked if r.household_id in self._checked
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.DisplayRole:
            return ("", "" if r.group_no is None else f"{r.group_no}组", r.head_name,
                    r.head_id_number, str(r.size), r.stage_name)[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_GROUP, COL_SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != COL_CHECK:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self.set_checked([self._rows[index.row()].household_id], checked)
        return True
