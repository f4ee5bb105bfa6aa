"""The editor's 家庭成员 table: one row per member, columns generated from MEMBER_FORM.
Rows hold the raw values being typed (codes for code lists); sex, birth date and age are
derived from the ID number and shown, never typed. Errors mark their cell."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from forms import codelists as cl
from forms import idnumber
from forms.fields import Field, FieldType
from forms.member import MEMBER_FORM
from registry.households import MEMBER_KEEP

# Typing order: name and ID first, the derived columns right after what they come from.
COLUMN_NAMES = ("name", "id_number", "sex", "birth_date", "age", "relation", "ethnicity",
                "health", "disability_cert", "education", "school_status", "labor_skill",
                "work_status", "work_months", "medical_insurance", "pension_insurance",
                "active_military", "no_id_number")
FIELDS: tuple[Field, ...] = tuple(MEMBER_FORM[n] for n in COLUMN_NAMES)
assert {f.name for f in MEMBER_FORM.fields} == set(COLUMN_NAMES), "a member field has no column"

FieldRole = Qt.ItemDataRole.UserRole + 1  # the column's forms Field
ErrorRole = Qt.ItemDataRole.UserRole + 2

_ERROR_BRUSH = QBrush(QColor("#fde2e2"))
_DERIVED_BRUSH = QBrush(QColor("#eef3fa"))


def column_of(name: str) -> int:
    return COLUMN_NAMES.index(name)


def _facts(row: dict[str, Any]) -> idnumber.IdFacts | None:
    try:
        return idnumber.parse(str(row.get("id_number") or ""))
    except idnumber.IdNumberError:
        return None


def _no_id(row: dict[str, Any]) -> bool:
    return row.get("no_id_number") is True


def _typed(f: Field, row: dict[str, Any]) -> bool:
    """Typed in this row: an input that applies (性别 and 出生日期 only with 暂无身份证号,
    身份证号码 only without)."""
    if not f.is_input:
        return False
    if f.name in ("sex", "birth_date", "id_number"):
        return f.applies(row)
    return True


def _typed_birth(row: dict[str, Any]) -> date | None:
    value = row.get("birth_date")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


_ROOT = QModelIndex()  # the invisible root, as a default argument

class MemberTableModel(QAbstractTableModel):
    edited = Signal(int, str)  # row, field name

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        super().__init__()
        self._rows: list[dict[str, Any]] = [dict(r) for r in rows or []]
        self._errors: dict[tuple[int, str], str] = {}

    # ---- the editor's interface -------------------------------------------------------
    def raw_rows(self) -> list[dict[str, Any]]:
        keep = {*(f.name for f in MEMBER_FORM.inputs()), *MEMBER_KEEP}
        return [{k: v for k, v in r.items() if k in keep} for r in self._rows]

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(dict(values or {}))
        self.endInsertRows()
        return row

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()

    def value(self, row: int, name: str) -> Any:
        return self._rows[row].get(name)

    def set_errors(self, errors: dict[tuple[int, str], str]) -> None:
        if errors != self._errors:
            self._errors = dict(errors)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self._rows) - 1, len(FIELDS) - 1))

    def errors(self) -> dict[tuple[int, str], str]:
        return dict(self._errors)

    # ---- Qt model interface -------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(FIELDS)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and _typed(FIELDS[index.column()], self._rows[index.row()]):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        f = FIELDS[section]
        return f"{f.label}*" if f.required else f.label

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = FIELDS[index.column()]
        row = self._rows[index.row()]
        error = self._errors.get((index.row(), f.name))
        if role == FieldRole:
            return f
        if role == ErrorRole:
            return error
        if role == Qt.ItemDataRole.EditRole:
            return row.get(f.name)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(f, row)
        if role == Qt.ItemDataRole.BackgroundRole:
            if error:
                return _ERROR_BRUSH
            return None if _typed(f, row) else _DERIVED_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return error or f.hint or None
        if role == Qt.ItemDataRole.TextAlignmentRole and f.name in ("age", "work_months"):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _display(self, f: Field, row: dict[str, Any]) -> str:
        if not _typed(f, row):
            if f.name == "id_number":
                return "暂无"
            if f.name == "age" and _no_id(row):
                born = _typed_birth(row)
                return "" if born is None else str(idnumber.age_on(born, date.today()))
            facts = _facts(row)
            if facts is None:
                return ""
            if f.name == "sex":
                return cl.SEX.label_of(facts.sex)
            if f.name == "birth_date":
                return facts.birth_date.isoformat()
            if f.name == "age":
                return str(idnumber.age_on(facts.birth_date, date.today()))
            return ""
        value = row.get(f.name)
        if value is None or value == "":
            return ""
        if f.type is FieldType.CODE and f.codelist is not None:
            return f.codelist.label_of(str(value))
        if f.type is FieldType.BOOL:
            return "是" if value is True else "否" if value is False else str(value)
        return str(value)

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        f = FIELDS[index.column()]
        if not _typed(f, self._rows[index.row()]):
            return False
        row = self._rows[index.row()]
        if row.get(f.name) == value:
            return False
        row[f.name] = value
        # The derived columns follow the ID number.
        self.dataChanged.emit(self.index(index.row(), 0),
                              self.index(index.row(), len(FIELDS) - 1))
        self.edited.emit(index.row(), f.name)
        return True
