"""The 打印 menu: 公示/公告 posters (退出公示 among the notices), 村花名册, 乡登记簿,
帮扶责任人名单 and 扶贫手册. Each asks what to print
in a small dialog, has reports.pdf generate the PDF in the DB worker (to a temporary file,
with progress and 取消), then opens the print preview (desktop.printing.preview) from which
the clerk prints or saves it.

    install(window)   # adds the actions; window.findChild(PrintActions) drives them in tests
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop.errors.dialog import show_failure
from desktop.look import icon
from desktop.main_window import MainWindow
from desktop.operations.store_op import StoreOp
from registry import failures, household_access, villages
from registry.progress import Cancelled, Progress

if TYPE_CHECKING:  # the dialogs, the PDF writers (reportlab) and the preview (pypdfium2)
    # load when something is printed, not with the main window
    from desktop.printing.dialogs import Places
    from desktop.printing.preview import PreviewDialog
    from reports.fonts import MissingGlyphs
    from reports.pdf.jobs import Printable, PrintJob
    from reports.pdf.layout import PrintResult


def missing_glyphs_text(error: MissingGlyphs) -> str:
    lines = []
    for ch, where in error.chars.items():
        at = "、".join(where) if where else "(位置未知)"
        lines.append(f"“{ch}”(U+{ord(ch):04X}):{at}")
    return "\n".join(lines)


class PrintActions(QObject):
    """The 打印 menu's actions and the flow dialog → worker → preview."""

    dialog_opened = Signal(object)  # the options dialog (tests fill it in)
    preview_opened = Signal(object)  # the PreviewDialog
    failed = Signal(str)  # the message shown

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("printActions")
        self.window = window
        self.preview: PreviewDialog | None = None
        self.op: StoreOp[PrintResult] | None = None  # the last generation run in the worker

        # No Ctrl+P here: features may not claim the window's shortcuts (the preview's
        # 打印 button has it).
        def act(text: str, slot: Callable[[], None]) -> QAction:
            action = QAction(icon("print"), text, window)
            action.triggered.connect(slot)
            return action

        self.notice_action = act("公示/公告…", lambda: self.open_notice())
        self.roster_action = act("村花名册…", self.open_roster)
        self.register_action = act("乡登记簿…", self.open_register)
        self.handbook_action = act("扶贫手册…", self.open_handbook)
        self.helper_roster_action = act("帮扶责任人名单…", self.open_helper_roster)
        if window.workspace.store.info.kind in ("station", "county"):
            # A city or the province puts up no poster: the notices are its stations' (and
            # their numbers, one series per station, name none of them there).
            window.add_action("打印", self.notice_action, toolbar=True)
        window.add_action("打印", self.roster_action)
        window.add_action("打印", self.register_action)
        window.menu("打印").addSeparator()
        window.add_action("打印", self.handbook_action)
        window.add_action("打印", self.helper_roster_action)

    # ---- the dialogs ---------------------------------------------------------------------
    def _with_places(self, show: Callable[[Places], QDialog]) -> None:
        """Loads the villages (and the selected household's head) in the worker, then
        opens the dialog."""
        from desktop.printing.dialogs import Places

        store = self.window.workspace.store
        household_id = self.window.selected_household_id()
        known = self.window.known_villages()

        def load(_p: Progress) -> Places:
            found, kind = known or villages.load_villages(store), store.info.kind
            if household_id is None:
                return Places(found, None, "", None, kind)
            head = household_access.household_head(store, household_id)
            return Places(found, household_id, head.head_name, head.village_code, kind)

        def done(places: Places) -> None:
            if not places.villages:
                self._fail("打印", "本站还没有行政村,请先在设置中添加。")
                return
            self._show(show(places))

        StoreOp(self.window.workspace.worker, "打开打印对话框", load, parent=self.window
                ).success(done).failure(lambda e: self.show_error("打印", e)).run()

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._accepted(dialog))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _current_village(self) -> str | None:
        return self.window.tree.village_for_dialog()

    def open_notice(self, current: str | None = None) -> None:
        """The recorded notices (at the county: the 文号 announced) to choose from;
        `current` preselects a notice number or 文号 (screens that show a notice)."""
        from desktop.printing.dialogs import NoticeDialog

        store = self.window.workspace.store

        def load(_p: Progress) -> list[Printable]:
            from reports.pdf.jobs import printable_notices

            return printable_notices(store)

        def done(notices: list[Printable]) -> None:
            if not notices:
                self._fail("打印公示/公告", "还没有发起过公示(县扶贫办:还没有公告)。\n\n"
                           "公示海报从公示记录打印:先选择农户发起公示;"
                           "全村农户名单请打印“村花名册”。")
                return
            self._show(NoticeDialog(notices, current, self.window))

        StoreOp(self.window.workspace.worker, "打开打印对话框", load, parent=self.window
                ).success(done).failure(lambda e: self.show_error("打印", e)).run()

    def open_roster(self) -> None:
        from desktop.printing.dialogs import RosterDialog

        self._with_places(lambda p: RosterDialog(p, self._current_village(), self.window))

    def open_register(self) -> None:
        from desktop.printing.dialogs import RegisterDialog

        township = self.window.workspace.store.info.region_name
        self._with_places(lambda p: RegisterDialog(p, township, self.window))

    def open_handbook(self) -> None:
        from desktop.printing.dialogs import HandbookDialog

        self._with_places(lambda p: HandbookDialog(p, self._current_village(), self.window))

    def open_helper_roster(self) -> None:
        from desktop.printing.dialogs import HelperRosterDialog

        self._with_places(lambda p: HelperRosterDialog(p, self._current_village(),
                                                       self.window))

    def _accepted(self, dialog: QDialog) -> None:
        from desktop.printing.dialogs import (
            HandbookDialog,
            HelperRosterDialog,
            NoticeDialog,
            RegisterDialog,
            RosterDialog,
        )

        if isinstance(dialog, NoticeDialog):
            dialog.remember()
        assert isinstance(dialog, NoticeDialog | RosterDialog | RegisterDialog | HandbookDialog
                          | HelperRosterDialog)
        self.generate(dialog.title(), dialog.job())

    # ---- generating -----------------------------------------------------------------------
    def generate(self, title: str, job: PrintJob) -> None:
        """Prints `job` in the worker to a temporary PDF, then shows the preview."""
        folder = tempfile.TemporaryDirectory(prefix="fupin-print-")
        out = Path(folder.name) / "打印.pdf"
        store = self.window.workspace.store

        def work(progress: Progress) -> PrintResult:
            from reports.pdf.jobs import print_job

            return print_job(store, job, out, progress)

        def done(result: PrintResult) -> None:
            from desktop.printing.preview import PreviewDialog

            summary = (f"{title}:共 {result.pages} 页,{result.households} 户 "
                       f"{result.members} 人")
            try:
                dialog = PreviewDialog(result.path, title, self.window, owned_dir=folder,
                                       summary=summary)
            except Exception as e:  # noqa: BLE001 - an unreadable PDF is shown, not raised
                folder.cleanup()
                self._fail(title, f"无法预览生成的文件:{failures.report(e, '打开打印预览')}")
                return
            self.preview = dialog
            dialog.destroyed.connect(lambda _o=None: self._preview_gone(dialog))
            dialog.show()
            self.window.statusBar().showMessage(summary, 6000)
            self.preview_opened.emit(dialog)

        def fail(error: BaseException) -> None:
            folder.cleanup()
            self.show_error(title, error)

        self.op = StoreOp(self.window.workspace.worker, "生成打印文件", work,
                          parent=self.window).success(done).failure(fail).with_progress(
            f"正在生成{title}…", cancellable=True).run()

    def _preview_gone(self, dialog: PreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None

    def show_error(self, title: str, error: BaseException) -> None:
        from reports.fonts import FontMissing, MissingGlyphs

        if isinstance(error, Cancelled):
            self.window.statusBar().showMessage("已取消,未生成文件", 5000)
            return
        if isinstance(error, MissingGlyphs):
            self._fail(title, "字体中缺少下列汉字,打印出来会是空白方框,已停止生成。\n\n"
                       + missing_glyphs_text(error)
                       + "\n\n请安装含有这些字的字体(如 Windows 的 SimSun-ExtB,即 simsunb.ttf),"
                         "或把字体文件复制到程序目录的 resources\\fonts 文件夹,然后重新打印;"
                         "也可以核对这些姓名是否录入有误。")
            return
        if isinstance(error, FontMissing):
            self._fail(title, f"找不到中文字体,无法生成 PDF。\n\n{error}")
            return
        message = failures.user_message(error)
        self.failed.emit(message)
        show_failure(error, message, f"{title} — 未能打印", self.window)

    def _fail(self, title: str, text: str) -> None:
        self.failed.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, f"{title} — 未能打印", text,
                          QMessageBox.StandardButton.Ok, self.window)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()


def install(window: MainWindow) -> None:
    PrintActions(window)
