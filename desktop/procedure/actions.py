"""The 识别程序 menu: 按村办理… (a village's batch of steps), 到期公示 (with the count of
notices whose period has ended, also on the toolbar), 全部公示…, and 档案… of the selected
household (also from the detail panel's link and the table's context menu). At a county:
县复审… instead of the station's steps.

    install(window)   # window.findChild(ProcedureActions) drives them in tests
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QPushButton

from desktop.look import icon
from desktop.main_window import MainWindow
from desktop.procedure.batch import VillageBatchDialog
from desktop.procedure.county_review import CountyReviewDialog
from desktop.procedure.history_dialog import HistoryDialog
from desktop.procedure.notice_screens import NoticesDialog
from registry.procedure import access
from registry.villages import Village

DUE_TEXT = "到期公示"


class ProcedureActions(QObject):
    opened = Signal(object)  # each window it opens (tests drive them)
    due_counted = Signal(int)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("procedureActions")
        self.window = window
        self.store = window.workspace.store
        self.county = self.store.info.kind == "county"
        # A city or the province only looks: the steps and notices are its stations'.
        self.station = self.store.info.kind == "station"
        self.due = 0
        self.batch: VillageBatchDialog | None = None
        self.notices: NoticesDialog | None = None
        self.review: CountyReviewDialog | None = None
        self.history: HistoryDialog | None = None

        def act(text: str, icon_name: str, slot: object) -> QAction:
            action = QAction(icon(icon_name), text, window)
            action.triggered.connect(slot)
            return action

        self.history_action = act("档案…", "help", self.open_history)
        self.history_action.setToolTip("所选农户的识别程序与修改记录")
        if self.county:
            self.review_action = act("县复审…", "township", self.open_review)
            window.add_action("识别程序", self.review_action, toolbar=True)
        elif self.station:
            self.batch_action = act("按村办理…", "village", self.open_batch)
            self.due_action = act(DUE_TEXT, "refresh", lambda: self.open_notices(True))
            self.due_action.setObjectName("dueNotices")
            self.all_action = act("全部公示…", "print", lambda: self.open_notices(False))
            window.add_action("识别程序", self.batch_action, toolbar=True)
            window.add_action("识别程序", self.due_action)
            window.add_action("识别程序", self.all_action)
        window.menu("识别程序").addSeparator()
        window.add_action("识别程序", self.history_action)

        window.detail.history_requested.connect(self.open_history)
        window.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        window.table.addAction(window.edit_action)
        window.table.addAction(self.history_action)
        # The badge: always in sight (the toolbar may be too narrow to show its end).
        self.due_badge = QPushButton("", window)
        self.due_badge.setObjectName("dueBadge")
        self.due_badge.setFlat(True)
        self.due_badge.setCursor(Qt.CursorShape.PointingHandCursor)
        self.due_badge.setStyleSheet("color:#c62f2f;font-weight:bold;padding:0 8px")
        self.due_badge.clicked.connect(lambda: self.open_notices(True))
        self.due_badge.hide()
        window.statusBar().addPermanentWidget(self.due_badge)
        if self.station:
            self.count_due()

    # ---- 到期公示 ------------------------------------------------------------------------
    def count_due(self) -> None:
        store = self.store

        def done(due: int) -> None:
            self.due = due
            self.due_action.setText(f"{DUE_TEXT}({self.due})" if self.due else DUE_TEXT)
            self.due_action.setToolTip(f"{self.due} 个公示已期满,待登记异议并结束公示"
                                       if self.due else "没有期满待结束的公示")
            self.due_badge.setText(f"到期公示 {self.due} 个,待结束…")
            self.due_badge.setToolTip(self.due_action.toolTip())
            self.due_badge.setVisible(bool(self.due))
            self.due_counted.emit(self.due)

        self.window.op("统计到期公示", lambda _p: access.count_due(store, date.today())
                       ).success(done).run()

    # ---- the windows ------------------------------------------------------------------------
    def _opened(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.opened.emit(dialog)

    def open_batch(self) -> None:
        if self.batch is not None:
            self.batch.raise_()
            return
        current = self.window.tree.village_for_dialog()

        def done(found: list[Village]) -> None:
            if not found:
                self.window.statusBar().showMessage("本站还没有行政村", 5000)
                return
            dialog = VillageBatchDialog(self.window, found, current)
            self.batch = dialog
            dialog.recorded.connect(lambda _k: self.count_due())
            dialog.notices_requested.connect(lambda: self.open_notices(True))
            dialog.destroyed.connect(lambda _o=None: setattr(self, "batch", None))
            self._opened(dialog)
            dialog.load()

        self.window.with_villages(done)

    def open_notices(self, due_only: bool) -> None:
        if self.notices is not None:
            self.notices.due_only.setChecked(due_only)
            self.notices.raise_()
            return
        dialog = NoticesDialog(self.window, due_only)
        self.notices = dialog
        dialog.loaded.connect(lambda _n: self.count_due())
        dialog.destroyed.connect(lambda _o=None: setattr(self, "notices", None))
        self._opened(dialog)
        dialog.load()

    def open_review(self) -> None:
        if self.review is not None:
            self.review.raise_()
            return
        dialog = CountyReviewDialog(self.window)
        self.review = dialog
        dialog.destroyed.connect(lambda _o=None: setattr(self, "review", None))
        self._opened(dialog)
        dialog.load()

    def open_history(self) -> None:
        household_id = self.window.selected_household_id()
        if household_id is None:
            self.window.statusBar().showMessage("请先在表格中选择一户", 4000)
            return
        dialog = HistoryDialog(self.window, household_id)
        self.history = dialog
        self._opened(dialog)
        dialog.load()


def install(window: MainWindow) -> None:
    ProcedureActions(window)

