"""Store work through StoreOp and the one DB worker: order, success and failure callbacks,
cancelling, progress on the UI thread, and the progress dialog that appears only for long
work."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.operations.store_op import StoreOp
from desktop.operations.worker import DbWorker
from registry.progress import Cancelled


def test_worker_runs_in_order_and_reports_failures(qtbot: QtBot) -> None:
    worker = DbWorker()
    results: list[object] = []
    try:
        StoreOp(worker, "测试", lambda p: "first").success(results.append).run()
        StoreOp(worker, "测试", lambda p: 1 / 0).failure(results.append).run()
        StoreOp(worker, "测试", lambda p: "third").success(results.append).run()
        qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
        assert results[0] == "first" and isinstance(results[1], ZeroDivisionError)
        assert results[2] == "third" and worker.pending() == 0
    finally:
        worker.stop()


def test_worker_cancel_reaches_the_work(qtbot: QtBot) -> None:
    worker = DbWorker()
    outcome: list[object] = []

    def long_work(progress: object) -> str:
        import time
        assert callable(progress)
        for i in range(500):
            if not progress(i, 500):
                raise Cancelled()
            time.sleep(0.005)
        return "finished"

    try:
        steps: list[tuple[int, int]] = []
        op = StoreOp(worker, "测试", long_work).success(outcome.append).failure(
            outcome.append).on_progress(lambda done, total: steps.append((done, total))).run()
        qtbot.waitUntil(lambda: len(steps) > 2, timeout=5000)  # relayed to the UI thread
        assert steps[0] == (0, 500)
        op.cancel()
        qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
        assert isinstance(outcome[0], Cancelled)
    finally:
        worker.stop()


def test_progress_dialog_only_for_long_work_and_its_cancel_button(qtbot: QtBot) -> None:
    import threading

    worker = DbWorker()
    outcome: list[object] = []
    release = threading.Event()
    try:
        StoreOp(worker, "测试", lambda p: "quick").success(outcome.append).with_progress(
            "很快").run()
        qtbot.waitUntil(lambda: outcome == ["quick"], timeout=5000)
        qtbot.wait(600)
        assert worker._dialogs == {}  # short work shows nothing

        def long_work(progress: object) -> str:
            assert callable(progress)
            for i in range(1000):
                if not progress(i, 1000):
                    raise Cancelled()
                if release.wait(0.01):
                    break
            return "finished"

        StoreOp(worker, "测试", long_work).success(outcome.append).failure(
            outcome.append).with_progress("正在导入…", cancellable=True).run()
        qtbot.waitUntil(lambda: bool(worker._dialogs), timeout=3000)
        dialog = next(iter(worker._dialogs.values()))
        assert dialog.labelText() == "正在导入…" and dialog.isVisible()
        qtbot.waitUntil(lambda: dialog.value() > 0, timeout=3000)
        from PySide6.QtWidgets import QPushButton
        button = dialog.findChild(QPushButton)
        assert button is not None and button.text() == "取消"
        button.click()
        qtbot.waitUntil(lambda: len(outcome) == 2, timeout=5000)
        assert isinstance(outcome[1], Cancelled)
        assert worker._dialogs == {}
    finally:
        release.set()
        worker.stop()
