"""Login (right and wrong password) and auto-lock with an open editor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop.access.login import LoginDialog
from desktop.main_window import MainWindow
from desktop.shell import Shell
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen


def test_login_opens_the_main_window(qtbot: QtBot, station_copy: Path,
                                     shell_factory: list[Shell]) -> None:
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=5000)
    assert window.isVisible()
    assert shell.login is not None and not shell.login.isVisible()
    assert window.tree.root is not None and window.tree.root.text(1) == "300"


def test_wrong_password_shows_a_message_beside_the_field(
        qtbot: QtBot, station_copy: Path, shell_factory: list[Shell], tmp_path: Path) -> None:
    shell = Shell(station_copy)
    shell_factory.append(shell)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    login.user.setEditText("admin")
    qtbot.keyClicks(login.password, "not-the-password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.error.text() == "用户名或密码不正确", timeout=10000)
    assert login.isVisible() and shell.main_window is None
    save_screen(login, tmp_path, "login-wrong-password")
    assert login.login_button.isEnabled()
    # The right password still works afterwards.
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(shell.main_window_shown, timeout=10000):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)


def test_demo_login_is_filled_in(qtbot: QtBot, station_copy: Path,
                                 shell_factory: list[Shell]) -> None:
    shell = Shell(station_copy, demo_login=("admin", PASSWORD))
    shell_factory.append(shell)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    qtbot.addWidget(login)
    assert login.password.text() == PASSWORD and "演示" in login.hint.text()
    with qtbot.waitSignal(shell.main_window_shown, timeout=10000):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)


def test_auto_lock_covers_and_the_password_brings_back_unsaved_edits(
        qtbot: QtBot, main_window: MainWindow) -> None:
    with qtbot.waitSignal(main_window.editor_opened, timeout=5000) as opened:
        main_window.new_action.trigger()
    editor = opened.args[0]
    editor.inputs["phone"].widget.setText("13811112222")
    editor.add_member()
    name_editor = editor.focusWidget()
    assert isinstance(name_editor, QLineEdit)
    name_editor.insert("马小花")
    qtbot.keyClick(name_editor, Qt.Key.Key_Tab)

    main_window.set_idle_timeout(50)
    qtbot.waitUntil(main_window.is_locked, timeout=5000)
    assert not editor.isVisible()  # hidden with the rest, not closed
    assert not main_window.new_action.isEnabled()
    cover = main_window.cover
    assert cover.geometry() == main_window.rect()

    main_window.set_idle_timeout(0)  # no relock while the test types
    qtbot.keyClicks(cover.password, "wrong-password")
    qtbot.keyClick(cover.password, Qt.Key.Key_Return)
    assert cover.error.text() == "密码不正确,请重新输入"
    assert main_window.is_locked()

    cover.password.setText(PASSWORD)
    qtbot.keyClick(cover.password, Qt.Key.Key_Return)
    assert not main_window.is_locked()
    assert editor.isVisible() and editor.is_dirty()
    assert editor.inputs["phone"].raw() == "13811112222"
    assert editor.members.raw_rows()[0]["name"] == "马小花"
    assert main_window.new_action.isEnabled()


def test_lock_by_shortcut(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.lock_action.trigger()
    assert main_window.is_locked()
    main_window.cover.password.setText(PASSWORD)
    main_window.cover.try_unlock()
    assert not main_window.is_locked()
