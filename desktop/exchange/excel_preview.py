"""What an update import would do, before it does it: the dry run's summary and its change
list, household by household (reports.excel.importing: `report.changes`, each
“<户> :<change>;<change>…”). 确认导入 runs the import for real; 取消 leaves the store as
it was (the dry run rolled back)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reports.excel.importing import ImportReport


def split_change(text: str) -> tuple[str, list[str]]:
    """“户 :a;b” → (户, [a, b])."""
    head, _sep, rest = text.partition(":")
    return head, [line for line in rest.split(";") if line]


class ImportPreviewDialog(QDialog):
    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreview")
        self.setWindowTitle(f"从Excel导入 — 导入前核对({report.source.name})")
        self.resize(820, 560)
        summary = QLabel(report.summary().split("\n")[0], self)
        summary.setObjectName("previewSummary")
        summary.setWordWrap(True)
        self.changes = QTreeWidget(self)
        self.changes.setObjectName("previewChanges")
        self.changes.setHeaderLabels(["将更新的农户 / 变更内容"])
        self.changes.setAlternatingRowColors(True)
        for text in report.changes:
            head, lines = split_change(text)
            item = QTreeWidgetItem(self.changes, [f"{head}({len(lines)} 项变更)"])
            for line in lines:
                QTreeWidgetItem(item, [line])
        self.changes.expandAll()
        if not report.changes:
            QTreeWidgetItem(self.changes, ["文件中没有已登记的户需要更新(只新增农户)"])
        note = QLabel("以上为试导入的结果,尚未保存任何数据。点“确认导入”后一次全部导入;"
                      "点“取消”则什么也不改变。", self)
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        buttons = QDialogButtonBox(self)
        self.confirm_button = buttons.addButton("确认导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("confirmImport")
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.changes, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
