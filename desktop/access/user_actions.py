"""文件 → 用户管理… (the 管理员), 修改密码… and 注销 (everyone).

    install(window, on_logout)     # on_logout() -> the login window the shell opens
    window.findChild(UserActions)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.access.users_dialog import UserForm, UsersDialog
from desktop.look import icon
from registry.roles import Act

if TYPE_CHECKING:
    from desktop.main_window import MainWindow

MENU = "文件"


class UserActions(QObject):
    def __init__(self, window: MainWindow, on_logout: Callable[[], QWidget | None]) -> None:
        super().__init__(window)
        self.setObjectName("userActions")
        self.window = window
        self.workspace = window.workspace
        self.on_logout = on_logout
        self.users_dialog: UsersDialog | None = None
        self.password_form: UserForm | None = None

        self.manage_action = QAction(icon("users"), "用户管理…", window)
        self.manage_action.setObjectName("manageUsersAction")
        self.manage_action.triggered.connect(lambda: self.open_users())
        self.password_action = QAction(icon("key"), "修改密码…", window)
        self.password_action.setObjectName("changePasswordAction")
        self.password_action.triggered.connect(lambda: self.open_change_password())
        self.logout_action = QAction(icon("logout"), "注销", window)
        self.logout_action.setObjectName("logoutAction")
        self.logout_action.setToolTip("退出当前用户,回到登录窗口")
        self.logout_action.triggered.connect(lambda: self.log_out())
        self._update_allowed()

        menu = window.menu(MENU)
        separators = [a for a in menu.actions() if a.isSeparator()]
        before = separators[-1] if separators else None
        if before is not None:
            menu.insertSeparator(before)
        for action in (self.manage_action, self.password_action):
            if before is not None:
                menu.insertAction(before, action)
            else:
                menu.addAction(action)
            window.addAction(action)
        # 注销 next to 退出, after the last separator
        quit_action = menu.actions()[-1] if menu.actions() else None
        if quit_action is not None and not quit_action.isSeparator():
            menu.insertAction(quit_action, self.logout_action)
        else:
            menu.addAction(self.logout_action)
        window.addAction(self.logout_action)

    def _update_allowed(self) -> None:
        allowed = self.workspace.store.can(Act.MANAGE_USERS)
        self.manage_action.setEnabled(allowed)
        self.manage_action.setToolTip("" if allowed else "只有管理员可以管理用户")

    def open_users(self) -> UsersDialog | None:
        if not self.manage_action.isEnabled():
            return None
        dialog = self.users_dialog
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            return dialog
        dialog = UsersDialog(self.workspace, self.window)
        dialog.own_role_changed.connect(lambda _r: self._update_allowed())
        self.users_dialog = dialog
        dialog.show()
        return dialog

    def open_change_password(self) -> UserForm:
        form = self.password_form
        if form is not None and shiboken6.isValid(form) and form.isVisible():
            form.raise_()
            return form
        form = UserForm.change_password(self.workspace, self.window)
        form.succeeded.connect(
            lambda _v: self.window.statusBar().showMessage("密码已修改,下次登录时使用新密码", 6000))
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.password_form = form
        form.show()
        return form

    def log_out(self) -> QWidget | None:
        """Back to the login window; an unsaved household in the editor is not lost."""
        editor = self.window.editor
        if editor is not None and editor.is_dirty():
            editor.show()
            editor.raise_()
            box = QMessageBox(QMessageBox.Icon.Information, "注销",
                              "正在编辑的农户还没有保存。请先保存或取消,再注销。",
                              QMessageBox.StandardButton.Ok, editor)
            box.button(QMessageBox.StandardButton.Ok).setText("确定")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return None
        return self.on_logout()


def install(window: MainWindow, on_logout: Callable[[], QWidget | None]) -> UserActions:
    return UserActions(window, on_logout)
