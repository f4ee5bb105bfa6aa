"""The 帮扶管理 menu: 按村帮扶… (结对帮扶, 驻村工作队, 村帮扶规划 of a village), 年度动态
调整… (the yearly review) and 数据质量核查…. At a county the first two open read-only (the
rows are the stations'); the check covers the county or one township there.

    install(window)   # window.findChild(AidActions) drives them in tests
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from desktop.aid.review_screen import ReviewDialog
from desktop.aid.village_aid import VillageAidDialog
from desktop.look import icon
from desktop.main_window import MainWindow
from registry.villages import Village

if TYPE_CHECKING:  # imported when first opened: with its Excel and PDF writers it was a
    # third of the login's imports (openpyxl, reportlab)
    from desktop.aid.quality_screen import QualityDialog
    from registry.quality_access import Scope

MENU = "帮扶管理"


class AidActions(QObject):
    opened = Signal(object)  # each window it opens (tests drive them)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("aidActions")
        self.window = window
        self.store = window.workspace.store
        self.village_aid: VillageAidDialog | None = None
        self.review: ReviewDialog | None = None
        self.quality: QualityDialog | None = None
        self.village_action = QAction(icon("village"), "按村帮扶…", window)
        self.village_action.setToolTip("结对帮扶(一名干部帮扶多户)、驻村工作队、村帮扶规划")
        self.village_action.triggered.connect(self.open_village_aid)
        self.review_action = QAction(icon("refresh"), "年度动态调整…", window)
        self.review_action.setToolTip("逐户核查两不愁三保障、录入当年收入、成员变更、提出调整意见")
        self.review_action.triggered.connect(self.open_review)
        self.quality_action = QAction(icon("search"), "数据质量核查…", window)
        self.quality_action.setToolTip("按村、乡镇(县:全县或乡镇)核查数据的一致性,"
                                       "可导出Excel和PDF")
        self.quality_action.triggered.connect(self.open_quality)
        window.add_action(MENU, self.village_action)
        window.add_action(MENU, self.review_action, toolbar=True)
        window.menu(MENU).addSeparator()
        window.add_action(MENU, self.quality_action)

    def _with_villages(self, then: object) -> None:
        def done(found: list[Village]) -> None:
            if not found:
                self.window.statusBar().showMessage("本站还没有行政村", 5000)
                return
            then(found)  # type: ignore[operator]

        self.window.with_villages(done)

    def _opened(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.opened.emit(dialog)

    def open_village_aid(self) -> None:
        if self.village_aid is not None:
            self.village_aid.raise_()
            return
        current = self.window.tree.village_for_dialog()

        def show(found: list[Village]) -> None:
            dialog = VillageAidDialog(self.window, found, current)
            self.village_aid = dialog
            dialog.destroyed.connect(lambda _o=None: setattr(self, "village_aid", None))
            self._opened(dialog)
            dialog.load()

        self._with_villages(show)

    def open_review(self) -> None:
        if self.review is not None:
            self.review.raise_()
            return
        current = self.window.tree.village_for_dialog()

        def show(found: list[Village]) -> None:
            dialog = ReviewDialog(self.window, found, current)
            self.review = dialog
            dialog.destroyed.connect(lambda _o=None: setattr(self, "review", None))
            dialog.saved.connect(lambda _h: self.window.refresh())
            self._opened(dialog)
            dialog.start()

        self._with_villages(show)

    def open_quality(self) -> None:
        if self.quality is not None:
            self.quality.raise_()
            return
        from desktop.aid.quality_screen import QualityDialog
        from registry import quality_access

        current = self.window.tree.current_place()[0]
        store = self.store

        def show(scopes: list[Scope]) -> None:
            dialog = QualityDialog(self.window, scopes, current)
            self.quality = dialog
            dialog.destroyed.connect(lambda _o=None: setattr(self, "quality", None))
            self._opened(dialog)

        self.window.op("读取核查范围", lambda _p: quality_access.scopes(store)).success(
            show).run()


def install(window: MainWindow) -> None:
    AidActions(window)
