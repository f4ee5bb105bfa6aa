"""文件 → 用户管理… / 修改密码… / 注销 driven through the real windows."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.access.login import LoginDialog
from desktop.access.user_actions import UserActions
from desktop.access.users_dialog import UserForm, UsersDialog
from desktop.main_window import MainWindow
from desktop.shell import Shell
from registry import roles
from registry.errors import WrongPassword
from registry.store import Store
from tests.conftest import PASSWORD
from tests.desktop.conftest import log_in, save_screen

NEW = "neue-pass-22"


def _actions(window: MainWindow) -> UserActions:
    found = window.findChild(UserActions)
    assert found is not None
    return found


def _open_users(qtbot: QtBot, window: MainWindow) -> UsersDialog:
    actions = _actions(window)
    assert actions.manage_action.isEnabled()
    with qtbot.waitSignal(window.workspace.worker.busy_changed, timeout=10000,
                          check_params_cb=lambda busy: not busy):
        actions.manage_action.trigger()
    dialog = actions.users_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=10000)
    return dialog


def _submit(qtbot: QtBot, form: UserForm) -> None:
    with qtbot.waitSignal(form.succeeded, timeout=10000):
        form.ok_button.click()


def _fill_password(form: UserForm, password: str, again: str | None = None) -> None:
    assert form.new is not None and form.again is not None
    form.new.setText(password)
    form.again.setText(password if again is None else again)


def test_menu_entries(main_window: MainWindow) -> None:
    assert _actions(main_window).logout_action.isEnabled()
    texts = [a.text() for a in main_window.menu("文件").actions()]
    assert {"用户管理…", "修改密码…", "注销", "退出"} <= set(texts)
    assert texts.index("注销") == texts.index("退出") - 1


def test_admin_adds_changes_role_resets_password(qtbot: QtBot, main_window: MainWindow,
                                                 station_copy: Path, tmp_path: Path) -> None:
    dialog = _open_users(qtbot, main_window)
    assert dialog.users() == [("admin(当前登录)", "管理员")]

    form = dialog.open_add()
    assert form.name is not None and form.role is not None
    assert [form.role.itemText(i) for i in range(form.role.count())] == \
        ["录入员", "审核员", "管理员"]
    # mistakes shown beside their fields, nothing written
    form.name.setText("lisi")
    _fill_password(form, "short")
    form.ok_button.click()
    assert form.errors[form.new].text() == "密码至少8位"
    _fill_password(form, "long-enough-1", "long-enough-2")
    form.ok_button.click()
    assert form.errors[form.again].text() == "两次输入的密码不一致"
    save_screen(form, tmp_path, "users-add-mistake")
    form.name.setText("admin")
    _fill_password(form, "long-enough-1")
    with qtbot.waitSignal(form.failed, timeout=10000):
        form.ok_button.click()
    qtbot.waitUntil(lambda: "已存在" in form.errors[form.name].text())

    form.name.setText("lisi")
    form.role.setCurrentIndex(form.role.findData(roles.ENTRY))
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        _submit(qtbot, form)
    assert dialog.users() == [("admin(当前登录)", "管理员"), ("lisi", "录入员")]
    assert "已添加用户“lisi”(录入员)" in dialog.outcome.text()

    assert dialog.select_user("lisi")
    form = dialog.open_role()
    assert form is not None and form.role is not None
    assert form.role.currentData() == roles.ENTRY
    save_screen(form, tmp_path, "users-role")
    form.role.setCurrentIndex(form.role.findData(roles.REVIEW))
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        _submit(qtbot, form)
    assert ("lisi", "审核员") in dialog.users()

    assert dialog.select_user("lisi")
    form = dialog.open_reset()
    assert form is not None
    _fill_password(form, NEW)
    save_screen(form, tmp_path, "users-reset")
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        _submit(qtbot, form)
    assert "已重置用户“lisi”的密码" in dialog.outcome.text()
    save_screen(dialog, tmp_path, "users-dialog")

    with Store.open(station_copy, "lisi", NEW) as other:
        assert other.role == roles.REVIEW
    try:
        Store.open(station_copy, "lisi", "long-enough-1").close()
    except WrongPassword:
        pass
    else:
        raise AssertionError("the old password still opens the store")

    # removed after a confirmation
    assert dialog.select_user("lisi")
    dialog.remove_selected()
    assert dialog.confirm is not None and "lisi" in dialog.confirm.text()
    with qtbot.waitSignal(dialog.loaded, timeout=10000):
        dialog.confirm.accept()
    assert dialog.users() == [("admin(当前登录)", "管理员")]


def test_the_last_admin_stays(qtbot: QtBot, main_window: MainWindow, tmp_path: Path
                              ) -> None:
    dialog = _open_users(qtbot, main_window)
    assert dialog.select_user("admin")
    with qtbot.waitSignal(dialog.refused, timeout=10000) as got:
        dialog.remove_selected(ask=False)
    assert got.args == ["不能删除当前登录的用户"]
    assert "不能删除当前登录的用户" in dialog.outcome.text()
    save_screen(dialog, tmp_path, "users-refused")

    form = dialog.open_role()
    assert form is not None and form.role is not None
    form.role.setCurrentIndex(form.role.findData(roles.ENTRY))
    with qtbot.waitSignal(form.failed, timeout=10000) as got:
        form.ok_button.click()
    assert got.args == ["至少要保留一名管理员"]
    assert form.errors[form.role].text() == "至少要保留一名管理员"
    assert form.isVisible() and form.ok_button.isEnabled()
    save_screen(form, tmp_path, "users-last-admin")
    assert main_window.workspace.store.role == roles.ADMIN


def test_entry_clerk_cannot_manage_users(qtbot: QtBot, station_copy: Path,
                                         shell_factory: list[Shell]) -> None:
    with Store.open(station_copy, "admin", PASSWORD) as store:
        store.add_user("zhangsan", "clerk-pass-1", roles.ENTRY)
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell, "zhangsan", "clerk-pass-1")
    actions = _actions(window)
    assert not actions.manage_action.isEnabled()
    assert actions.manage_action.toolTip() == "只有管理员可以管理用户"
    assert actions.open_users() is None
    assert actions.password_action.isEnabled() and actions.logout_action.isEnabled()


def test_change_own_password(qtbot: QtBot, main_window: MainWindow, station_copy: Path,
                             tmp_path: Path) -> None:
    actions = _actions(main_window)
    actions.password_action.trigger()
    form = actions.password_form
    assert form is not None and form.old is not None and form.isVisible()
    form.old.setText("not-the-password")
    _fill_password(form, NEW)
    with qtbot.waitSignal(form.failed, timeout=10000):
        form.ok_button.click()
    assert form.errors[form.old].text() == "原密码不正确"
    save_screen(form, tmp_path, "users-change-password")

    form.old.setText(PASSWORD)
    _fill_password(form, NEW)
    _submit(qtbot, form)
    assert "密码已修改" in main_window.statusBar().currentMessage()
    with Store.open(station_copy, "admin", NEW) as store:
        assert store.role == roles.ADMIN


def test_log_out_returns_to_the_login(qtbot: QtBot, station_copy: Path,
                                      shell_factory: list[Shell]) -> None:
    shell = Shell(station_copy)
    shell_factory.append(shell)
    window = log_in(qtbot, shell)
    _actions(window).logout_action.trigger()
    login = shell.login
    assert isinstance(login, LoginDialog)
    qtbot.waitUntil(login.isVisible)
    assert shell.main_window is None and shell.store is None
    # and in again
    login.user.setEditText("admin")
    login.password.setText(PASSWORD)
    with qtbot.waitSignal(shell.main_window_shown, timeout=15000):
        login.try_login()
    assert shell.main_window is not None
