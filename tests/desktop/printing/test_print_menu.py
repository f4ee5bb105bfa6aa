"""The 打印 menu driven through its real dialogs: a 公示 for a demo village, the preview
(page count, lazy pages, zoom), 另存为PDF and printing to a PDF printer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.households.village_tree import PlaceRole
from desktop.main_window import MainWindow
from desktop.printing.actions import PrintActions, install
from desktop.printing.dialogs import NoticeDialog
from desktop.printing.preview import FIT_WIDTH, PreviewDialog
from reports import preview
from reports.pdf.jobs import NoticeJob
from tests.desktop.conftest import save_screen


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _actions(window: MainWindow) -> PrintActions:
    if window.findChild(PrintActions) is None:  # the shell installs it; a bare window does not
        install(window)
    actions = window.findChild(PrintActions)
    assert actions is not None
    return actions


def _village(window: MainWindow) -> tuple[str, str]:
    """The first village of the tree, chosen there as a clerk would."""
    root = window.tree.root
    assert root is not None and root.childCount() > 0
    item = root.child(0)
    assert item is not None
    code, _group = item.data(0, PlaceRole)
    window.tree.setCurrentItem(item)
    return code, item.text(0)


def _open_notice(qtbot: QtBot, actions: PrintActions) -> NoticeDialog:
    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.notice_action.trigger()
    dialog = opened.args[0]
    assert isinstance(dialog, NoticeDialog)
    return dialog


def _preview(qtbot: QtBot, actions: PrintActions, dialog: QDialog) -> PreviewDialog:
    with qtbot.waitSignal(actions.preview_opened, timeout=60000) as shown:
        dialog.accept()
    preview_dialog = shown.args[0]
    assert isinstance(preview_dialog, PreviewDialog)
    qtbot.waitUntil(lambda: 0 in preview_dialog.rendered_pages(), timeout=10000)
    return preview_dialog


def test_notice_for_a_demo_village_previews_saves_and_prints(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    dialog = _open_notice(qtbot, actions)
    # the recorded notices, newest first; the one chosen prints exactly its households
    labels = [dialog.notice.itemText(i) for i in range(dialog.notice.count())]
    assert labels and all("公示(共" in t for t in labels)
    assert any("公示期已满,待结束" in t for t in labels) and any("公示中" in t for t in labels)
    index = next(i for i, t in enumerate(labels) if "第一次公示" in t and "公示中" not in t
                 and "待结束" not in t)
    dialog.notice.setCurrentIndex(index)
    number = labels[index].split()[0]
    name = labels[index].split()[1].split("第一次公示")[0]
    dialog.paper.setCurrentIndex(dialog.paper.findData("A4"))
    dialog.phone.setText("0834-8331234")
    dialog.address.setText("竹核镇人民政府扶贫工作站")
    assert dialog.job() == NoticeJob(number, "A4", "0834-8331234", "竹核镇人民政府扶贫工作站")
    save_screen(dialog, tmp_path, "print-notice-dialog")

    shown = _preview(qtbot, actions, dialog)
    pages = preview.page_count(shown.pdf)
    assert pages >= 1 and shown.page_count == pages and len(shown.pages) == pages
    assert shown.page_label.text() == f"第 1 页 共 {pages} 页"
    text = pdf_text(shown.pdf)
    assert name in text and "0834-8331234" in text and number in text
    # lazily: the pages far below the view are not rendered yet
    assert set(shown.rendered_pages()) <= set(range(0, 3))
    save_screen(shown, tmp_path, "print-preview")

    # zoom: the pages get bigger and are rendered again at the new size
    fit_width = shown.page_size_px().width()
    shown.set_zoom(2.0)
    assert shown.page_size_px().width() != fit_width
    qtbot.waitUntil(lambda: shown.pages[0].zoom_rendered == 2.0, timeout=10000)
    shown.set_zoom(FIT_WIDTH)

    # the phone and address are remembered for next time
    assert QSettings().value("print/phone") == "0834-8331234"

    target = tmp_path / "公示" / "尼日村公示"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a, **_k: (str(target), "PDF 文件 (*.pdf)"))
    saved = shown.save_as()
    assert saved == target.with_name("尼日村公示.pdf") and saved.exists()
    assert name in pdf_text(saved)

    printed = tmp_path / "printer.pdf"

    def to_pdf_printer(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    monkeypatch.setattr(shown, "ask_printer", to_pdf_printer)
    assert shown.print_document() == pages
    assert preview.page_count(printed) == pages
    folder = shown.pdf.parent
    shown.close()
    assert not folder.exists()  # the temporary PDF went with the preview


def test_a_refusal_of_the_report_reaches_the_clerk(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    actions = _actions(main_window)
    dialog = _open_notice(qtbot, actions)
    messages: list[str] = []
    actions.failed.connect(messages.append)
    # The report refuses (here: the notice vanished); its Chinese message reaches the clerk.
    from reports.pdf.data import ReportError

    def refuse(*_a: object, **_k: object) -> None:
        raise ReportError("公示 2026-001 上的农户都已删除,无法打印")

    monkeypatch.setattr("reports.pdf.jobs.print_notice_record", refuse)
    with qtbot.waitSignal(actions.failed, timeout=10000):
        dialog.accept()
    assert "无法打印" in messages[0]
    assert actions.preview is None


def test_a_station_without_notices_is_told_where_a_village_list_is(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("reports.pdf.jobs.printable_notices", lambda _s: [])
    actions = _actions(main_window)
    with qtbot.waitSignal(actions.failed, timeout=10000) as failed:
        actions.notice_action.trigger()
    assert "还没有发起过公示" in failed.args[0] and "村花名册" in failed.args[0]


def test_missing_glyphs_name_the_characters_and_households(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reports.fonts import MissingGlyphs

    def boxes(*_a: object, **_k: object) -> None:
        raise MissingGlyphs("字体中没有", {"𠮷": ["尼日村 𠮷祥户"], "㛃": ["尼日村 王㛃户"]})

    monkeypatch.setattr("reports.pdf.jobs.print_notice_record", boxes)
    actions = _actions(main_window)
    dialog = _open_notice(qtbot, actions)
    with qtbot.waitSignal(actions.failed, timeout=10000) as failed:
        dialog.accept()
    text = failed.args[0]
    assert "“𠮷”(U+20BB7):尼日村 𠮷祥户" in text and "U+36C3" in text and "王㛃户" in text
    boxes_shown = [b for b in main_window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes_shown] == [text]
    save_screen(boxes_shown[0], tmp_path, "print-missing-glyphs")


def test_roster_register_and_handbook_through_their_dialogs(
        qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    from desktop.printing.dialogs import HandbookDialog, RegisterDialog, RosterDialog
    actions = _actions(main_window)
    code, name = _village(main_window)
    qtbot.waitUntil(lambda: main_window.model.rowCount() > 0, timeout=10000)
    main_window.table.selectRow(0)
    household = main_window.selected_household_id()
    assert household is not None

    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.handbook_action.trigger()
    handbook = opened.args[0]
    assert isinstance(handbook, HandbookDialog)
    assert handbook.one.isChecked() and handbook.household_id == household
    assert handbook.village.currentData() == code
    save_screen(handbook, tmp_path, "print-handbook-dialog")
    shown = _preview(qtbot, actions, handbook)
    text = pdf_text(shown.pdf)
    assert handbook.household_name in text and shown.page_count >= 1
    shown.close()

    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.roster_action.trigger()
    roster = opened.args[0]
    assert isinstance(roster, RosterDialog) and roster.village.currentData() == code
    roster.paper.setCurrentIndex(roster.paper.findData("A3"))
    shown = _preview(qtbot, actions, roster)
    assert shown.points[0] > shown.points[1]  # landscape
    assert round(shown.points[0]) == 1191  # A3 long side in points
    assert "内部资料" in pdf_text(shown.pdf) and name in pdf_text(shown.pdf)
    save_screen(shown, tmp_path, "print-preview-roster")
    shown.close()

    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.register_action.trigger()
    register = opened.args[0]
    assert isinstance(register, RegisterDialog)
    register.paper.setCurrentIndex(register.paper.findData("A4"))
    shown = _preview(qtbot, actions, register)
    assert shown.page_count == preview.page_count(shown.pdf) > 1
    shown.go_to(shown.page_count - 1)
    assert shown.page_label.text() == f"第 {shown.page_count} 页 共 {shown.page_count} 页"
    qtbot.waitUntil(lambda: shown.page_count - 1 in shown.rendered_pages(), timeout=10000)
    assert 0 not in shown.rendered_pages() or shown.page_count <= 8  # far pages dropped
    shown.close()


def test_cancel_while_generating_leaves_no_preview(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from registry.progress import Cancelled

    def slow_register(_s: object, _out: Path, *, paper: str, progress: object,
                      township: object = None) -> None:
        assert callable(progress)
        while progress(0, 100):  # until 取消 is pressed
            time.sleep(0.01)
        raise Cancelled("已取消打印,未生成文件")

    monkeypatch.setattr("reports.pdf.jobs.print_register", slow_register)
    actions = _actions(main_window)
    with qtbot.waitSignal(actions.dialog_opened, timeout=10000) as opened:
        actions.register_action.trigger()
    opened.args[0].accept()
    assert actions.op is not None
    actions.op.cancel()
    qtbot.waitUntil(lambda: main_window.workspace.worker.pending() == 0, timeout=10000)
    assert "已取消" in main_window.statusBar().currentMessage()
    assert actions.preview is None


def test_print_dialog_screenshot(qtbot: QtBot, main_window: MainWindow, tmp_path: Path
                                 ) -> None:
    """The system print dialog the 打印… button opens (page range 1..m offered)."""
    from PySide6.QtPrintSupport import QPrintDialog

    from desktop.look import install_chinese

    install_chinese(QApplication.instance())  # as the program does at start-up
    actions = _actions(main_window)
    dialog = _open_notice(qtbot, actions)
    shown = _preview(qtbot, actions, dialog)
    printer = shown.make_printer()
    system = QPrintDialog(printer, shown)
    system.setMinMax(1, shown.page_count)
    system.show()
    qtbot.waitExposed(system)
    save_screen(system, tmp_path, "print-system-dialog")
    system.close()
    shown.close()
