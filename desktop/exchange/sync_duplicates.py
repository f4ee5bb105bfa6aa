"""疑似重复: the open duplicate flags (the same ID number in two households, or the same name
and birth date under two ID numbers). The county rules 同一人 or 不同人; a city or the
province lists the flags between its counties for them to check (the ruling is the
county's: sync.duplicates.rule)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget

from desktop.exchange.sync_dialog import SyncDialog
from desktop.widgets.labels import hint
from desktop.widgets.tables import ListModel, plain_view
from desktop.workspace import Workspace
from sync import duplicates
from sync.duplicates import FlagRow

DUP_HEADERS = ["类型", "姓名(甲)", "身份证号(甲)", "乡镇 村(甲)", "姓名(乙)", "身份证号(乙)",
               "乡镇 村(乙)", "出生日期"]
OFFICE_HEADERS = [h.replace("乡镇 村", "县 乡镇 村") for h in DUP_HEADERS]
COUNTY_HINT = ("同一身份证号登记在两户,或姓名和出生日期相同而身份证号不同。"
               "核实后选中一行裁定;裁定随回传数据包发回两个乡镇。")
# A city's search pairs its counties, the province's its cities (and the counties it
# enrolled itself); a pair inside one of them is that office's (sync/duplicates.py).
OFFICE_HINT = ("{between}同一身份证号登记在两户,或姓名和出生日期相同而身份证号不同。"
               "请通知两户所在的县扶贫办核实,由乡镇更正后逐级报送。")
BETWEEN = {"city": "本市(州)各县之间", "province": "各市(州)(及直接向省报送的县)之间"}


class FlagModel(ListModel[FlagRow]):
    """The open flags, a row each (a province holds some 200,000)."""

    headers = DUP_HEADERS

    def cell(self, f: FlagRow, column: int) -> str:
        return (f.kind, f.name_a, f.id_a, f.place_a, f.name_b, f.id_b, f.place_b,
                f.birth_date.isoformat() if f.birth_date else "")[column]


class DuplicatesDialog(SyncDialog):
    """疑似重复: open flags; the county rules 同一人 / 不同人 on the selected one, a city or
    the province lists them."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(workspace, "疑似重复登记", parent)
        self.setObjectName("duplicatesDialog")
        office = workspace.store.info.kind in ("city", "province")
        self.model = FlagModel(self)
        if office:  # its places name the county
            self.model.headers = OFFICE_HEADERS
        self.table = plain_view(self, self.model)
        self.table.setObjectName("duplicateTable")
        place = 240 if office else 170
        for column, width in enumerate((140, 64, 160, place, 64, 160, place, 90)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("裁定说明(可不填)")
        self.same_button = QPushButton("同一人", self)
        self.same_button.clicked.connect(lambda: self.rule("same"))
        self.different_button = QPushButton("不同人", self)
        self.different_button.clicked.connect(lambda: self.rule("different"))
        self.summary = QLabel("", self)
        self.table.selectionModel().selectionChanged.connect(self._selection)
        # The county rules; a city or the province only lists (its counties rule).
        self.rules = workspace.store.info.kind == "county"
        actions: list[Any] = [self.summary, (self.note, 1), self.same_button,
                              self.different_button]
        if not self.rules:
            actions = [(self.summary, 1)]
            for widget in (self.note, self.same_button, self.different_button):
                widget.hide()
        said = COUNTY_HINT if self.rules else OFFICE_HINT.format(
            between=BETWEEN.get(workspace.store.info.kind, "各下级单位之间"))
        self.arrange("疑似重复登记", [hint(said, self), (self.table, 1)], actions=actions,
                     size=(1240 if office else 1100, 480))
        self.load()

    @property
    def flags(self) -> list[FlagRow]:
        return self.model.rows()

    def load(self) -> None:
        store = self.workspace.store
        self.run("读取疑似重复", lambda _p: duplicates.open_flag_rows(store), self._show,
                 cancellable=False)

    def set_busy(self, busy: bool) -> None:
        chosen = not busy and bool(self.table.selectionModel().selectedRows())
        self.same_button.setEnabled(chosen)
        self.different_button.setEnabled(chosen)

    def _selection(self) -> None:
        self.set_busy(self.busy())

    def _show(self, flags: list[FlagRow]) -> None:
        self.model.set_rows(flags)
        self.summary.setText(f"待裁定 {len(flags)} 条" if self.rules else f"共 {len(flags)} 条")

    def rule(self, ruling: str) -> None:
        if not self.rules:
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.show_error("请先在表中选中一条。")
            return
        flag = self.model.row(rows[0].row())
        word = duplicates.RULINGS[ruling]
        asked = QMessageBox.question(
            self, "裁定", f"确认裁定 {flag.name_a}({flag.place_a})与 {flag.name_b}"
            f"({flag.place_b})为“{word}”?\n裁定将随回传数据包发回两个乡镇。")
        if asked != QMessageBox.StandardButton.Yes:
            return
        flag_id = flag.id
        store, note = self.workspace.store, self.note.text().strip() or None
        self.run("裁定重复登记", lambda _p: duplicates.rule(store, flag_id, ruling, note),
                 lambda _f: self._ruled(), cancellable=False)

    def _ruled(self) -> None:
        self.note.clear()
        self.load()
