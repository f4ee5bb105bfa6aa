"""The editable 家庭成员 table: code-list cells edit with the same type-to-find combo as the
household fields, and Tab walks the editable cells only (the derived ones are skipped), so a
member is typed in one pass: 姓名 Tab 身份证号 Tab 与户主关系 Tab 民族 Tab 健康状况 …"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.households.field_widgets import CodeCombo
from desktop.households.member_model import FIELDS, FieldRole
from forms.fields import Field, FieldType

_BOOL_CHOICES = (("", None), ("是", True), ("否", False))


class MemberDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        f: Field = index.data(FieldRole)
        if f.type is FieldType.CODE and f.codelist is not None:
            combo = CodeCombo(f.codelist, parent)
            combo.setFrame(False)
            return combo
        if f.type is FieldType.BOOL:
            box = QComboBox(parent)
            for text, value in _BOOL_CHOICES:
                box.addItem(text, value)
            return box
        edit = QLineEdit(parent)
        edit.setFrame(False)
        if f.type is FieldType.ID_NUMBER:
            edit.setMaxLength(20)
        return edit

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex
                      ) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, CodeCombo):
            editor.set_code(value)
            editor.edit().selectAll()  # typing replaces the choice
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        value: Any
        if isinstance(editor, CodeCombo):
            value = editor.code()
        elif isinstance(editor, QComboBox):
            value = editor.currentData()
        elif isinstance(editor, QLineEdit):
            value = editor.text().strip()
        else:
            return
        model.setData(index, value, Qt.ItemDataRole.EditRole)


class MemberTableView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(MemberDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        widths = {"name": 76, "id_number": 168, "sex": 40, "birth_date": 92, "age": 40,
                  "relation": 84, "ethnicity": 76, "health": 84, "disability_cert": 176,
                  "education": 80, "school_status": 90, "labor_skill": 126,
                  "work_status": 120, "work_months": 70, "no_id_number": 96}
        for i, f in enumerate(FIELDS):
            self.setColumnWidth(i, widths.get(f.name, 96))

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        index = super().moveCursor(cursorAction, modifiers)
        if cursorAction not in (QAbstractItemView.CursorAction.MoveNext,
                                QAbstractItemView.CursorAction.MovePrevious):
            return index
        model = self.model()
        step = 1 if cursorAction == QAbstractItemView.CursorAction.MoveNext else -1
        # Skip the derived (read-only) columns.
        while index.isValid() and not (model.flags(index) & Qt.ItemFlag.ItemIsEditable):
            column = index.column() + step
            row = index.row()
            if column >= model.columnCount():
                column, row = 0, row + 1
            elif column < 0:
                column, row = model.columnCount() - 1, row - 1
            if not 0 <= row < model.rowCount():
                return self.currentIndex()
            index = model.index(row, column)
        return index

    def edit_cell(self, row: int, column: int) -> None:
        index = self.model().index(row, column)
        self.setCurrentIndex(index)
        self.scrollTo(index)
        self.edit(index)
