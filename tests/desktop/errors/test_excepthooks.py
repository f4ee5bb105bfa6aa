"""Exceptions nobody caught — in a slot, in another thread — take the same path as a failed
worker job: one log entry without personal data, and the 程序出错 dialog (one at a time;
later ones are counted on it)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.errors import hooks
from desktop.errors.dialog import ErrorDialog, open_error_dialog
from desktop.main_window import MainWindow
from tests.desktop.errors.conftest import assert_none_of, log_entries


@pytest.fixture
def installed() -> Iterator[None]:
    hooks.install()
    yield
    hooks.uninstall()
    dialog = open_error_dialog()
    if dialog is not None:
        dialog.close()


def _dialog() -> ErrorDialog | None:
    found = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, ErrorDialog) and w.isVisible()]
    return found[0] if found else None


@pytest.mark.qt_no_exception_capture  # pytest-qt would take sys.excepthook for itself
def test_a_bug_in_a_slot_shows_the_dialog_and_is_logged(
        qtbot: QtBot, main_window: MainWindow, personal: list[str], log_file: Path,
        installed: None) -> None:
    assert sys.excepthook is hooks.handle

    def slot() -> None:
        raise ValueError(f"身份证号 {personal[1]} 不在 {personal[0]} 户")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
    dialog = _dialog()
    assert dialog is not None and dialog.windowTitle() == "程序出错"
    assert "程序内部错误(ValueError)" in dialog.message.text()
    dialog.copy_details()
    copied = QApplication.clipboard().text()
    assert "builtins.ValueError" in copied and "in slot" in copied
    assert_none_of(personal, copied)

    # A second bug while the dialog is open is counted on it, not a second dialog.
    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: dialog.more == 1, timeout=5000)
    assert "此后又发生 1 次错误" in dialog.status.text()
    assert _dialog() is dialog
    dialog.close()

    entries = log_entries(log_file)
    assert [level for level, _ in entries] == ["ERROR", "ERROR"]
    assert all("界面操作: failed" in text and "in slot" in text for _, text in entries)
    assert_none_of(personal, log_file.read_text(encoding="utf-8"))


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_another_thread_reaches_the_dialog_on_the_ui_thread(
        qtbot: QtBot, main_window: MainWindow, personal: list[str], log_file: Path,
        installed: None) -> None:
    def job() -> None:
        raise KeyError(personal[3])  # a bank account

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: _dialog() is not None, timeout=5000)
    dialog = _dialog()
    assert dialog is not None and "程序内部错误(KeyError)" in dialog.message.text()
    assert dialog.thread() is QApplication.instance().thread()  # type: ignore[union-attr]
    dialog.close()
    [(level, text)] = log_entries(log_file)
    assert level == "ERROR" and "后台线程: failed" in text and "in job" in text
    assert_none_of(personal, log_file.read_text(encoding="utf-8"))


@pytest.mark.qt_no_exception_capture
def test_the_app_start_sets_up_the_log_and_the_hooks(
        monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, tmp_path: Path, log_file: Path) -> None:
    import logging

    import desktop.shell as shell_module
    from desktop import app as app_module

    class NoWindows:  # the start without its windows: only what run() sets up matters here
        def __init__(self, *_a: object, **_k: object) -> None:
            pass

        def start(self) -> None:
            pass

        def close(self) -> None:
            pass

    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    monkeypatch.setattr(shell_module, "Shell", NoWindows)
    monkeypatch.setattr(qt_app, "exec", lambda: 0)
    logging.getLogger("fupin").handlers.clear()  # as in a fresh process
    try:
        assert app_module.main(["--store", str(tmp_path / "station.db")]) == 0
        assert sys.excepthook is hooks.handle
        assert threading.excepthook is not threading.__excepthook__
        logging.getLogger("fupin.desktop").warning("从启动起就有日志")
        assert "从启动起就有日志" in log_file.read_text(encoding="utf-8")
    finally:
        hooks.uninstall()
