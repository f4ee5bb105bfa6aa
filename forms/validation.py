"""Validation driven by the form definitions: turns typed or imported text into values
and says, per field and in Chinese, what is wrong. Rules that need the store (the same
ID number registered elsewhere) live in registry/households.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from forms import codelists as cl
from forms import idnumber
from forms.fields import Field, Form
from forms.fields import FieldType as T
from forms.household import HOUSEHOLD_FORM, INCOME_FIELDS, TRANSFER_FIELDS
from forms.member import MEMBER_FORM
from forms.quality import income_error

_MONEY_FIELDS = frozenset({*INCOME_FIELDS, *TRANSFER_FIELDS, "business_expense"})
_TRUE = {"1", "是", "有", "true", "True", "TRUE", "Y", "y", "√"}
_FALSE = {"0", "否", "无", "false", "False", "FALSE", "N", "n", ""}


@dataclass(frozen=True)
class FieldError:
    """`row` is the member's index for member fields, None for household fields."""

    field: str
    message: str
    row: int | None = None


class Invalid(ValueError):
    def __init__(self, errors: Sequence[FieldError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "") or raw == []


def coerce(field: Field, raw: Any) -> Any:
    """Text (or an already typed value) to the stored value; raises ValueError with a
    Chinese message. Empty gives None."""
    if _empty(raw):
        return None
    t = field.type
    if t in (T.TEXT, T.PHONE, T.ID_NUMBER):
        if t is T.ID_NUMBER and isinstance(raw, int | float) and not isinstance(raw, bool):
            # Excel keeps 15 significant digits: an 18-digit ID stored as a number is lost.
            raise ValueError(f"{field.label}被Excel存成了数字,末几位已丢失,"
                             "请把单元格设为“文本”后重新输入")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)  # a phone number typed into a numeric cell
        text = str(raw).strip()
        return idnumber.normalize(text) if t is T.ID_NUMBER else text
    if t is T.INTEGER:
        try:
            d = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ValueError(f"{field.label}应为整数") from None
        if d != d.to_integral_value():
            raise ValueError(f"{field.label}应为整数")
        return int(d)
    if t is T.DECIMAL:
        try:
            d = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"{field.label}应为数字") from None
        if not d.is_finite():
            raise ValueError(f"{field.label}应为数字")
        places = int(field.extra.get("places", 2))
        return d.quantize(Decimal(1).scaleb(-places))
    if t is T.BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{field.label}应填“是”或“否”")
    if t is T.DATE:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = str(raw).strip().replace("/", "-").replace(".", "-")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{field.label}应为日期,如 2014-05-20") from None
    if t is T.CODE:
        assert field.codelist is not None
        code = field.codelist.code_of(str(raw))
        if code is None:
            raise ValueError(f"“{raw}”不是{field.label}的可选项")
        return code
    if t is T.CODES:
        assert field.codelist is not None
        parts = raw if isinstance(raw, list | tuple) else str(raw).replace(",", ",").split(",")
        codes: list[str] = []
        for part in parts:
            if _empty(part):
                continue
            code = field.codelist.code_of(str(part))
            if code is None:
                raise ValueError(f"“{part}”不是{field.label}的可选项")
            if code not in codes:
                codes.append(code)
        return ",".join(sorted(codes)) or None
    return raw  # COMPUTED values are never coerced from input


def _check(field: Field, value: Any, values: Mapping[str, Any]) -> str | None:
    if value is None:
        if field.required:
            verb = "请选择" if field.type in (T.CODE, T.CODES, T.BOOL) else "请填写"
            return f"{verb}{field.label}"
        return None
    if field.minimum is not None and value < field.minimum:
        return f"{field.label}不能小于{field.minimum}{field.unit}"
    if field.maximum is not None and value > field.maximum:
        return f"{field.label}不能大于{field.maximum}{field.unit}"
    if field.max_length is not None and len(str(value)) > field.max_length:
        return f"{field.label}不能超过{field.max_length}个字"
    if field.max_choices is not None and len(str(value).split(",")) > field.max_choices:
        return f"{field.label}最多选{field.max_choices}项"
    if field.type is T.PHONE:
        digits = str(value).replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            return "联系电话应为7到12位数字(手机11位)"
        if len(digits) == 11 and not digits.startswith("1"):
            return "手机号码应以1开头"
    if field.type is T.ID_NUMBER:
        try:
            idnumber.parse(str(value))
        except idnumber.IdNumberError as e:
            return str(e)
    if field.constraint is not None:
        return field.constraint(value, values)
    return None


def clean_record(form: Form, raw: Mapping[str, Any], row: int | None = None
                 ) -> tuple[dict[str, Any], list[FieldError]]:
    """Coerces and checks every input field of `form` present in or required by `raw`."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field in form.inputs():
        try:
            values[field.name] = coerce(field, raw.get(field.name))
        except ValueError as e:
            errors.append(FieldError(field.name, str(e), row))
    bad = {e.field for e in errors}
    for field in form.inputs():
        if field.name in bad:
            continue
        if not field.applies(values):
            values[field.name] = None
            continue
        message = _check(field, values[field.name], values)
        if message:
            errors.append(FieldError(field.name, message, row))
    return values, errors


def _member_agreement(raw: Mapping[str, Any], values: Mapping[str, Any], row: int
                      ) -> list[FieldError]:
    """A typed 性别/出生日期 (from paper or Excel) must agree with the ID number."""
    number = values.get("id_number")
    if not number:
        return []
    try:
        facts = idnumber.parse(number)
    except idnumber.IdNumberError:
        return []  # already reported beside the field
    errors = []
    sex = raw.get("sex")
    if not _empty(sex):
        code = cl.SEX.code_of(str(sex))
        if code != facts.sex:
            errors.append(FieldError("sex", f"性别与身份证号码不符(号码显示为"
                                     f"{cl.SEX.label_of(facts.sex)})", row))
    birth = raw.get("birth_date")
    if not _empty(birth):
        try:
            typed = coerce(Field("birth_date", "出生日期", T.DATE, ""), birth)
        except ValueError as e:
            errors.append(FieldError("birth_date", str(e), row))
        else:
            if typed != facts.birth_date:
                errors.append(FieldError("birth_date", f"出生日期与身份证号码不符(号码显示为"
                                         f"{facts.birth_date.isoformat()})", row))
    return errors


@dataclass
class CleanHousehold:
    household: dict[str, Any]
    members: list[dict[str, Any]]


def validate_household(raw_household: Mapping[str, Any],
                       raw_members: Sequence[Mapping[str, Any]]) -> CleanHousehold:
    """Cleans a household with its members, or raises Invalid listing every problem."""
    household, errors = clean_record(HOUSEHOLD_FORM, raw_household)
    members: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_members):
        values, member_errors = clean_record(MEMBER_FORM, raw, row=i)
        errors += member_errors
        errors += _member_agreement(raw, values, i)
        members.append(values)

    # Members who left (死亡, 嫁出… with a change reason) keep their rows for the record but
    # no longer count: a deceased head and the new head may both be listed.
    current = [i for i, raw in enumerate(raw_members) if _empty(raw.get("change_reason"))]
    heads = [i for i in current if members[i].get("relation") == cl.HEAD_OF_HOUSEHOLD]
    if not current:
        errors.append(FieldError("members", "至少要登记一名家庭成员(户主)"))
    elif not heads:
        errors.append(FieldError("members", "家庭成员中必须有一名户主(与户主关系为“户主”)"))
    for i in heads[1:]:
        errors.append(FieldError("relation", "一户只能有一名户主", i))

    # 数据质量核查's hard rule on income (forms/quality.py), beside the field it names.
    if not {e.field for e in errors} & _MONEY_FIELDS:
        bad_income = income_error(household, members)
        if bad_income is not None:
            errors.append(FieldError(*bad_income))

    seen: dict[str, int] = {}
    for i, m in enumerate(members):
        number = m.get("id_number")
        if number and number in seen:
            errors.append(FieldError("id_number",
                                     f"与第{seen[number] + 1}名成员的身份证号码重复", i))
        elif number:
            seen[number] = i
    if errors:
        raise Invalid(errors)
    return CleanHousehold(household, members)
