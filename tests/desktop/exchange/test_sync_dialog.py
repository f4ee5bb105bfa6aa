"""The sync dialogs' base: cancelling work from the dialog's own progress bar."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.exchange.sync_dialog import SyncDialog
from desktop.operations.worker import DbWorker
from desktop.workspace import Workspace
from registry.progress import Cancelled
from registry.store import Store


def test_cancel_from_the_dialog_stops_the_work(qtbot: QtBot, station: Store) -> None:
    worker = DbWorker()
    try:
        dialog = SyncDialog(Workspace(station, worker), "测试")
        qtbot.addWidget(dialog)
        dialog.show()
        steps: list[int] = []

        def slow(progress: Callable[[int, int], bool]) -> None:
            for i in range(2000):
                steps.append(i)
                if not progress(i, 2000):
                    raise Cancelled("已取消")
                time.sleep(0.005)

        failed: list[str] = []
        dialog.work_failed.connect(failed.append)
        dialog.run("测试", slow, lambda _r: None)
        qtbot.waitUntil(lambda: len(steps) > 3 and dialog.bar.maximum() == 2000, timeout=5000)
        assert dialog.cancel_button.isVisible() and dialog.busy()
        dialog.reject()  # cannot close while the work runs
        assert dialog.isVisible()
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: not dialog.busy(), timeout=5000)
        assert failed == ["已取消,未作任何改动"] and len(steps) < 2000
        assert not dialog.bar.isVisible()
        shown = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
        assert [b.text() for b in shown] == failed  # said once, in a plain box
        shown[0].close()
    finally:
        worker.stop()
