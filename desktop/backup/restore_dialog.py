"""从备份恢复: choose a backup, see what it holds and what it would replace, confirm.

Two ways in. Logged in (文件 → 从备份恢复): the open store's own key opens only its own
backups, so another station's backup is refused at once; after the restore the program
goes back to the login (users and passwords are those of the backup). On a new PC (the
setup wizard's 从备份恢复): no store yet, so the backup is opened with a password valid on
the day of the backup, or with the recovery key.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors.dialog import show_failure
from desktop.exchange.sync_dialog import close_button
from desktop.operations.store_op import StoreOp
from desktop.operations.worker import DbWorker
from desktop.widgets.drives import start_folder
from desktop.widgets.labels import hint, set_title
from registry import backup, failures
from registry.errors import StoreError
from registry.keyslots import parse_recovery_key
from registry.progress import Progress
from registry.store import Store

FILTER = "工作站备份 (*.db);;所有文件 (*)"
RED = "#c62f2f"


def choose_backup(parent: QWidget, folder: Path | None = None) -> Path | None:
    start = str(folder) if folder is not None and folder.is_dir() else start_folder()
    name, _ = QFileDialog.getOpenFileName(parent, "选择备份文件", start, FILTER)
    return Path(name) if name else None


class RestoreDialog(QDialog):
    restored = Signal(object)  # the RestoreResult
    checked = Signal(object)  # the Preview, or the message of a refusal (tests wait for it)

    def __init__(self, worker: DbWorker, store_path: Path, store: Store | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("从备份恢复")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.worker = worker
        self.store_path = Path(store_path)
        self.store = store
        self.path: Path | None = None
        self.key: bytes | None = None
        self.preview: backup.Preview | None = None
        self._busy = False

        self.file = QLineEdit(self)
        self.file.setObjectName("backupFile")
        self.file.setReadOnly(True)
        self.file.setPlaceholderText("备份-乡镇代码-乡镇-日期.db")
        choose = QPushButton("选择备份…", self)
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(choose)
        form = QFormLayout()
        form.addRow("备份文件:", file_row)

        # Without an open store: who opens the backup.
        self.user = QComboBox(self)
        self.user.setObjectName("backupUser")
        self.user.setEditable(True)
        self.password = QLineEdit(self)
        self.password.setObjectName("backupPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.use_recovery = QCheckBox("没有密码,用恢复密钥打开", self)
        self.recovery = QLineEdit(self)
        self.recovery.setObjectName("backupRecoveryKey")
        self.recovery.setPlaceholderText("XXXX-XXXX-…(16组,每组4位)")
        self.recovery.setEnabled(False)
        self.use_recovery.toggled.connect(self._recovery_toggled)
        self.check_button = QPushButton("打开并核对备份", self)
        self.check_button.setObjectName("checkBackup")
        self.check_button.clicked.connect(self.check)
        if store is None:
            form.addRow("备份当时的用户:", self.user)
            form.addRow("密码:", self.password)
            form.addRow("", self.use_recovery)
            form.addRow("恢复密钥:", self.recovery)
            form.addRow("", self.check_button)
        else:
            for w in (self.user, self.password, self.use_recovery, self.recovery,
                      self.check_button):
                w.hide()

        self.what = QLabel("", self)
        self.what.setObjectName("restorePreview")
        self.what.setWordWrap(True)
        self.what.setTextFormat(Qt.TextFormat.RichText)
        self.what.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.hide()
        self.restore_button = QPushButton("恢复", self)
        self.restore_button.setObjectName("startRestore")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.confirm_and_restore)
        self.close_button = close_button(self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.close_button)

        title = QLabel("从备份恢复", self)
        set_title(title)
        box = QVBoxLayout(self)
        box.addWidget(title)
        where = "当前数据库" if store is not None else "数据库"
        box.addWidget(hint(
            f"用备份替换{where}:{self.store_path}。原有的数据库不会删除,而是连同密钥文件"
            "另存一份(文件名带 replaced 和时间)。恢复后,用户和密码都是备份当时的。", self))
        box.addLayout(form)
        box.addWidget(self.what, 1)
        box.addWidget(self.bar)
        box.addLayout(buttons)
        self.resize(700, 420 if store is None else 340)

    # ---- choosing and checking -------------------------------------------------------------
    def choose(self) -> None:
        path = choose_backup(self, backup.last_folder(self.store_path))
        if path is not None:
            self.set_backup(path)

    def set_backup(self, path: Path) -> None:
        self.path = path
        self.file.setText(str(path))
        self.preview = None
        self.key = None
        self.restore_button.setEnabled(False)
        self.what.clear()
        if self.store is not None:
            self.check()
            return
        self.user.clear()
        try:
            for name, _role in backup.backup_users(path):
                self.user.addItem(name)
        except StoreError:
            self.use_recovery.setChecked(True)
            self.what.setText(f"<span style='color:{RED}'>备份旁没有它的密钥文件(.keys),"
                              "只能用恢复密钥打开。</span>")
        (self.recovery if self.use_recovery.isChecked() else self.password).setFocus()

    def _recovery_toggled(self, on: bool) -> None:
        self.recovery.setEnabled(on)
        self.password.setEnabled(not on)
        self.user.setEnabled(not on)

    def check(self) -> None:
        path = self.path
        if path is None:
            self._say("请先选择备份文件。")
            return
        store, store_path = self.store, self.store_path
        if store is not None:
            def work(_p: Progress) -> tuple[bytes | None, backup.Preview]:
                return None, backup.preview_for_store(store, path)
        else:
            try:
                recovery = (parse_recovery_key(self.recovery.text())
                            if self.use_recovery.isChecked() else None)
            except StoreError as e:
                self._say(str(e))
                return
            user, password = self.user.currentText().strip(), self.password.text()
            if recovery is None and (not user or not password):
                self._say("请输入备份当时的用户名和密码,或用恢复密钥。")
                return

            def work(_p: Progress) -> tuple[bytes | None, backup.Preview]:
                key = recovery or backup.unlock_backup(path, user, password)
                return key, backup.preview(path, store_path, key)
        self.what.setText("正在打开并核对备份…")
        self._run("核对备份", work, self._checked)

    def _checked(self, result: tuple[bytes | None, backup.Preview]) -> None:
        self.key, preview = result
        self.preview = preview
        info = preview.info
        lines = [f"<p><b>备份:</b>{escape(info.region_name)}(代码 {info.region_code}),"
                 f"{info.households} 户,修改计数 {info.revision},"
                 f"{info.size / 1024 ** 2:.1f} MB,已核对无误。</p>"]
        now = preview.current
        if now is not None:
            lines.append(f"<p><b>当前数据库:</b>{now.households} 户,修改计数 {now.revision}。"
                         "</p>")
        elif Path(self.store_path).exists():
            lines.append("<p><b>当前数据库:</b>无法读取(可能已损坏),恢复后另存一份。</p>")
        else:
            lines.append("<p><b>当前数据库:</b>不存在,将由备份建立。</p>")
        if preview.refusal:
            lines.append(f"<p style='color:{RED}'><b>不能恢复:</b>{escape(preview.refusal)}</p>")
        elif preview.older:
            lines.append(f"<p style='color:{RED}'>备份比当前数据库旧:备份之后所做的修改,"
                         "恢复后将不在数据库中(原数据库会另存一份)。</p>")
        self.what.setText("".join(lines))
        self.restore_button.setEnabled(preview.refusal is None)
        if preview.refusal is None:
            self.restore_button.setDefault(True)
        self.checked.emit(preview)

    # ---- restoring --------------------------------------------------------------------------
    def confirm_and_restore(self, ask: bool = True) -> None:
        preview, path = self.preview, self.path
        if preview is None or path is None or preview.refusal:
            return
        if ask:
            question = ("确认用此备份替换当前数据库?\n\n原数据库连同密钥文件会另存一份,不会删除。"
                        "恢复后请重新登录(用户和密码是备份当时的)。")
            if preview.older:
                question = ("备份比当前数据库旧,备份之后所做的修改在恢复后将不在数据库中。\n\n"
                            + question)
            answer = QMessageBox.question(self, "从备份恢复", question)
            if answer != QMessageBox.StandardButton.Yes:
                return
        store, store_path, key, force = self.store, self.store_path, self.key, preview.older

        def work(p: Progress) -> backup.RestoreResult:
            if store is not None:
                return backup.restore_over_open_store(store, path, force=force, progress=p)
            assert key is not None
            return backup.restore(path, store_path, key, force=force, progress=p)

        self.what.setText(self.what.text() + "<p>正在恢复…</p>")
        self._run("从备份恢复", work, self._restored)

    def _restored(self, result: backup.RestoreResult) -> None:
        aside = (f"<br>原数据库另存为:{escape(result.replaced.name)}"
                 if result.replaced is not None else "")
        keys = ("" if result.keys_restored else
                f"<br><span style='color:{RED}'>备份旁没有密钥文件:请在登录窗口点"
                "“用恢复密钥打开”,设置新的管理员密码。</span>")
        self.what.setText(f"<p style='color:#1b7f3b'><b>已从备份恢复,{result.info.households} 户。"
                          f"</b>{aside}{keys}</p>")
        self.restore_button.setEnabled(False)
        self.restored.emit(result)

    # ---- plumbing ---------------------------------------------------------------------------
    def _say(self, message: str) -> None:
        self.what.setText(f"<span style='color:{RED}'>{escape(message)}</span>")
        self.checked.emit(message)

    def _run(self, doing: str, work: Any, done: Any) -> None:
        if self._busy:
            return
        self._set_busy(True)

        def ok(result: Any) -> None:
            self._set_busy(False)
            done(result)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._say(failures.user_message(error))
            if not failures.is_refusal(error):  # a bug: 程序出错, with the log's place
                show_failure(error, failures.user_message(error), doing, self)

        StoreOp(self.worker, doing, work, parent=self).success(ok).failure(failed).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.bar.setVisible(busy)
        for w in (self.restore_button, self.check_button, self.close_button):
            w.setEnabled(not busy and (w is not self.restore_button or (
                self.preview is not None and self.preview.refusal is None)))

    def reject(self) -> None:
        if not self._busy:
            super().reject()
