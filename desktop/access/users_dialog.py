"""用户管理 (the 管理员: add, change the role, reset the password, remove) and 修改密码 (every
user, their own). Every change writes the key file, so it runs in the DB worker; the core
checks the role and refuses in Chinese (至少要保留一名管理员…), and the refusal is shown in
the dialog.

    UsersDialog(workspace, parent).show()     # .open_add() .open_role() .open_reset()
    UserForm.change_password(workspace, parent).show()
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors.dialog import show_failure
from desktop.operations.store_op import StoreOp
from desktop.widgets.labels import hint, set_title
from desktop.workspace import Workspace
from registry import failures, roles
from registry.roles import Act

MIN_PASSWORD = 8
MAX_NAME = 20
ERROR_WIDTH = 190
NameRole = Qt.ItemDataRole.UserRole

Values = dict[str, str]


def _red(text: str) -> str:
    return f"<span style='color:#c62f2f'>{escape(text)}</span>"


def _green(text: str) -> str:
    return f"<span style='color:#1b7f3b'>{escape(text)}</span>"


class UserForm(QDialog):
    """A small form for one user: any of 用户名, 角色, 原密码, 新密码 twice. A mistake is
    shown in red beside its field; `submit` checks what it can here, then runs `work` in the
    DB worker and closes when it succeeded."""

    succeeded = Signal(object)  # the values submitted
    failed = Signal(str)  # the message shown

    def __init__(self, workspace: Workspace, title: str, intro: str,
                 work: Callable[[Values], None], *, button: str, name: str | None = None,
                 ask_name: bool = False, role: str | None = None, ask_role: bool = False,
                 ask_old: bool = False, ask_new: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userForm")
        self.setWindowTitle(title)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.workspace = workspace
        self.work = work
        self.fixed_name = name
        self.errors: dict[QWidget, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(label: str, field: QWidget) -> None:
            error = QLabel("", self)
            error.setProperty("role", "error")
            error.setWordWrap(True)
            error.setFixedWidth(ERROR_WIDTH)
            line = QHBoxLayout()
            line.addWidget(field, 1)
            line.addWidget(error)
            form.addRow(label, line)
            self.errors[field] = error

        def password_field(name: str) -> QLineEdit:
            field = QLineEdit(self)
            field.setObjectName(name)
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setMinimumWidth(200)
            return field

        self.name: QLineEdit | None = None
        self.role: QComboBox | None = None
        self.old: QLineEdit | None = None
        self.new: QLineEdit | None = None
        self.again: QLineEdit | None = None
        if name is not None:
            now = roles.role_name(role or "", workspace.store.info.kind)
            shown = QLabel(f"<b>{escape(name)}</b>(当前角色:{now})"
                           if role else f"<b>{escape(name)}</b>", self)
            shown.setObjectName("formUser")
            form.addRow("用户名:", shown)
        if ask_name:
            self.name = QLineEdit(self)
            self.name.setObjectName("newUserName")
            self.name.setMaxLength(MAX_NAME)
            self.name.setPlaceholderText("登录时输入的名字,如 zhangsan 或 张三")
            self.name.setMinimumWidth(200)
            row("用户名:", self.name)
        if ask_role:
            self.role = QComboBox(self)
            self.role.setObjectName("userRole")
            self.role.setMinimumWidth(200)
            for key in roles.roles_for(workspace.store.info.kind):
                self.role.addItem(roles.role_name(key, workspace.store.info.kind), key)
            if role is not None and self.role.findData(role) >= 0:
                self.role.setCurrentIndex(self.role.findData(role))
            row("新角色:" if name is not None else "角色:", self.role)
        if ask_old:
            self.old = password_field("oldPassword")
            row("原密码:", self.old)
        if ask_new:
            self.new = password_field("newPassword")
            self.new.setPlaceholderText(f"至少{MIN_PASSWORD}位")
            row("新密码:" if ask_old or name is not None else "密码:", self.new)
            self.again = password_field("againPassword")
            row("再输入一次:", self.again)
            self.again.returnPressed.connect(self.submit)
        for field in self.errors:
            if isinstance(field, QLineEdit):
                field.textEdited.connect(lambda _t, f=field: self._clear(f))

        self.error = QLabel("", self)  # what belongs to no field
        self.error.setObjectName("formError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.ok_button = QPushButton(button, self)
        self.ok_button.setObjectName("formOk")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.submit)
        cancel = QPushButton("取消", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(cancel)

        self.setMinimumWidth(500)
        box = QVBoxLayout(self)
        box.addWidget(set_title(QLabel(title, self)))
        box.addWidget(hint(intro, self))
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(buttons)
        first = next((f for f in (self.name, self.old, self.new) if f is not None), None)
        if first is not None:
            first.setFocus()

    # ---- the kinds of form -----------------------------------------------------------------
    @classmethod
    def add_user(cls, workspace: Workspace, parent: QWidget | None = None) -> UserForm:
        store = workspace.store

        def work(v: Values) -> None:
            store.add_user(v["name"], v["new"], v["role"])

        return cls(workspace, "添加用户", "新用户用这里设的用户名和密码登录,"
                   "登录后可在“文件 → 修改密码”改成只有自己知道的密码。", work,
                   button="添加", ask_name=True, ask_role=True, ask_new=True, parent=parent)

    @classmethod
    def set_role(cls, workspace: Workspace, name: str, role: str,
                 parent: QWidget | None = None) -> UserForm:
        store = workspace.store

        def work(v: Values) -> None:
            store.set_role(name, v["role"])

        return cls(workspace, "修改角色", "录入员登记农户;审核员还记录评议、核实和公示;"
                   "管理员还管理用户、密钥和同步。", work, button="修改",
                   name=name, role=role, ask_role=True, parent=parent)

    @classmethod
    def reset_password(cls, workspace: Workspace, name: str,
                       parent: QWidget | None = None) -> UserForm:
        store = workspace.store

        def work(v: Values) -> None:
            store.reset_password(name, v["new"])

        return cls(workspace, "重置密码", "用户忘记密码时由管理员设一个新密码;"
                   "原密码随即作废。请当面告诉用户,并提醒其登录后修改。", work,
                   button="重置", name=name, ask_new=True, parent=parent)

    @classmethod
    def change_password(cls, workspace: Workspace, parent: QWidget | None = None
                        ) -> UserForm:
        store = workspace.store

        def work(v: Values) -> None:
            store.change_password(v["old"], v["new"])

        return cls(workspace, "修改密码", "下次登录起使用新密码。"
                   "密码请勿告诉他人,也不要写在电脑旁。", work, button="修改",
                   name=store.user, ask_old=True, ask_new=True, parent=parent)

    # ---- submitting ----------------------------------------------------------------------
    def values(self) -> Values:
        v: Values = {}
        if self.fixed_name is not None:
            v["name"] = self.fixed_name
        if self.name is not None:
            v["name"] = self.name.text().strip()
        if self.role is not None:
            v["role"] = str(self.role.currentData())
        for key, field in (("old", self.old), ("new", self.new)):
            if field is not None:
                v[key] = field.text()
        return v

    def _check(self) -> tuple[str, QWidget] | None:
        if self.name is not None:
            name = self.name.text().strip()
            if not name:
                return "请填写用户名", self.name
            if len(name) > MAX_NAME:
                return f"用户名不能超过{MAX_NAME}个字", self.name
        if self.old is not None and not self.old.text():
            return "请输入原密码", self.old
        if self.new is not None and self.again is not None:
            if len(self.new.text()) < MIN_PASSWORD:
                return f"密码至少{MIN_PASSWORD}位", self.new
            if self.new.text() != self.again.text():
                return "两次输入的密码不一致", self.again
        return None

    def submit(self) -> None:
        if not self.ok_button.isEnabled():
            return
        self.clear_errors()
        mistake = self._check()
        if mistake is not None:
            self.show_error(*mistake)
            return
        values = self.values()
        self.ok_button.setEnabled(False)
        self.error.setText("正在保存…")
        StoreOp(self.workspace.worker, self.windowTitle(), lambda _p: self.work(values),
                parent=self).success(lambda _r: self._done(values)).failure(
            self._failed).run()

    def _done(self, values: Values) -> None:
        self.error.clear()
        self.succeeded.emit(values)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self.error.clear()
        message = failures.user_message(error)
        if not failures.is_refusal(error):
            show_failure(error, message, self.windowTitle(), self)
        self.show_error(message, self._field_for(message))

    def _field_for(self, message: str) -> QWidget | None:
        if "原密码" in message:
            return self.old
        if "用户名" in message or "已存在" in message:
            return self.name
        if "密码" in message:
            return self.new
        if "角色" in message or "管理员" in message:
            return self.role
        return None

    def show_error(self, message: str, field: QWidget | None = None) -> None:
        self.failed.emit(message)
        label = self.errors.get(field) if field is not None else None
        if label is None:
            self.error.setText(message)
            return
        label.setText(message)
        assert field is not None
        field.setFocus()
        if isinstance(field, QLineEdit):
            field.selectAll()

    def error_text(self) -> str:
        """Every message on the form (tests)."""
        return " ".join(t for t in [self.error.text(), *(e.text() for e in
                                                         self.errors.values())] if t)

    def _clear(self, field: QWidget) -> None:
        self.errors[field].clear()
        self.error.clear()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
        self.error.clear()


class UsersDialog(QDialog):
    """The users of this store: 用户名, 角色; buttons for the 管理员's four acts."""

    loaded = Signal(int)  # users listed
    changed = Signal(str)  # what was done (shown in the dialog)
    refused = Signal(str)  # the refusal shown in the dialog
    own_role_changed = Signal(str)  # the logged-in user's new role

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usersDialog")
        self.setWindowTitle("用户管理")
        self._kind = workspace.store.info.kind  # the roles' names: 县/市(州)/省管理员
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.workspace = workspace
        self.form: UserForm | None = None
        self.confirm: QMessageBox | None = None
        self._roles: dict[str, str] = {}

        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(["用户名", "角色"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, 110)
        header.setHighlightSections(False)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.open_role())

        def button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.setAutoDefault(False)
            b.clicked.connect(lambda: slot())
            return b

        self.add_button = button("添加用户…", "addUser", self.open_add)
        self.role_button = button("修改角色…", "changeRole", self.open_role)
        self.reset_button = button("重置密码…", "resetPassword", self.open_reset)
        self.remove_button = button("删除用户…", "removeUser", self.remove_selected)
        close = button("关闭", "closeUsers", self.accept)
        side = QVBoxLayout()
        for b in (self.add_button, self.role_button, self.reset_button, self.remove_button):
            side.addWidget(b)
        side.addStretch(1)
        side.addWidget(close)

        self.outcome = QLabel("", self)
        self.outcome.setObjectName("usersOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(side)
        box = QVBoxLayout(self)
        box.addWidget(set_title(QLabel("用户管理", self)))
        box.addWidget(hint("每人用自己的用户名和密码登录,审计日志记下是谁做的修改。"
                           "录入员登记农户;审核员还记录评议、核实和公示;"
                           "管理员还管理用户、密钥、同步和备份恢复。至少要保留一名管理员。",
                           self))
        box.addLayout(middle, 1)
        box.addWidget(self.outcome)
        self.resize(600, 400)
        self._selection_changed()
        self.load()

    # ---- the list --------------------------------------------------------------------------
    def load(self) -> None:
        store = self.workspace.store
        StoreOp(self.workspace.worker, "读取用户", lambda _p: store.users(), parent=self
                ).success(self._show).failure(self._refused).run()

    def _show(self, users: list[tuple[str, str]]) -> None:
        selected = self.selected_user()
        me = self.workspace.store.user
        self._roles = dict(users)
        self.table.setRowCount(len(users))
        for row, (name, role) in enumerate(users):
            shown = QTableWidgetItem(f"{name}(当前登录)" if name == me else name)
            shown.setData(NameRole, name)
            self.table.setItem(row, 0, shown)
            self.table.setItem(row, 1, QTableWidgetItem(roles.role_name(role, self._kind)))
            if name == selected:
                self.table.selectRow(row)
        if self.selected_user() is None and users:
            self.table.selectRow(0)
        self._selection_changed()
        self.loaded.emit(len(users))

    def users(self) -> list[tuple[str, str]]:
        """(name as shown, role as shown) of each row (tests)."""
        return [(self._text(r, 0), self._text(r, 1)) for r in range(self.table.rowCount())]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def selected_user(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(NameRole)) if item is not None else None

    def select_user(self, name: str) -> bool:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(NameRole) == name:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self) -> None:
        allowed = self.workspace.store.can(Act.MANAGE_USERS)
        chosen = self.selected_user() is not None
        self.add_button.setEnabled(allowed)
        for b in (self.role_button, self.reset_button, self.remove_button):
            b.setEnabled(allowed and chosen)

    # ---- the four acts -------------------------------------------------------------------
    def _open_form(self, form: UserForm, done: Callable[[Values], str]) -> UserForm:
        if self.form is not None and shiboken6.isValid(self.form) and self.form.isVisible():
            self.form.reject()
        self.form = form
        self.outcome.clear()

        def succeeded(values: Values) -> None:
            self._said(done(values))

        form.succeeded.connect(succeeded)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.setWindowModality(Qt.WindowModality.WindowModal)
        form.show()
        return form

    def open_add(self) -> UserForm:
        return self._open_form(
            UserForm.add_user(self.workspace, self),
            lambda v: f"已添加用户“{v['name']}”({roles.role_name(v['role'], self._kind)})。")

    def open_role(self) -> UserForm | None:
        name = self.selected_user()
        if name is None or not self.role_button.isEnabled():
            return None

        def done(v: Values) -> str:
            if name == self.workspace.store.user:
                self.own_role_changed.emit(v["role"])
                self._selection_changed()
                return (f"您的角色已改为{roles.role_name(v['role'], self._kind)},"
                        "部分菜单在重新登录后才会变化。")
            return f"用户“{name}”的角色已改为{roles.role_name(v['role'], self._kind)}。"

        return self._open_form(
            UserForm.set_role(self.workspace, name, self._roles.get(name, ""), self), done)

    def open_reset(self) -> UserForm | None:
        name = self.selected_user()
        if name is None:
            return None
        return self._open_form(UserForm.reset_password(self.workspace, name, self),
                               lambda _v: f"已重置用户“{name}”的密码,原密码已作废。")

    def remove_selected(self, ask: bool = True) -> None:
        name = self.selected_user()
        if name is None:
            return
        if not ask:
            self._remove(name)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "删除用户",
                          f"删除用户“{name}”?删除后此人不能再登录;"
                          "其已登记的农户和审计记录都保留。",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirmRemoveUser")
        box.button(QMessageBox.StandardButton.Yes).setText("删除")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(lambda: self._remove(name))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm = box
        box.open()

    def _remove(self, name: str) -> None:
        store = self.workspace.store
        self.outcome.setText("正在删除…")
        StoreOp(self.workspace.worker, "删除用户", lambda _p: store.remove_user(name),
                parent=self).success(lambda _r: self._said(f"已删除用户“{name}”。")
                                     ).failure(self._refused).run()

    # ---- what happened -------------------------------------------------------------------
    def _said(self, text: str) -> None:
        self.outcome.setText(_green(text))
        self.changed.emit(text)
        self.load()

    def _refused(self, error: BaseException) -> None:
        message = failures.user_message(error)
        if not failures.is_refusal(error):
            show_failure(error, message, "用户管理", self)
        self.outcome.setText(_red(f"未完成:{message}"))
        self.refused.emit(message)
