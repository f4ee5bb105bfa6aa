from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from tests.ui.conftest import save_screen


def test_main_window_screenshot(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    main_window.table.selectRow(0)
    qtbot.waitSignal(main_window.detail_shown, timeout=5000)
    qtbot.wait(200)
    path = save_screen(main_window, tmp_path, "main-window")
    assert path.stat().st_size > 10_000
