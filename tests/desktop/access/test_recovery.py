"""用恢复密钥打开 from the login window: a lost key file leads there, a wrong key is said
beside the field, the right one writes a new key file and opens the main window."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.access.login import KEYS_LOST, LoginDialog
from desktop.shell import Shell
from registry.keyslots import KeySlots
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import save_screen


def test_lost_key_file_leads_to_the_recovery_key(qtbot: QtBot, station_copy: Path,
                                                 shell_factory: list[Shell],
                                                 tmp_path: Path) -> None:
    with Store.open(station_copy, "admin", PASSWORD) as store:
        recovery_key = store.recovery_key()
    KeySlots.path_for(station_copy).unlink()

    shell = Shell(station_copy)
    shell_factory.append(shell)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    assert login.keys_notice.text() == KEYS_LOST and login.keys_notice.isVisible()
    assert login.recovery_button.isDefault()
    save_screen(login, tmp_path, "login-keys-lost")

    dialog = login.open_with_recovery_key()
    assert "找不到密钥文件" in dialog.findChild(type(login.error), "recoveryReason").text()
    dialog.key.setText("0123-4567")
    dialog.open_button.click()
    assert "64位" in dialog.error.text()
    dialog.key.setText("AAAA-" * 15 + "AAAA")
    dialog.password.setText("new-admin-1")
    dialog.again.setText("new-admin-1")
    dialog.open_button.click()
    qtbot.waitUntil(lambda: "恢复密钥不正确" in dialog.error.text(), timeout=10000)
    assert not KeySlots.path_for(station_copy).exists()

    dialog.key.setText(recovery_key.lower())
    dialog.user.setText("站长")
    save_screen(dialog, tmp_path, "recovery-dialog")
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        dialog.open_button.click()
    window = shell.main_window
    assert window is not None and window.workspace.store.user == "站长"
    assert KeySlots.load(station_copy).users() == [("站长", "admin")]


def test_the_old_passwords_no_longer_open(qtbot: QtBot, station_copy: Path,
                                          shell_factory: list[Shell]) -> None:
    with Store.open(station_copy, "admin", PASSWORD) as store:
        recovery_key = store.recovery_key()
    shell = Shell(station_copy)
    shell_factory.append(shell)
    login = shell.start()
    assert isinstance(login, LoginDialog)
    assert not login.keys_lost and not login.keys_notice.isVisible()
    dialog = login.open_with_recovery_key()
    dialog.key.setText(recovery_key)
    dialog.password.setText("new-admin-1")
    dialog.again.setText("new-admin-1")
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        dialog.open_button.click()
    assert shell.main_window is not None
    assert shell.main_window.workspace.store.user == "管理员"
    shell.close()
    for user, password in (("admin", PASSWORD),):
        try:
            Store.open(station_copy, user, password).close()
        except Exception as e:  # noqa: BLE001
            assert "密码不正确" in str(e)
        else:
            raise AssertionError("the old password still opens the store")
