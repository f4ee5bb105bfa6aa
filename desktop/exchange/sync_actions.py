"""USB sync in the 数据交换 menu. A station gets: 申请加入县级同步, 导入县级答复, 导出数据包,
导入县级数据包, 同步状态. A county store gets: 登记乡镇, 导入乡镇数据包, 乡镇同步状况, 疑似重复,
生成回传数据包; a city or province the same for the offices below it (下级单位, no 回传). A
county and a city also send up (the roll-up): 申请加入上级同步, 导入上级答复, 向上级报送数据包,
上级同步状态 — the station's dialogs in an office's words. All work runs in the DB worker
(exchange.sync_dialog.SyncDialog).

    install(window)          # once, after the MainWindow is built
    window.sync_actions      # the SyncActions (tests open dialogs through it)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QIcon

from desktop.exchange.sync_county import EnrollStationDialog, ReturnDialog, StationsDialog
from desktop.exchange.sync_dialog import SyncDialog
from desktop.exchange.sync_duplicates import DuplicatesDialog
from desktop.exchange.sync_import import ImportDialog, choose_bundles
from desktop.exchange.sync_station import (
    AnswerDialog,
    EnrollRequestDialog,
    ExportDialog,
    StationStatusDialog,
    choose_answer,
    upper_of,
)
from desktop.look import icon
from sync.names import APPLIED
from sync.receive import ImportResult

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

MENU = "数据交换"


class SyncActions:
    """Opens the sync dialogs over the main window (one of each kind at a time)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.workspace = window.workspace
        kind = window.workspace.store.info.kind
        self.county = kind != "station"  # receives bundles from the level below
        self.sends_up = kind in ("county", "city")
        self.below = "乡镇" if kind == "county" else "下级单位"
        self.dialogs: dict[type, SyncDialog] = {}

    def _open(self, kind: type[SyncDialog], make: Callable[[], SyncDialog]) -> SyncDialog:
        old = self.dialogs.get(kind)
        if old is not None and old.isVisible():
            old.raise_()
            old.activateWindow()
            return old
        if old is not None and not old.busy():
            old.deleteLater()
        dialog = make()
        self.dialogs[kind] = dialog
        dialog.show()
        return dialog

    def _imported(self, results: list[ImportResult]) -> None:
        if any(r.status == APPLIED for r in results):
            self.window.refresh()  # households changed (county) or the tree needs no reload
        stations = self.dialogs.get(StationsDialog)
        if stations is not None and stations.isVisible() and not stations.busy():
            assert isinstance(stations, StationsDialog)
            stations.load()  # an open station table shows what the import kept for review

    # ---- station ----------------------------------------------------------------------
    def request(self) -> SyncDialog:
        return self._open(EnrollRequestDialog,
                          lambda: EnrollRequestDialog(self.workspace, self.window))

    def answer(self) -> SyncDialog | None:
        """Asks for the answer file first, then shows the county's fingerprint."""
        path = choose_answer(self.window, upper_of(self.workspace.store))
        if path is None:
            return None
        dialog = self._open(AnswerDialog, lambda: AnswerDialog(self.workspace, self.window))
        assert isinstance(dialog, AnswerDialog)
        dialog.start(path)
        return dialog

    def export(self) -> SyncDialog:
        return self._open(ExportDialog, lambda: ExportDialog(self.workspace, self.window))

    def import_bundles(self) -> SyncDialog | None:
        """Asks for the files first; the dialog shows progress, then the results."""
        title = f"选择{self.below}数据包" if self.county else "选择县级回传数据包"
        files = choose_bundles(self.window, title)
        if not files:
            return None
        dialog = ImportDialog(self.workspace, self.window, self._imported)
        old = self.dialogs.get(ImportDialog)
        if old is not None and not old.busy():
            old.close()
            old.deleteLater()
        self.dialogs[ImportDialog] = dialog
        dialog.show()
        dialog.start(files)
        return dialog

    def station_status(self) -> SyncDialog:
        return self._open(StationStatusDialog,
                          lambda: StationStatusDialog(self.workspace, self.window))

    # ---- county -----------------------------------------------------------------------
    def enroll_station(self) -> SyncDialog:
        return self._open(EnrollStationDialog,
                          lambda: EnrollStationDialog(self.workspace, self.window))

    def stations(self) -> SyncDialog:
        return self._open(StationsDialog, lambda: StationsDialog(self.workspace, self.window))

    def duplicates(self) -> SyncDialog:
        return self._open(DuplicatesDialog,
                          lambda: DuplicatesDialog(self.workspace, self.window))

    def return_bundle(self) -> SyncDialog:
        return self._open(ReturnDialog, lambda: ReturnDialog(self.workspace, self.window))


def install(window: MainWindow) -> None:
    """Adds the sync commands for this kind of store to the 数据交换 menu."""
    actions = SyncActions(window)
    window.sync_actions = actions  # type: ignore[attr-defined]

    def add(text: str, icon_name: str, slot: Callable[[], object], toolbar: bool = False,
            name: str = "") -> None:
        action = QAction(icon(icon_name) if icon_name else QIcon(), text, window)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        window.add_action(MENU, action, toolbar=toolbar)

    if actions.county:
        below = actions.below
        add(f"登记{below}…", "township", actions.enroll_station, name="syncEnrollStation")
        add(f"导入{below}数据包…", "usb", actions.import_bundles, True, "syncImport")
        add(f"{below}同步状况", "township", actions.stations, name="syncStations")
        add("疑似重复…", "users", actions.duplicates, name="syncDuplicates")
        if below == "乡镇":  # decisions go back to the stations; offices above send none
            add("生成回传数据包…", "usb", actions.return_bundle, name="syncReturn")
        if actions.sends_up:
            window.menu(MENU).addSeparator()
            add("申请加入上级同步…", "key", actions.request, name="syncRequest")
            add("导入上级答复…", "key", actions.answer, name="syncAnswer")
            add("向上级报送数据包…", "usb", actions.export, name="syncExport")
            add("上级同步状态", "refresh", actions.station_status, name="syncStatus")
    else:
        add("申请加入县级同步…", "key", actions.request, name="syncRequest")
        add("导入县级答复…", "key", actions.answer, name="syncAnswer")
        window.menu(MENU).addSeparator()
        add("导出数据包…", "usb", actions.export, True, "syncExport")
        add("导入县级数据包…", "usb", actions.import_bundles, name="syncImport")
        add("同步状态", "refresh", actions.station_status, name="syncStatus")
