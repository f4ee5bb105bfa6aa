"""Correcting village names and adding 村民小组, in the setup wizard and later from the main
window (户籍管理 → 村组管理). Groups are only added, never removed: households refer to them."""

from __future__ import annotations

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

from registry.errors import StoreError
from registry.store import Store
from registry.villages import add_groups, list_villages, rename_village


class VillageTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("villageTable")
        self.setHorizontalHeaderLabels(["区划代码", "村(社区)名称", "村民小组数"])
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 130)
        self.setColumnWidth(2, 110)

    def load(self, store: Store) -> None:
        with store.session() as s:
            villages = list_villages(s)
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

    def apply(self, store: Store) -> str | None:
        """Writes the names and groups in one transaction; returns an error message."""
        try:
            with store.transaction() as s:
                for row in range(self.rowCount()):
                    code, name = self.item(row, 0), self.item(row, 1)
                    spin = self.cellWidget(row, 2)
                    assert code is not None and name is not None and isinstance(spin, QSpinBox)
                    rename_village(s, store.user, code.text(), name.text())
                    if spin.value():
                        add_groups(s, store.user, code.text(), spin.value())
        except StoreError as e:
            return str(e)
        return None


class VillagesDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("村组管理")
        self.resize(620, 480)
        self._store = store
        hint = QLabel("村名与实际不符可直接修改;增加组数即建立新的组(已有的组不能减少)。", self)
        hint.setProperty("role", "hint")
        self.table = VillageTable(self)
        self.table.load(store)
        self.error = QLabel("", self)
        self.error.setProperty("role", "error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        message = self.table.apply(self._store)
        if message:
            self.error.setText(message)
            return
        self.accept()
