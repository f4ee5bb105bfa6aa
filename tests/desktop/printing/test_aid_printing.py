"""Issue 10's printing through the 打印 menu against a copy of the demo station: a village's
帮扶责任人名单 through its dialog, and a 退出公示 poster from the notices the 公示/公告 dialog
lists (a NoticeJob of an exit notice prints the exit columns)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.printing.actions import PrintActions
from desktop.printing.dialogs import HelperRosterDialog, NoticeDialog
from desktop.printing.preview import PreviewDialog
from reports.pdf.jobs import NoticeJob
from tests.desktop.conftest import save_screen

VILLAGE = "513431102200"  # 尼日村


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _actions(window: MainWindow) -> PrintActions:
    actions = window.findChild(PrintActions)
    assert actions is not None
    return actions


def _preview(qtbot: QtBot, actions: PrintActions, dialog: object) -> PreviewDialog:
    from PySide6.QtWidgets import QDialog
    assert isinstance(dialog, QDialog)
    with qtbot.waitSignal(actions.preview_opened, timeout=60000) as shown:
        dialog.accept()
    preview = shown.args[0]
    assert isinstance(preview, PreviewDialog)
    qtbot.waitUntil(lambda: 0 in preview.rendered_pages(), timeout=10000)
    return preview


def test_helper_roster_of_a_village(qtbot: QtBot, main_window: MainWindow, tmp_path: Path
                                   ) -> None:
    actions = _actions(main_window)
    main_window.tree.select_place(VILLAGE, None)
    qtbot.waitUntil(lambda: main_window.workspace.worker.pending() == 0, timeout=10000)
    assert actions.helper_roster_action in main_window.menu("打印").actions()
    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.helper_roster_action.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, HelperRosterDialog)
    assert dialog.village.currentData() == VILLAGE
    QApplication.processEvents()
    save_screen(dialog, tmp_path, "print-helper-roster-dialog")
    name = dialog.village.currentText()
    shown = _preview(qtbot, actions, dialog)
    text = pdf_text(shown.pdf)
    assert "帮扶责任人" in text and name in text
    assert shown.page_count >= 1
    save_screen(shown, tmp_path, "print-preview-helper-roster")
    shown.close()


def test_an_exit_notice_prints_from_the_notice_list(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    actions = _actions(main_window)
    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.notice_action.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, NoticeDialog)
    exits = [i for i, n in enumerate(dialog.notices) if "退出" in n.label]
    assert exits, [n.label for n in dialog.notices]
    dialog.notice.setCurrentIndex(exits[0])
    job = dialog.current_job()
    assert isinstance(job, NoticeJob)
    shown = _preview(qtbot, actions, dialog)
    text = pdf_text(shown.pdf)
    assert "退出" in text and "公示" in text
    save_screen(shown, tmp_path, "print-preview-exit-notice")
    shown.close()
