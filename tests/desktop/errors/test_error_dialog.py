"""The one error path on the desktop, for work in the DB worker: a bug shows 程序出错 with
the log's place and 复制详情, a refusal a plain warning; each failure is one log entry, and
neither the log nor the copied details hold a name, an ID number, a phone or a bank account."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from desktop.errors.dialog import ErrorDialog, open_error_dialog
from desktop.main_window import MainWindow
from desktop.operations.store_op import StoreOp
from registry import household_access
from registry.progress import Progress
from tests.desktop.conftest import save_screen
from tests.desktop.errors.conftest import assert_none_of, log_entries


def _shown(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_a_bug_in_a_worker_job_shows_the_dialog_and_logs_no_personal_data(
        qtbot: QtBot, main_window: MainWindow, personal: list[str], log_file: Path,
        tmp_path: Path) -> None:
    store = main_window.workspace.store
    household_id = main_window.model.ids()[0]

    def buggy(_p: Progress) -> None:
        d = household_access.household_detail(store, household_id)
        lookup = {"户主": d.members[0]}
        # A KeyError quotes its key: here everything the log must never hold.
        lookup[" ".join(personal)]  # noqa: B018 - the bug under test

    StoreOp(main_window.workspace.worker, "测试出错", buggy, parent=main_window).run()
    qtbot.waitUntil(lambda: bool(_shown(ErrorDialog)), timeout=10000)
    [dialog] = _shown(ErrorDialog)
    assert dialog is open_error_dialog()
    assert dialog.windowTitle() == "程序出错"
    assert dialog.message.text() == ("程序内部错误(KeyError),操作未完成。"
                                     "详情已记入日志,请联系技术支持")
    assert str(log_file) in dialog.log_line.text()
    buttons = [b.text() for b in dialog.findChildren(QPushButton)]
    assert buttons == ["复制详情", "打开日志文件夹", "关闭"]
    assert_none_of(personal, dialog.message.text())
    save_screen(dialog, tmp_path, "error-dialog")

    QApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("扶贫开发建档立卡工作站 ")
    assert "builtins.KeyError" in copied and "in buggy" in copied  # the stack, to the line
    assert "test_error_dialog.py:" in copied
    assert_none_of(personal, copied)
    assert dialog.status.text() == "详情已复制到剪贴板。"
    save_screen(dialog, tmp_path, "error-dialog-copied")

    qtbot.mouseClick(dialog.findChildren(QPushButton)[-1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not _shown(ErrorDialog), timeout=5000)
    assert open_error_dialog() is None

    entries = log_entries(log_file)
    assert [level for level, _ in entries] == ["ERROR"]
    [(_, entry)] = entries
    assert "测试出错: failed" in entry and "builtins.KeyError" in entry and "in buggy" in entry
    assert_none_of(personal, log_file.read_text(encoding="utf-8"))


def test_a_refusal_shows_its_message_and_logs_one_info_line(
        qtbot: QtBot, main_window: MainWindow, personal: list[str], log_file: Path,
        tmp_path: Path) -> None:
    store = main_window.workspace.store
    StoreOp(main_window.workspace.worker, "测试拒绝",
            lambda _p: household_access.household_detail(store, "没有这一户"),
            parent=main_window).run()
    def refusals() -> list[QMessageBox]:  # a box an earlier test left open is not ours
        return [b for b in _shown(QMessageBox) if b.windowTitle() == "测试拒绝"]

    qtbot.waitUntil(lambda: bool(refusals()), timeout=10000)
    [box] = refusals()
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.text() == "该户不存在"  # the core's own Chinese message, as it is
    assert [b.text() for b in box.buttons()] == ["确定"]
    assert not _shown(ErrorDialog)
    save_screen(box, tmp_path, "refusal-box")
    box.close()

    entries = log_entries(log_file)
    assert [level for level, _ in entries] == ["INFO"]
    assert entries[0][1].rstrip().endswith("测试拒绝: refused (NotFound)")
    assert_none_of(personal, log_file.read_text(encoding="utf-8"))


def test_an_op_with_its_own_failure_gets_the_exception_and_the_log_still_one_entry(
        qtbot: QtBot, main_window: MainWindow, log_file: Path) -> None:
    got: list[BaseException] = []

    def boom(_p: Progress) -> None:
        raise ZeroDivisionError("1 / 0")

    StoreOp(main_window.workspace.worker, "测试自理", boom).failure(got.append).run()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert isinstance(got[0], ZeroDivisionError) and not _shown(ErrorDialog)
    assert [level for level, _ in log_entries(log_file)] == ["ERROR"]
