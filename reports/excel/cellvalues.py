"""A cell's value as validation expects it: whole floats as ints, code lists typed as
numbers, dates typed as text; numbers Excel has rounded are refused.

Text dates are accepted when they are unambiguous, year first: 1980-05-20, 1980-5-20,
1980/5/20, 1980.5.20, 1980年5月20日 and 19800520; anything else (5/20/1980, a bare Excel
serial number) is left to the validation's message rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from forms.fields import FieldType as T
from reports.excel.columns import Column

_TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXACT_DIGITS = 1e15  # Excel keeps 15 significant digits; a longer number is rounded


def cell_value(column: Column, value: Any) -> tuple[Any, str | None]:
    """(the value for validation, a problem to report or None)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_DIGITS:
        value = int(value)
    f = column.field
    if f is None:
        return value, None
    if f.type in (T.TEXT, T.PHONE) and isinstance(value, int | float) \
            and not isinstance(value, bool) and abs(value) >= _EXACT_DIGITS:
        return None, (f"{f.label}被Excel存成了数字,末几位已丢失,"
                      "请把单元格设为“文本”后重新输入")
    if f.codelist is not None and isinstance(value, int) and f.type is not T.CODES:
        text = str(value)
        codes = f.codelist.codes()
        return (text if text in codes or text.zfill(2) not in codes else text.zfill(2)), None
    if f.type is T.DATE or (f.type is T.COMPUTED and f.name == "birth_date"):
        return _date(value), None
    return value, None


def household_number(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    match = _TEXT_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return value
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return value
