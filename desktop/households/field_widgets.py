"""One input widget per forms/ field type, all with the same small interface (`raw()`,
`set_value()`, `changed`), so the editor is generated from the form definitions.

Code lists are editable combo boxes: items read "07 彝族"; typing "07", "彝" or "yi"… finds
the choice (the completer matches anywhere in the text), and the stored value is the code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from forms.fields import CodeList, Field, FieldType


def choice_text(codelist: CodeList, code: str) -> str:
    return f"{code} {codelist.label_of(code)}"


class CodeCombo(QComboBox):
    """An editable combo over a code list; `code()` is the chosen code, or the typed text
    when it matches no choice (validation then says so beside the field)."""

    def __init__(self, codelist: CodeList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.codelist = codelist
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("", None)
        for choice in codelist.choices:
            self.addItem(f"{choice.code} {choice.label}", choice.code)
        self.setMaxVisibleItems(16)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.edit().setPlaceholderText("输入代码或名称查找")
        self.edit().editingFinished.connect(self._tidy)

    def edit(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # the combo is editable
        return line

    def code(self) -> str | None:
        text = self.currentText().strip()
        if not text:
            return None
        found = self.codelist.code_of(text)
        if found is None:
            # A unique partial match ("彝" → 07 彝族) counts as chosen.
            hits = [c.code for c in self.codelist.choices if text in c.label]
            found = hits[0] if len(hits) == 1 else None
        return found if found is not None else text

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        # Typing replaces the choice: "07" over "01 汉族" gives 07, not "01 汉族07".
        self.edit().selectAll()
        QTimer.singleShot(0, self.edit().selectAll)  # after a mouse click placed the caret

    def set_code(self, code: str | None) -> None:
        index = self.findData(code) if code else 0
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(str(code))

    def _tidy(self) -> None:
        code = self.code()
        if code in self.codelist.codes():
            with QSignalBlocker(self):
                self.set_code(code)


class FieldWidget(QObject):
    """A forms/ field's input: `widget` to lay out, `raw()` for validation."""

    changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.widget = self._make(field, parent)
        self.widget.setObjectName(f"field_{field.name}")
        self.widget.setToolTip(field.hint or field.label)

    def _make(self, field: Field, parent: QWidget | None) -> QWidget:
        t = field.type
        if t is FieldType.CODE:
            assert field.codelist is not None
            combo = CodeCombo(field.codelist, parent)
            combo.currentTextChanged.connect(lambda _t: self.changed.emit())
            return combo
        if t is FieldType.CODES:
            assert field.codelist is not None
            box = QWidget(parent)
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(12)
            grid.setVerticalSpacing(2)
            self._checks: dict[str, QCheckBox] = {}
            for i, choice in enumerate(field.codelist.choices):
                check = QCheckBox(choice.label, box)
                check.setObjectName(f"field_{field.name}_{choice.code}")
                check.toggled.connect(lambda _c: self.changed.emit())
                grid.addWidget(check, i // 4, i % 4)
                self._checks[choice.code] = check
            return box
        if t is FieldType.BOOL:
            check = QCheckBox("是", parent)
            check.toggled.connect(lambda _c: self.changed.emit())
            return check
        if field.name == "note":
            note = QPlainTextEdit(parent)
            note.setTabChangesFocus(True)
            note.setFixedHeight(70)
            note.textChanged.connect(self.changed.emit)
            return note
        edit = QLineEdit(parent)
        if t in (FieldType.INTEGER, FieldType.DECIMAL):
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(140)
            if field.unit:
                edit.setPlaceholderText(field.unit)
        if field.max_length:
            edit.setMaxLength(field.max_length + 10)  # over-long text gets a message, not a cut
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def raw(self) -> Any:
        w = self.widget
        if isinstance(w, CodeCombo):
            return w.code()
        if self.field.type is FieldType.CODES:
            return ",".join(code for code, c in self._checks.items() if c.isChecked())
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        assert isinstance(w, QLineEdit)
        return w.text()

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, CodeCombo):
            w.set_code(value)
        elif self.field.type is FieldType.CODES:
            codes = set(str(value).split(",")) if value else set()
            for code, check in self._checks.items():
                check.setChecked(code in codes)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("" if value is None else str(value))
        else:
            assert isinstance(w, QLineEdit)
            w.setText(format_value(value))

    def set_invalid(self, invalid: bool) -> None:
        target = self.widget
        if target.property("invalid") != invalid:
            target.setProperty("invalid", invalid)
            target.style().unpolish(target)
            target.style().polish(target)


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)
