"""The small dialogs of the procedure (a step, a notice, an objection, a county decision):
labelled fields in a grid with the error beside each field, a line saying which households
it is for, a message line for the core's refusal, and 确定/取消.

The dialog does not touch the store: its owner connects `submitted`, runs the work as a
StoreOp and calls `done()` (closes it) or `refused(error)` (says why, keeps what was typed).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from registry import failures

NAMES_SHOWN = 12  # households named in the header; the rest are counted


def households_text(names: list[str]) -> str:
    shown = "、".join(n or "(无户主)" for n in names[:NAMES_SHOWN])
    more = f" 等 {len(names)} 户" if len(names) > NAMES_SHOWN else f"(共 {len(names)} 户)"
    return shown + more


def date_edit(parent: QWidget, value: date | None = None) -> QDateEdit:
    """A date no later than today (the core refuses a date in the future)."""
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    today = QDate.currentDate()
    edit.setMaximumDate(today)
    edit.setMinimumDate(QDate(2013, 1, 1))
    edit.setDate(QDate(value.year, value.month, value.day) if value else today)
    return edit


def date_of(edit: QDateEdit) -> date:
    d = edit.date()
    return date(d.year(), d.month(), d.day())


class FormDialog(QDialog):
    submitted = Signal()  # valid on our side: the owner runs the work

    def __init__(self, title: str, parent: QWidget | None, about: str = "",
                 ok_text: str = "记录") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(520)
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.about = QLabel(about, self)
        self.about.setWordWrap(True)
        self.about.setObjectName("about")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(1, 1)
        self.message = QLabel("", self)
        self.message.setObjectName("message")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(self)
        self.ok_button = QPushButton(ok_text, self)
        self.ok_button.setDefault(True)
        self.buttons.addButton(self.ok_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(self.grid)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._row = 0
        self.busy = False

    def add_row(self, name: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        """A labelled field with its error label beneath (hidden until needed)."""
        text = QLabel(label, self)
        text.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        text.setBuddy(widget)
        widget.setObjectName(name)
        self.grid.addWidget(text, self._row, 0)
        if widget.maximumWidth() < 10_000:  # a fixed-width box keeps to the left
            self.grid.addWidget(widget, self._row, 1, Qt.AlignmentFlag.AlignLeft)
        else:
            self.grid.addWidget(widget, self._row, 1)
        if hint:
            widget.setToolTip(hint)
        error = QLabel("", self)
        error.setProperty("role", "error")
        error.setObjectName(f"error_{name}")
        error.setWordWrap(True)
        error.hide()
        self.grid.addWidget(error, self._row + 1, 1)
        self.errors[name] = error
        self.labels[name] = text
        self._row += 2
        return widget

    def set_row_visible(self, name: str, shown: bool) -> None:
        self.labels[name].setVisible(shown)
        buddy = self.labels[name].buddy()
        if buddy is not None:
            buddy.setVisible(shown)
        if not shown:
            self.errors[name].hide()
        self._fit()

    def _fit(self) -> None:
        """Grows to what it now shows (an error beside a field, a field revealed): with
        wrapped labels the layout cannot enforce its height by itself."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        need = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                else layout.totalSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def add_note(self, widget: QWidget) -> None:
        self.grid.addWidget(widget, self._row, 0, 1, 2)
        self._row += 1

    # ---- checks on our side -----------------------------------------------------------
    def check(self) -> dict[str, str]:
        """Field name → message for what is wrong before asking the core; override."""
        return {}

    def show_field_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)
        self._fit()

    def _ok(self) -> None:
        if self.busy:
            return
        errors = self.check()
        self.show_field_errors(errors)
        if errors:
            return
        self.message.hide()
        self.busy = True
        self.ok_button.setEnabled(False)
        self.submitted.emit()

    # ---- what the owner calls back ------------------------------------------------------
    def done_ok(self) -> None:
        self.busy = False
        self.accept()

    def refused(self, error: BaseException) -> None:
        """The core's refusal (or any failure), said in the dialog; the input stays."""
        self.busy = False
        self.ok_button.setEnabled(True)
        self.say(failures.user_message(error))

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._fit()
