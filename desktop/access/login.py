"""The login dialog: user and password open the encrypted store (in the DB worker, since the
key derivation takes a moment). A wrong password shows a message beside the field.

The store is a file, or a `postgresql://` URL of a store on a server: there the users are
checked against the server's table, the URL is shown without its password, and there is no
recovery key (the server's operator backs it up; a forgotten password is reset by a 管理员)."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from PySide6.QtCore import QSettings, QTimer, Signal
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
from registry import failures, server
from registry.errors import StoreError, WrongPassword
from registry.keyslots import KeySlots

if TYPE_CHECKING:  # imported when used: the window shows before SQLAlchemy's models load
    from desktop.access.recovery import RecoveryDialog
    from registry.store import Store

WARM_UP_MS = 300  # after the window is up: nobody types a password faster
SHORT_MESSAGE = 12  # characters that fit beside the password field
LAST_SERVER_USER = "login/last_server_user"
ON_SERVER = "服务器数据库:忘记密码请找本系统管理员重设;备份由服务器管理员负责。"
KEYS_LOST = ("找不到密钥文件(应与数据库放在同一文件夹,文件名以 .keys 结尾),无法用密码登录。"
             "请点“用恢复密钥打开”,用建站时打印的恢复密钥打开并设置新的管理员密码。")


class LoginDialog(QDialog):
    logged_in = Signal(object)  # the open Store

    def __init__(self, store: Path | str, worker: DbWorker,
                 demo_login: tuple[str, str] | None = None,
                 parent: QWidget | None = None, warm_up: Sequence[str] = ()) -> None:
        """`warm_up`: the modules of what opens after the login (the main window and its
        features), loaded in the worker with the store's code while the password is typed."""
        super().__init__(parent)
        self.target = store
        self._warm_up_modules = list(warm_up)
        self.on_server = isinstance(store, str)
        self._worker = worker
        self.setObjectName("loginDialog")
        self.setWindowTitle("登录 — 扶贫开发建档立卡工作站")
        self.setWindowIcon(icon("app"))
        self.setMinimumWidth(520)

        title = QLabel("扶贫开发建档立卡 乡镇工作站", self)
        title.setProperty("role", "title")
        # The URL without its password, its socket folder readable (/tmp, not %2Ftmp).
        where = QLabel(f"服务器数据库:{unquote(server.shown(store))}" if isinstance(store, str)
                       else f"数据库:{store}", self)
        where.setObjectName("loginWhere")
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
        if isinstance(store, Path):
            try:
                # Names only: roles are inside the encrypted store, read after login.
                for name, _role in KeySlots.load(store).users():
                    self.user.addItem(name)
            except StoreError:
                # A lost key file: said at once, and 用恢复密钥打开 is the way on. Other
                # problems appear when the user tries to log in.
                self.keys_lost = self._keys_file_lost()
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.try_login)
        self.password.textEdited.connect(lambda _t: self.error.clear())

        self._grid = grid = QGridLayout()
        grid.addWidget(QLabel("用户", self), 0, 0)
        grid.addWidget(self.user, 0, 1)
        grid.addWidget(QLabel("密码", self), 1, 0)
        grid.addWidget(self.password, 1, 1)
        grid.addWidget(self.error, 1, 2)
        grid.setColumnStretch(1, 1)

        self.hint = QLabel("", self)
        self.hint.setObjectName("loginHint")
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        if self.on_server:
            self.hint.setText(ON_SERVER)
            self.user.setEditText(str(QSettings().value(LAST_SERVER_USER, "") or ""))
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
        self.recovery_button.setVisible(not self.on_server)  # a server has no recovery key
        self.login_button = QPushButton("登录", self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        quit_button = QPushButton("退出", self)
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        # The hint has a line of its own: beside the buttons it was cut short.
        self.hint.setVisible(bool(self.hint.text()))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.recovery_button)
        buttons.addWidget(self.login_button)
        buttons.addWidget(quit_button)

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addWidget(title)
        layout.addWidget(where)
        layout.addSpacing(6)
        layout.addWidget(self.keys_notice)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        (self.password if self.user.currentText() else self.user).setFocus()
        if self.keys_lost:
            self._keys_lost()
        QTimer.singleShot(WARM_UP_MS, self, self._warm_up)

    def _warm_up(self) -> None:
        """Loads the store's code (SQLAlchemy, the models, about a second) in the worker
        while the password is typed, so that 登录 does not wait for it; a login that comes
        sooner runs after it in the same worker. Then the modules of the main window (half
        a second more): importing them off the UI thread is safe, no module makes a widget
        when imported, and the login's `_opened` runs only after this work is done."""
        drivers = ["registry.store"] + (["psycopg"] if self.on_server else [])
        modules = drivers + self._warm_up_modules

        def load(_progress: object) -> None:
            for name in drivers:
                # No driver in this build (the township installer): the login says so.
                with contextlib.suppress(ImportError):
                    importlib.import_module(name)
            for name in self._warm_up_modules:
                importlib.import_module(name)

        if any(name not in sys.modules for name in modules):
            StoreOp(self._worker, "准备登录", load, parent=self).run()

    def _keys_lost(self) -> None:
        self.error.clear()
        self.keys_notice.setText(KEYS_LOST)
        self.keys_notice.show()
        self.login_button.setDefault(False)
        self.recovery_button.setDefault(True)
        self.recovery_button.setFocus()

    def open_with_recovery_key(self) -> RecoveryDialog:
        from desktop.access.recovery import RecoveryDialog

        assert isinstance(self.target, Path)  # the button is hidden on a server
        reason = "找不到密钥文件:只能用恢复密钥打开。" if self.keys_lost else ""
        dialog = RecoveryDialog(self.target, self._worker, reason, self)
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
        target = self.target

        def open_store(_progress: object) -> Store:
            from registry.store import Store  # in the worker: the window stays responsive

            return Store.open(target, user, password)

        StoreOp(self._worker, "登录", open_store, parent=self
                ).success(self._opened).failure(self._failed).run()

    def _opened(self, store: Store) -> None:
        self.error.clear()
        if self.on_server:  # the file lists its users; a server's are asked for by name
            QSettings().setValue(LAST_SERVER_USER, store.user)
        self.logged_in.emit(store)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.login_button.setEnabled(True)
        if isinstance(error, WrongPassword):
            self.error.setText("用户名或密码不正确")
        elif self._keys_file_lost():
            self.keys_lost = True
            self._keys_lost()
            return
        else:
            self.say(failures.user_message(error))
        self.password.selectAll()
        self.password.setFocus()

    def say(self, message: str) -> None:
        """An error beside the password; one too long for that column (a server that cannot
        be reached, a damaged file) goes under the fields, at their width, unclipped."""
        wide = len(message) > SHORT_MESSAGE
        self._grid.removeWidget(self.error)
        if wide:
            self._grid.addWidget(self.error, 2, 1, 1, 2)
        else:
            self._grid.addWidget(self.error, 1, 2)
        self.error.setText(message)
        self._layout.activate()
        needed = (self._layout.heightForWidth(self.width())
                  if self._layout.hasHeightForWidth() else -1)
        if needed > self.height():  # the window grows to show it all
            self.resize(self.width(), needed)

    def _keys_file_lost(self) -> bool:
        """A file store whose key file beside it is missing (a server has none)."""
        return (isinstance(self.target, Path) and self.target.exists()
                and not KeySlots.path_for(self.target).exists())
