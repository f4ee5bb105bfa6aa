"""The columns of the two sheets, generated from the forms/ definitions: headers, widths,
how a stored value is shown (code lists as their Chinese labels) and which headers a
filled-in file may use for a field."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from forms.fields import CodeList, Field
from forms.fields import FieldType as T
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM

HOUSEHOLDS_SHEET = "农户"
MEMBERS_SHEET = "家庭成员"
HOUSEHOLD_NO = "household_no"  # the link between the two sheets, numbered in the file
HOUSEHOLD_NO_LABEL = "户编号"
VILLAGE_CODE_LABEL = "行政村代码"
YES, NO = "是", "否"

# Computed member fields the paper form carries: typed values are checked against the ID
# number by forms.validation, so the template offers them (optional).
CHECKED_MEMBER_FIELDS = ("sex", "birth_date")


def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class Column:
    key: str  # the field name, or HOUSEHOLD_NO / an export-only key
    header: str
    field: Field | None = None
    width: float = 10
    required: bool = False

    @property
    def is_text(self) -> bool:
        """Formatted as text (“@”): ID, account and phone numbers must never become
        numbers, which Excel rounds to 15 significant digits."""
        return self.field is not None and self.field.type in (T.TEXT, T.ID_NUMBER, T.PHONE)

    @property
    def choices(self) -> tuple[str, ...]:
        """The labels a drop-down offers; empty for free input (and multi-choice cells)."""
        f = self.field
        if f is None:
            return ()
        if f.type is T.BOOL:
            return (YES, NO)
        if f.type is T.CODE or (f.type is T.COMPUTED and f.codelist is not None):
            assert f.codelist is not None
            return tuple(c.label for c in f.codelist.choices)
        return ()

    def aliases(self) -> set[str]:
        """Headers accepted on import: the label, with or without “*” and the unit."""
        names = {self.header, self.field.label if self.field else self.header}
        return {normalize_header(n) for n in names}


def normalize_header(text: Any) -> str:
    """“*工资性收入(元)” and “工资性收入” name the same column."""
    if text is None:
        return ""
    s = "".join(str(text).split()).lstrip("*＊").replace("(", "(").replace(")", ")")
    for unit in ("(元)", "(亩)", "(平方米)", "(公里)", "(月)", "(岁)", "(组)", "(人)"):
        s = s.removesuffix(unit)
    return s


def _header(field: Field, mark_required: bool) -> str:
    text = field.label + (f"({field.unit})" if field.unit else "")
    return ("*" + text) if mark_required and field.required else text


def _width(field: Field, header: str) -> float:
    typical = {T.ID_NUMBER: 20, T.PHONE: 13, T.DATE: 11, T.BOOL: 4, T.INTEGER: 6,
               T.DECIMAL: 10, T.CODES: 22}.get(field.type, 10)
    if field.codelist is not None and field.type is not T.CODES:
        typical = max(display_width(c.label) for c in field.codelist.choices)
    if field.name == "note":
        typical = 30
    return min(max(display_width(header), typical) + 2, 40)


def _column(field: Field, mark_required: bool, key: str | None = None) -> Column:
    header = _header(field, mark_required)
    return Column(key or field.name, header, field, _width(field, header),
                  field.required and field.relevant is None)


def _household_no(mark_required: bool) -> Column:
    return Column(HOUSEHOLD_NO, ("*" if mark_required else "") + HOUSEHOLD_NO_LABEL,
                  None, 8, required=True)


def template_household_columns() -> list[Column]:
    """户编号 and every input field of the household form."""
    return [_household_no(True), *(_column(f, True) for f in HOUSEHOLD_FORM.inputs())]


def template_member_columns() -> list[Column]:
    fields = [f for f in MEMBER_FORM.fields if f.is_input or f.name in CHECKED_MEMBER_FIELDS]
    return [_household_no(True), *(_column(f, True) for f in fields)]


def export_household_columns() -> list[Column]:
    """Every field, computed ones too, plus the village's code beside its name."""
    columns = [_household_no(False)]
    for f in HOUSEHOLD_FORM.fields:
        columns.append(_column(f, False))
        if f.name == "village_code":
            columns.append(Column("village_code_raw", VILLAGE_CODE_LABEL, None, 15))
    return columns


def export_member_columns() -> list[Column]:
    """Every member field, after the household's place and head for reading on paper."""
    context = [
        _household_no(False),
        Column("village_name", HOUSEHOLD_FORM["village_code"].label, None, 12),
        _column(HOUSEHOLD_FORM["group_no"], False, key="group_no"),
        Column("head_name", HOUSEHOLD_FORM["head_name"].label, None, 10),
    ]
    return context + [_column(f, False) for f in MEMBER_FORM.fields]


@lru_cache(maxsize=64)
def _labels(codes: CodeList) -> dict[str, str]:
    """code → label; CodeList.label_of builds this map on every call (1.5 M calls in an
    export of 20,000 households)."""
    return {c.code: c.label for c in codes.choices}


def show(field: Field | None, value: Any) -> Any:
    """A stored value as the cell shows it: labels for codes, 是/否 for flags."""
    if value is None or field is None:
        return value
    if field.codelist is not None:
        labels = _labels(field.codelist)
        if field.type is T.CODES:
            return ",".join(labels.get(c, c) for c in str(value).split(",") if c)
        return labels.get(str(value), str(value))
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, Decimal):
        return float(value)  # openpyxl writes floats fastest; 2 places survive exactly
    if isinstance(value, date | int | float | str):
        return value
    return str(value)


def export_only_headers(sheet: str) -> set[str]:
    """Headers of an exported sheet that the import skips quietly (computed values and
    the context columns), so re-importing an export lists no “unknown” columns."""
    if sheet == HOUSEHOLDS_SHEET:
        template, exported = template_household_columns(), export_household_columns()
    else:
        template, exported = template_member_columns(), export_member_columns()
    known = {a for c in template for a in c.aliases()}
    return {a for c in exported for a in c.aliases()} - known
