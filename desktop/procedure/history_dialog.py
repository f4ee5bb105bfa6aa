"""档案: a household's timeline — the steps of its identification, the notices it was on,
objections, the county's decisions and the changes made to it (who, when, what) — oldest
first, as registry.procedure.history gives it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
)

from desktop.main_window import MainWindow
from desktop.widgets.labels import hint, set_title
from desktop.widgets.tables import plain_table
from registry import household_access
from registry.procedure import access
from registry.procedure.history import KINDS, Item
from registry.procedure.steps import stage_name
from registry.progress import Progress
from registry.roles import role_name

HEADERS = ["日期", "类别", "事项", "详情", "经办人", "角色", "之后阶段"]
_KIND_COLOURS = {"step": "#1f4f8f", "objection": "#b06000", "decision": "#6a3d9a",
                 "change": "#4b5563"}


class HistoryDialog(QDialog):
    loaded = Signal(int)

    def __init__(self, main: MainWindow, household_id: str) -> None:
        super().__init__(main)
        self.main = main
        self.household_id = household_id
        self.items: list[Item] = []
        self.setObjectName("historyDialog")
        self.setWindowTitle("档案")
        self.resize(1040, 520)
        self.title = set_title(QLabel("档案", self))
        self.table = plain_table(self, HEADERS)
        self.table.setObjectName("historyTable")
        self.table.setWordWrap(True)
        for col, width in enumerate((92, 64, 190, 380, 80, 64)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.empty = hint("", self)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(hint("识别程序的每一步、公示、异议、县级决定和对本户的修改,"
                              "按时间先后列出。", self), 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(bottom)

    def load(self) -> None:
        store, hid = self.main.workspace.store, self.household_id

        def work(_p: Progress) -> tuple[str, str, list[Item]]:
            detail = household_access.household_detail(store, hid)
            return (detail.facts.get("head_name") or "", detail.village_name,
                    access.household_history(store, hid))

        def done(result: tuple[str, str, list[Item]]) -> None:
            head, village, items = result
            self.items = items
            self.title.setText(f"档案 — {village} {head}户")
            self.setWindowTitle(f"档案 — {head}户")
            self.table.setRowCount(len(items))
            for row, i in enumerate(items):
                cells = (i.on.isoformat(), KINDS.get(i.kind, i.kind), i.title, i.detail,
                         i.user, role_name(i.role) if i.role else "",
                         stage_name(i.stage) if i.stage else "")
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if col == 1:
                        item.setForeground(QColor(_KIND_COLOURS.get(i.kind, "#000")))
                    if col == 3 and text:
                        item.setToolTip(text)
                    self.table.setItem(row, col, item)
            self.table.resizeRowsToContents()
            self.empty.setText("" if items else "本户还没有任何记录。")
            self.loaded.emit(len(items))

        self.main.op("读取档案", work, owner=self).success(done).run()
