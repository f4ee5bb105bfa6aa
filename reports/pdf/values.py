"""How a stored value reads on paper, decided by its forms/ field: code → label, bool → 是/否,
decimals with the field's places, dates as 2016-06-30."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from forms.fields import Field
from forms.fields import FieldType as T


def display(field: Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.codelist is not None and field.type in (T.CODE, T.COMPUTED):
        return field.codelist.label_of(str(value))
    if field.type is T.CODES and field.codelist is not None:
        return "、".join(field.codelist.label_of(c) for c in str(value).split(",") if c)
    if isinstance(value, bool) or field.type is T.BOOL:
        return "是" if value else "否"
    if isinstance(value, Decimal | float):
        places = int(field.extra.get("places", 2))
        return f"{Decimal(value):.{places}f}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def header(field: Field, with_unit: bool = False) -> str:
    """A column title: the field's label, with its unit for amounts (耕地面积(亩))."""
    if with_unit and field.unit and field.type in (T.DECIMAL, T.INTEGER, T.COMPUTED):
        return f"{field.label}({field.unit})"
    return field.label


def with_unit(field: Field, value: Any) -> str:
    text = display(field, value)
    return f"{text} {field.unit}" if text and field.unit and field.unit != "组" else text


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
