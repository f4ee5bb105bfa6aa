"""文件 → 备份到U盘 / 从备份恢复 driven through the real windows, and the reminder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.access.login import LoginDialog
from desktop.backup.actions import BackupActions
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry import backup, demo
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen

DOCS_IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"


def _actions(window: MainWindow) -> BackupActions:
    found = window.findChild(BackupActions)
    assert found is not None
    return found


def _backup(qtbot: QtBot, window: MainWindow, folder: Path, tmp_path: Path | None = None
            ) -> backup.BackupResult:
    dialog = _actions(window).open_backup()
    dialog.folder.set_folder(str(folder))
    with qtbot.waitSignal(dialog.work_done, timeout=20000):
        dialog.backup_button.click()
    assert dialog.made is not None
    if tmp_path is not None:
        qtbot.wait(50)  # the outcome's new lines laid out
        save_screen(dialog, tmp_path, "backup-dialog")
    dialog.close()
    return dialog.made


def test_backup_from_the_menu(qtbot: QtBot, main_window: MainWindow, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    actions = _actions(main_window)
    assert actions.backup_action in main_window.menu("文件").actions()
    made = _backup(qtbot, main_window, usb, tmp_path)
    assert made.path.parent == usb and made.info.households == 300
    assert Path(f"{made.path}.keys").is_file()
    assert backup.last_backup(main_window.workspace.store.path) == made.made_at
    assert not actions.due_button.isVisible()


def test_restore_from_the_menu_then_log_in_again(qtbot: QtBot, station_copy: Path,
                                                 shell_factory: list[Shell],
                                                 tmp_path: Path) -> None:
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    made = _backup(qtbot, window, tmp_path)
    store = window.workspace.store
    demo.generate(store, 4, seed=11)  # changes after the backup: the backup is older

    dialog = _actions(window).open_restore(made.path)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=10000)
    assert dialog.preview is not None and dialog.preview.older
    assert "备份比当前数据库旧" in dialog.what.text()
    assert dialog.restore_button.isEnabled()
    save_screen(dialog, tmp_path, "restore-dialog")
    with qtbot.waitSignal(dialog.restored, timeout=20000):
        dialog.confirm_and_restore(ask=False)

    qtbot.waitUntil(lambda: shell.login is not None and shell.login.isVisible())
    assert shell.main_window is None
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "restoredMessage"
             and w.isVisible()]
    assert boxes and "已从备份恢复,300 户" in boxes[0].text()
    boxes[0].close()
    aside = list(tmp_path.glob("station.db.replaced-*"))
    assert aside, list(tmp_path.iterdir())

    login = shell.login
    assert isinstance(login, LoginDialog)
    login.user.setEditText("admin")
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        login.try_login()
    window = shell.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.found_label.text() == "共 300 户", timeout=10000)


def test_another_stations_backup_is_refused(qtbot: QtBot, main_window: MainWindow,
                                            tmp_path: Path) -> None:
    other, _ = Store.create(tmp_path / "other.db", kind="station", region_code="513431103",
                            user="admin", password=PASSWORD)
    with other:
        made = backup.make_backup(other, tmp_path)
    dialog = _actions(main_window).open_restore(made.path)
    assert dialog is not None
    with qtbot.waitSignal(dialog.checked, timeout=10000) as got:
        pass
    assert isinstance(got.args[0], str) and "不是本工作站数据库的备份" in got.args[0]
    assert not dialog.restore_button.isEnabled()
    save_screen(dialog, tmp_path, "restore-refused")


def test_reminder_when_the_last_backup_is_old(qtbot: QtBot, station_copy: Path,
                                              shell_factory: list[Shell],
                                              tmp_path: Path) -> None:
    backup.record_path(station_copy).write_text(json.dumps(
        {"last_backup": "2016-03-01T10:00:00", "folder": str(tmp_path)}), "utf-8")
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    actions = _actions(window)
    assert actions.due_button.isVisible() and "天未备份" in actions.due_button.text()
    qtbot.waitUntil(lambda: actions.reminder is not None and actions.reminder.isVisible())
    assert actions.reminder is not None
    save_screen(actions.reminder, tmp_path, "backup-reminder")
    save_screen(window, tmp_path, "main-window-backup-due")
    actions.reminder.button(QMessageBox.StandardButton.Yes).click()
    dialog = actions.backup_dialog
    assert dialog is not None and dialog.isVisible()
    assert "2016-03-01" in dialog.last.text()
    dialog.close()


@pytest.mark.parametrize("never", [True])
def test_no_reminder_for_a_new_store(qtbot: QtBot, main_window: MainWindow, never: bool
                                     ) -> None:
    actions = _actions(main_window)
    assert backup.last_backup(main_window.workspace.store.path) is None
    assert not actions.due_button.isVisible() and actions.reminder is None


def test_new_pc_restores_from_the_setup_wizard(qtbot: QtBot, demo_store_path: Path,
                                               shell_factory: list[Shell],
                                               tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    with Store.open(demo_store_path, "admin", PASSWORD) as old_pc:
        made = backup.make_backup(old_pc, usb)
    new_pc = tmp_path / "new-pc" / "station.db"
    shell = Shell(new_pc)
    shell_factory.append(shell)
    from PySide6.QtWidgets import QWizard

    from desktop.access.setup_wizard import SetupWizard
    wizard = shell.start()
    assert isinstance(wizard, SetupWizard)
    qtbot.addWidget(wizard)  # deleted by pytest-qt: the shell alone leaves it dangling
    button = wizard.button(QWizard.WizardButton.CustomButton1)
    assert button.isVisible() and button.text() == "从备份恢复…"
    with qtbot.waitSignal(wizard.restore_requested) as asked:
        button.click()
    assert asked.args[0] == new_pc
    dialog = shell.restore_dialog
    assert dialog is not None and dialog.isVisible()
    assert shell.restore_at_setup(new_pc) is dialog  # one at a time
    dialog.set_backup(made.path)
    assert [dialog.user.itemText(i) for i in range(dialog.user.count())] == ["admin"]
    dialog.password.setText("wrong-password")
    with qtbot.waitSignal(dialog.checked, timeout=10000):
        dialog.check_button.click()
    assert "密码不正确" in dialog.what.text() and not dialog.restore_button.isEnabled()
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(dialog.checked, timeout=10000):
        dialog.check_button.click()
    assert "不存在,将由备份建立" in dialog.what.text()
    qtbot.wait(50)
    save_screen(dialog, tmp_path, "restore-new-pc")
    with qtbot.waitSignal(dialog.restored, timeout=20000):
        dialog.confirm_and_restore(ask=False)
    login = shell.login
    assert isinstance(login, LoginDialog) and login.isVisible() and not wizard.isVisible()
    login.user.setEditText("admin")
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        login.try_login()
    window = shell.main_window
    assert window is not None
    qtbot.waitUntil(lambda: window.found_label.text() == "共 300 户", timeout=10000)
