"""Showing a failure to the user. A refusal (and a machine accident such as a file open in
Excel or a full USB stick, whose message says what to do) is a plain warning; anything else
is a bug and gets the 程序出错 dialog: the message, where the log is, and 复制详情, which
copies what support needs — version, system, the exception's type and stack — and nothing
about any household.

    show_failure(error, failures.report(error, "导出Excel"), "导出Excel", window)

The title is only shown, never logged or copied: it may name a village or a household.
"""

from __future__ import annotations

import platform
from datetime import datetime
from importlib import metadata

import shiboken6
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from registry import applog, failures
from registry.progress import Cancelled

TITLE = "程序出错"
APP_NAME = "扶贫开发建档立卡工作站"


def program_version() -> str:
    try:
        return metadata.version("fupin-station")
    except metadata.PackageNotFoundError:  # a build without package metadata
        return "版本未知"


def details_text(error: BaseException) -> str:
    """What 复制详情 copies: no message and no value of the exception (they can quote a
    name or an ID number), only where it happened; the time finds its entry in the log."""
    return "\n".join([
        f"{APP_NAME} {program_version()}",
        f"时间:{datetime.now():%Y-%m-%d %H:%M:%S}",
        f"系统:{platform.platform()};Python {platform.python_version()};"
        f"PySide6 {pyside_version}",
        failures.safe_details(error),
    ])


class ErrorDialog(QDialog):
    """程序出错: one at a time; failures while it is open are counted on it (a slot that
    fails on every repaint must not bury the screen in dialogs)."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle(TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(520)
        self.details = details
        self.more = 0

        picture = QLabel(self)
        picture.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        picture.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel("程序遇到意外错误", self)
        heading.setProperty("role", "title")
        self.message = QLabel(message, self)
        self.message.setObjectName("errorMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        log = applog.log_path()
        self.log_line = QLabel(f"日志文件:{log}" if log.exists() else "日志文件未能写入。",
                               self)
        self.log_line.setObjectName("errorLogPath")
        self.log_line.setWordWrap(True)
        self.log_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        advice = QLabel("联系技术支持时,请点“复制详情”,把内容粘贴给对方。详情只有程序版本"
                        "和出错的位置,不含任何农户信息。", self)
        advice.setProperty("role", "hint")
        advice.setWordWrap(True)
        self.status = QLabel("", self)
        self.status.setObjectName("errorStatus")
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)

        self.copy_button = QPushButton("复制详情", self)
        self.copy_button.setObjectName("copyDetails")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_details)
        folder = QPushButton("打开日志文件夹", self)
        folder.setAutoDefault(False)
        folder.setEnabled(log.parent.is_dir())
        folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log.parent))))
        close = QPushButton("关闭", self)
        close.setDefault(True)
        close.clicked.connect(self.accept)

        text = QVBoxLayout()
        text.setSpacing(6)
        for label in (heading, self.message, self.log_line, advice, self.status):
            text.addWidget(label)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(picture)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(folder)
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.setContentsMargins(18, 16, 18, 14)
        box.addLayout(top)
        box.addSpacing(8)
        box.addLayout(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.status.setText("详情已复制到剪贴板。")

    def one_more(self) -> None:
        self.more += 1
        self.status.setText(f"此后又发生 {self.more} 次错误,均已记入日志。")


_open_dialog: ErrorDialog | None = None


def _forget(dialog: ErrorDialog) -> None:
    global _open_dialog
    if _open_dialog is dialog:
        _open_dialog = None


def open_error_dialog() -> ErrorDialog | None:
    """The 程序出错 dialog on screen, if any."""
    if _open_dialog is not None and shiboken6.isValid(_open_dialog) \
            and _open_dialog.isVisible():
        return _open_dialog
    return None


def show_failure(error: BaseException, message: str, title: str, parent: QWidget | None
                 ) -> QWidget:
    """Shows `message` (from failures.report, which has logged the failure) without
    blocking: a warning for a refusal or a machine accident, 程序出错 for a bug."""
    global _open_dialog
    if failures.is_refusal(error) or isinstance(error, OSError):
        icon = (QMessageBox.Icon.Information if isinstance(error, Cancelled)
                else QMessageBox.Icon.Warning)
        box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box
    shown = open_error_dialog()
    if shown is not None:
        shown.one_more()
        return shown
    dialog = ErrorDialog(message, details_text(error), parent)
    _open_dialog = dialog
    dialog.finished.connect(lambda _r: _forget(dialog))
    dialog.open()
    return dialog
