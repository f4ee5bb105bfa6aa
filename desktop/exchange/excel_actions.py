"""The 数据交换 menu's Excel commands: 导出Excel (the households the table shows: its village,
group and search), 下载导入模板, 从Excel导入, and 从Excel导入并更新已登记的户 (matched
by the head's ID number: a dry run first lists what will change, household by
household; 确认导入 commits it, 取消 writes nothing). The work runs in the DB worker with
progress and 取消; an import with bad rows imports nothing and shows the problems, row by
row, with the marked copy of the workbook a click away.

    install(window)   # adds the actions; window.findChild(ExcelActions) drives them in tests
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.errors.dialog import show_failure
from desktop.look import icon
from desktop.main_window import MainWindow
from desktop.operations.store_op import StoreOp
from registry import failures
from registry.progress import Cancelled, Progress
from registry.search import HouseholdFilter

if TYPE_CHECKING:  # reports.excel (openpyxl) loads when a workbook is read or written
    from desktop.exchange.excel_problems import ImportProblemsDialog
    from reports.excel.export import ExportReport
    from reports.excel.importing import ImportReport

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
DIR_KEY = "excel/dir"


def _folder() -> Path:
    return Path(str(QSettings().value(DIR_KEY, str(Path.home()))))


def _remember(path: Path) -> None:
    QSettings().setValue(DIR_KEY, str(path.parent))


def _xlsx(name: str) -> Path:
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def describe(flt: HouseholdFilter, villages: dict[str, str]) -> str:
    """What an export holds, for the dialog title and the file name."""
    parts = []
    if flt.village_code:
        parts.append(villages.get(flt.village_code, flt.village_code))
        if flt.group_no is not None:
            parts.append(f"{flt.group_no}组")
    if flt.text:
        parts.append(f"搜索“{flt.text}”")
    return " ".join(parts)


class ExcelActions(QObject):
    """The 数据交换 menu's Excel actions."""

    exported = Signal(object)  # ExportReport
    template_written = Signal(str)
    imported = Signal(object)  # ImportReport (ok or not)
    problems_shown = Signal(object)  # ImportProblemsDialog
    preview_shown = Signal(object)  # ImportPreviewDialog (an update import's dry run)
    failed = Signal(str)  # the message shown

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("excelActions")
        self.window = window
        self.problems: ImportProblemsDialog | None = None

        def act(text: str, slot: object, toolbar_icon: str = "excel") -> QAction:
            action = QAction(icon(toolbar_icon), text, window)
            action.triggered.connect(slot)
            return action

        self.export_action = act("导出Excel…", self.export)
        self.template_action = act("下载导入模板…", self.save_template)
        self.import_action = act("从Excel导入…", lambda: self.import_file())
        self.update_action = act("从Excel导入并更新已登记的户(按户主身份证号)…",
                                 lambda: self.import_file(update=True))
        self.update_action.setToolTip("户主身份证号已登记的户按文件更新,其余新增;"
                                      "导入前先列出每户将变更的内容,确认后才保存")
        window.add_action("数据交换", self.export_action, toolbar=True)
        window.menu("数据交换").addSeparator()
        window.add_action("数据交换", self.template_action)
        window.add_action("数据交换", self.import_action)
        window.add_action("数据交换", self.update_action)
        # Households are registered at their station: an office imports none (the core
        # refuses too) and has no use for the template (the province's listed 34,000
        # villages).
        for action in (self.template_action, self.import_action, self.update_action):
            action.setEnabled(window.may_edit())

    # ---- export ---------------------------------------------------------------------------
    def current_filter(self) -> HouseholdFilter:
        """What the household table shows (village or group of the tree, search text)."""
        current = getattr(self.window, "current_filter", None)
        return current() if callable(current) else HouseholdFilter()

    def _village_names(self) -> dict[str, str]:
        return {v.code: v.name for v in getattr(self.window, "_villages", [])}

    def export(self) -> None:
        flt = self.current_filter()
        what = describe(flt, self._village_names())
        township = self.window.workspace.store.info.region_name
        stem = f"{township}{what.replace(' ', '')}贫困户" if what else f"{township}贫困户"
        stem = "".join(ch for ch in stem if ch not in '\\/:*?"<>|')
        suggested = _folder() / f"{stem}_{date.today():%Y%m%d}.xlsx"
        title = "导出Excel" + (f"({what})" if what else "(全站)")
        name, _ = QFileDialog.getSaveFileName(self.window, title, str(suggested), XLSX_FILTER)
        if not name:
            return
        path = _xlsx(name)
        _remember(path)
        store = self.window.workspace.store

        def work(progress: Progress) -> ExportReport:
            from reports.excel.export import export_households

            return export_households(store, path, flt, progress=progress,
                                     title=f"{township}贫困户名单"
                                     + (f"({what})" if what else ""))

        def done(report: ExportReport) -> None:
            self.exported.emit(report)
            text = (f"已导出 {report.households} 户、{report.members} 人到:\n"
                    f"{report.path}")
            self.window.statusBar().showMessage(f"已导出 {report.households} 户", 6000)
            self._done_box("导出Excel", text, report.path)

        StoreOp(self.window.workspace.worker, "导出Excel", work, parent=self.window
                ).success(done).failure(lambda e: self._fail("导出Excel", e)).with_progress(
            "正在导出Excel…", cancellable=True).run()

    # ---- template -------------------------------------------------------------------------
    def save_template(self) -> None:
        township = self.window.workspace.store.info.region_name
        suggested = _folder() / f"{township}贫困户导入模板.xlsx"
        name, _ = QFileDialog.getSaveFileName(self.window, "下载导入模板", str(suggested),
                                              XLSX_FILTER)
        if not name:
            return
        path = _xlsx(name)
        _remember(path)
        store = self.window.workspace.store

        def work(_progress: Progress) -> Path:
            from reports.excel.template import station_villages, write_template

            return write_template(path, station_villages(store))

        def done(written: Path) -> None:
            self.template_written.emit(str(written))
            self._done_box("下载导入模板", f"导入模板已保存到:\n{written}\n\n"
                           "请按模板第一页“填写说明”填写,然后用“从Excel导入”导入。", written)

        StoreOp(self.window.workspace.worker, "下载导入模板", work, parent=self.window
                ).success(done).failure(lambda e: self._fail("下载导入模板", e)).with_progress(
            "正在生成导入模板…").run()

    # ---- import ---------------------------------------------------------------------------
    def import_file(self, update: bool = False) -> None:
        """从Excel导入; with `update`, households whose head is registered are updated,
        after a dry run whose change list the clerk confirms."""
        title = "从Excel导入并更新" if update else "从Excel导入"
        name, _ = QFileDialog.getOpenFileName(self.window, title, str(_folder()),
                                              f"{XLSX_FILTER};;所有文件 (*)")
        if not name:
            return
        path = Path(name)
        _remember(path)
        if update:
            self._run_import(path, update=True, dry_run=True)
        else:
            self._run_import(path)

    def _run_import(self, path: Path, update: bool = False, dry_run: bool = False) -> None:
        store = self.window.workspace.store

        def work(progress: Progress) -> ImportReport:
            from reports.excel.importing import import_workbook

            return import_workbook(store, path, progress=progress, update=update,
                                   dry_run=dry_run)

        def done(report: ImportReport) -> None:
            if report.ok and dry_run:
                self._preview(path, report)
                return
            self.imported.emit(report)
            if report.ok:
                self.window.refresh()
                updated = f",更新 {len(report.changes)} 户" if report.changes else ""
                self.window.statusBar().showMessage(
                    f"已导入 {report.households} 户、{report.members} 人{updated}", 8000)
                self._info("从Excel导入", report.summary())
                return
            from desktop.exchange.excel_problems import ImportProblemsDialog

            dialog = ImportProblemsDialog(report, self.window)
            self.problems = dialog
            dialog.destroyed.connect(lambda _o=None: self._problems_gone(dialog))
            dialog.show()
            self.problems_shown.emit(dialog)

        doing = "从Excel导入" if not dry_run else "试导入Excel"
        label = (f"正在检查“{path.name}”并列出将更新的内容…" if dry_run
                 else f"正在检查并导入“{path.name}”…")
        StoreOp(self.window.workspace.worker, doing, work, parent=self.window
                ).success(done).failure(lambda e: self._fail("从Excel导入", e)).with_progress(
            label, cancellable=True).run()

    def _preview(self, path: Path, report: ImportReport) -> None:
        from desktop.exchange.excel_preview import ImportPreviewDialog

        dialog = ImportPreviewDialog(report, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            if result == ImportPreviewDialog.DialogCode.Accepted:
                self._run_import(path, update=True)
            else:
                self.window.statusBar().showMessage("已取消导入,没有导入任何数据", 6000)

        dialog.finished.connect(answered)
        dialog.open()
        self.preview_shown.emit(dialog)

    def _problems_gone(self, dialog: ImportProblemsDialog) -> None:
        if self.problems is dialog:
            self.problems = None

    # ---- messages -------------------------------------------------------------------------
    def _done_box(self, title: str, text: str, path: Path) -> None:
        from desktop.exchange.excel_problems import open_path

        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        folder = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
        folder.clicked.connect(lambda: open_path(path.parent))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _info(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _fail(self, title: str, error: BaseException) -> None:
        from reports.excel.reading import WorkbookError

        if isinstance(error, Cancelled):
            text = ("已取消导入,没有导入任何数据。" if title == "从Excel导入"
                    else "已取消,没有生成文件。")
        elif isinstance(error, WorkbookError):
            text = f"{error}\n\n没有导入任何数据。"
        elif isinstance(error, PermissionError):
            text = f"无法写入文件(可能正在 Excel 中打开,请先关闭):{error.filename}"
        else:
            text = failures.user_message(error)
        self.failed.emit(text)
        show_failure(error, text, title, self.window)


def install(window: MainWindow) -> None:
    ExcelActions(window)
