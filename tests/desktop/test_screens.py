"""Screenshots of the main window and the editor at 1366×768, for review (and CI
artifacts): under the test's folder, copied to /tmp/fupin-screens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop.households.editor import HouseholdEditor
from desktop.main_window import MainWindow
from tests.desktop.conftest import save_screen


def _not_blank(path: Path) -> bool:
    image = QImage(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23)
               for y in range(0, image.height(), 17)}
    return len(colours) > 8


def test_screens(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    main_window.resize(1366, 768)
    with qtbot.waitSignal(main_window.detail_shown, timeout=5000):
        main_window.table.selectRow(2)
    path = save_screen(main_window, tmp_path, "main-window")
    assert _not_blank(path)

    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        main_window.edit_action.trigger()
    editor = opened.args[0]
    assert isinstance(editor, HouseholdEditor)
    qtbot.wait(50)
    assert _not_blank(save_screen(editor, tmp_path, "editor-basic"))
    editor.tabs.setCurrentIndex(1)
    editor.member_view.setCurrentIndex(editor.members.index(0, 0))
    assert _not_blank(save_screen(editor, tmp_path, "editor-members"))
    editor.tabs.setCurrentIndex(2)
    assert _not_blank(save_screen(editor, tmp_path, "editor-income"))
    editor.tabs.setCurrentIndex(3)
    assert _not_blank(save_screen(editor, tmp_path, "editor-conditions"))

    main_window.lock()
    assert _not_blank(save_screen(main_window, tmp_path, "locked"))
    assert main_window.is_locked() and not editor.isVisible()
