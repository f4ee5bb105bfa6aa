"""The login dialog: user and password open the encrypted store (in the DB worker, since the
key derivation takes a moment). A wrong password shows a message beside the field."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.look import icon
from desktop.operations.store_op import StoreOp
from desktop.operations.worker import DbWorker
from registry import failures
from registry.errors import StoreError, WrongPassword
from registry.keyslots import KeySlots

if TYPE_CHECKING:  # imported when used: the window shows before SQLAlchemy's models load
    from desktop.access.recovery import RecoveryDialog
    from registry.store import Store

WARM_UP_MS = 300  # after the window is up: nobody types a password faster
KEYS_LOST = ("找不到密钥文件(应与数据库放在同一文件夹,文件名以 .keys 结尾),无法用密码登录。"
             "请点“用恢复密钥打开”,用建站时打印的恢复密钥打开并设置新的管理员密码。")


class LoginDialog(QDialog):
    logged_in = Signal(object)  # the open Store

    def __init__(self, store_path: Path, worker: DbWorker,
                 demo_login: tuple[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_path = store_path
        self._worker = worker
        self.setObjectName("loginDialog")
        self.setWindowTitle("登录 — 扶贫开发建档立卡工作站")
        self.setWindowIcon(icon("app"))
        self.setMinimumWidth(520)

        title = QLabel("扶贫开发建档立卡 乡镇工作站", self)
        title.setProperty("role", "title")
        where = QLabel(f"数据库:{store_path}", self)
        where.setProperty("role", "hint")
        where.setWordWrap(True)

        self.error = QLabel("", self)
        self.error.setObjectName("loginError")
        self.error.setProperty("role", "error")
        self.error.setMinimumWidth(170)
        self.error.setWordWrap(True)
        self.user = QComboBox(self)
        self.user.setObjectName("loginUser")
        self.user.setEditable(True)
        self.keys_lost = False
        try:
            # Names only: roles are inside the encrypted store, read after login.
            for name, _role in KeySlots.load(store_path).users():
                self.user.addItem(name)
        except StoreError:
            # A lost key file: said at once, and 用恢复密钥打开 is the way on. Other
            # problems appear when the user tries to log in.
            self.keys_lost = store_path.exists() and not KeySlots.path_for(store_path).exists()
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.try_login)
        self.password.textEdited.connect(lambda _t: self.error.clear())

        grid = QGridLayout()
        grid.addWidget(QLabel("用户", self), 0, 0)
        grid.addWidget(self.user, 0, 1)
        grid.addWidget(QLabel("密码", self), 1, 0)
        grid.addWidget(self.password, 1, 1)
        grid.addWidget(self.error, 1, 2)
        grid.setColumnStretch(1, 1)

        self.hint = QLabel("", self)
        self.hint.setProperty("role", "hint")
        if demo_login:
            self.user.setEditText(demo_login[0])
            self.password.setText(demo_login[1])
            self.hint.setText(f"演示工作站:用户 {demo_login[0]},密码 {demo_login[1]}"
                              "(已填好,按回车登录)")

        self.keys_notice = QLabel("", self)
        self.keys_notice.setObjectName("keysLost")
        self.keys_notice.setProperty("role", "error")
        self.keys_notice.setWordWrap(True)
        self.keys_notice.hide()
        self.recovery_button = QPushButton("用恢复密钥打开…", self)
        self.recovery_button.setObjectName("recoveryButton")
        self.recovery_button.setAutoDefault(False)
        self.recovery_button.clicked.connect(lambda: self.open_with_recovery_key())
        self.login_button = QPushButton("登录", self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        quit_button = QPushButton("退出", self)
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.recovery_button)
        buttons.addWidget(self.login_button)
        buttons.addWidget(quit_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addWidget(title)
        layout.addWidget(where)
        layout.addSpacing(6)
        layout.addWidget(self.keys_notice)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        (self.password if self.user.currentText() else self.user).setFocus()
        if self.keys_lost:
            self._keys_lost()
        QTimer.singleShot(WARM_UP_MS, self, self._warm_up)

    def _warm_up(self) -> None:
        """Loads the store's code (SQLAlchemy, the models, about a second) in the worker
        while the password is typed, so that 登录 does not wait for it; a login that comes
        sooner runs after it in the same worker."""
        if "registry.store" not in sys.modules:
            StoreOp(self._worker, "准备登录",
                    lambda _p: importlib.import_module("registry.store"), parent=self).run()

    def _keys_lost(self) -> None:
        self.error.clear()
        self.keys_notice.setText(KEYS_LOST)
        self.keys_notice.show()
        self.login_button.setDefault(False)
        self.recovery_button.setDefault(True)
        self.recovery_button.setFocus()

    def open_with_recovery_key(self) -> RecoveryDialog:
        from desktop.access.recovery import RecoveryDialog

        reason = "找不到密钥文件:只能用恢复密钥打开。" if self.keys_lost else ""
        dialog = RecoveryDialog(self.store_path, self._worker, reason, self)
        dialog.opened.connect(self._opened)
        dialog.open()
        return dialog

    def try_login(self) -> None:
        user = self.user.currentText().strip()
        password = self.password.text()
        if not user:
            self.error.setText("请输入用户名")
            return
        if not password:
            self.error.setText("请输入密码")
            return
        self.login_button.setEnabled(False)
        self.error.setText("正在打开…")
        path = self.store_path

        def open_store(_progress: object) -> Store:
            from registry.store import Store  # in the worker: the window stays responsive

            return Store.open(path, user, password)

        StoreOp(self._worker, "登录", open_store, parent=self
                ).success(self._opened).failure(self._failed).run()

    def _opened(self, store: Store) -> None:
        self.error.clear()
        self.logged_in.emit(store)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.login_button.setEnabled(True)
        if isinstance(error, WrongPassword):
            self.error.setText("用户名或密码不正确")
        elif self.store_path.exists() and not KeySlots.path_for(self.store_path).exists():
            self.keys_lost = True
            self._keys_lost()
            return
        else:
            self.error.setText(failures.user_message(error))
        self.password.selectAll()
        self.password.setFocus()
