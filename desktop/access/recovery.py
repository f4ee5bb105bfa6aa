"""用恢复密钥打开 (from the login window): the recovery key printed at setup, a new 管理员
and password; a new key file is written (registry/recovery.py) and the store opens as that
administrator. Every old password stops working: the 管理员 resets the others' passwords.

The way in when the key file is lost, or every administrator's password is forgotten.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.operations.store_op import StoreOp
from desktop.operations.worker import DbWorker
from desktop.widgets.labels import hint, set_title
from registry import failures, recovery
from registry.errors import WrongPassword
from registry.keyslots import parse_recovery_key
from registry.store import Store


class RecoveryDialog(QDialog):
    opened = Signal(object)  # the Store, logged in as the new administrator

    def __init__(self, store_path: Path, worker: DbWorker, reason: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("用恢复密钥打开")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.store_path = Path(store_path)
        self.worker = worker
        self.store: Store | None = None

        self.key = QLineEdit(self)
        self.key.setObjectName("recoveryKey")
        self.key.setPlaceholderText("XXXX-XXXX-XXXX-…(16组,每组4位,字母不分大小写)")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.key.setFont(mono)
        self.key.setMinimumWidth(460)
        self.user = QLineEdit(recovery.DEFAULT_ADMIN, self)
        self.user.setObjectName("recoveryUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("recoveryPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("至少8位")
        self.again = QLineEdit(self)
        self.again.setObjectName("recoveryAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.again.returnPressed.connect(self.start)
        self.error = QLabel("", self)
        self.error.setObjectName("recoveryError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        for field in (self.key, self.user, self.password, self.again):
            field.textEdited.connect(lambda _t: self.error.clear())

        form = QFormLayout()
        form.addRow("恢复密钥:", self.key)
        form.addRow("新管理员用户名:", self.user)
        form.addRow("新密码:", self.password)
        form.addRow("再输入一次:", self.again)

        self.open_button = QPushButton("重建密钥文件并登录", self)
        self.open_button.setObjectName("recoveryOpen")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.start)
        cancel = QPushButton("取消", self)
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(cancel)

        box = QVBoxLayout(self)
        box.addWidget(set_title(QLabel("用恢复密钥打开", self)))
        if reason:
            why = QLabel(reason, self)
            why.setObjectName("recoveryReason")
            why.setWordWrap(True)
            why.setStyleSheet("color: #b35900;")
            box.addWidget(why)
        box.addWidget(hint(
            "恢复密钥是建站时打印或抄写的16组字符。用它打开后,程序会重建密钥文件,"
            "只保留一位新的管理员;原有的密码全部作废,其他用户需由管理员重设密码后"
            "才能登录。数据不受影响。", self))
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(buttons)
        self.key.setFocus()

    def start(self) -> None:
        try:
            key = parse_recovery_key(self.key.text())
        except WrongPassword as e:
            self._refuse(str(e), self.key)
            return
        user, password = self.user.text().strip(), self.password.text()
        if not user:
            self._refuse("请填写新管理员的用户名", self.user)
            return
        if len(password) < 8:
            self._refuse("新密码至少8位", self.password)
            return
        if password != self.again.text():
            self._refuse("两次输入的新密码不一致", self.again)
            return
        self.open_button.setEnabled(False)
        self.error.setText("正在打开…")
        path = self.store_path
        StoreOp(self.worker, "用恢复密钥打开",
                lambda _p: recovery.open_rebuilt(path, key, user, password), parent=self
                ).success(self._opened).failure(self._failed).run()

    def _refuse(self, message: str, field: QLineEdit) -> None:
        self.error.setText(message)
        field.setFocus()
        field.selectAll()

    def _opened(self, store: Store) -> None:
        self.store = store
        self.error.clear()
        self.opened.emit(store)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.open_button.setEnabled(True)
        self._refuse(failures.user_message(error), self.key)
