"""Correcting village names and adding 村民小组, in the setup wizard and later from the main
window (户籍管理 → 村组管理). Groups are only added, never removed: households refer to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.operations.store_op import StoreOp
from desktop.workspace import Workspace
from registry import failures
from registry.progress import Progress
from registry.villages import Village, VillageEdit, load_villages, save_villages

T = TypeVar("T")


class VillageTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("villageTable")
        self.setHorizontalHeaderLabels(["区划代码", "村(社区)名称", "村民小组数"])
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 130)
        self.setColumnWidth(2, 110)

    def show_villages(self, villages: list[Village]) -> None:
        self.setRowCount(len(villages))
        for row, v in enumerate(villages):
            code = QTableWidgetItem(v.code)
            code.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 0, code)
            self.setItem(row, 1, QTableWidgetItem(v.name))
            spin = QSpinBox(self)
            spin.setRange(max((n for n, _ in v.groups), default=0), 99)
            spin.setValue(len(v.groups))
            spin.setSuffix(" 个组")
            spin.setFrame(False)
            spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)  # type digits, or ↑ ↓
            spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setCellWidget(row, 2, spin)
            self.setRowHeight(row, 28)

    def set_village(self, row: int, name: str | None = None, groups: int | None = None
                    ) -> None:
        if name is not None:
            item = self.item(row, 1)
            assert item is not None
            item.setText(name)
        if groups is not None:
            spin = self.cellWidget(row, 2)
            assert isinstance(spin, QSpinBox)
            spin.setValue(groups)

    def edits(self) -> list[VillageEdit]:
        """Every row as typed (the store saves them all, or none)."""
        out = []
        for row in range(self.rowCount()):
            code, name = self.item(row, 0), self.item(row, 1)
            spin = self.cellWidget(row, 2)
            assert code is not None and name is not None and isinstance(spin, QSpinBox)
            out.append(VillageEdit(code.text(), name.text(), spin.value()))
        return out


class VillagesDialog(QDialog):
    """户籍管理 → 村组管理: reads and saves in the DB worker."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("村组管理")
        self.resize(620, 480)
        self._workspace = workspace
        hint = QLabel("村名与实际不符可直接修改;增加组数即建立新的组(已有的组不能减少)。", self)
        hint.setProperty("role", "hint")
        self.table = VillageTable(self)
        self.error = QLabel("", self)
        self.error.setProperty("role", "error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the villages are read
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        store = workspace.store
        self.loaded = self._op("读取村组", lambda _p: load_villages(store)).success(
            self._show).run()

    def _op(self, doing: str, work: Callable[[Progress], T]) -> StoreOp[T]:
        return StoreOp(self._workspace.worker, doing, work, parent=self)

    def _show(self, villages: list[Village]) -> None:
        self.table.show_villages(villages)
        self.save_button.setEnabled(True)

    def save(self) -> None:
        store, edits = self._workspace.store, self.table.edits()
        self.save_button.setEnabled(False)
        self._op("保存村组", lambda _p: save_villages(store, edits)).success(
            lambda _r: self.accept()).failure(self._failed).run()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(failures.user_message(error))
