"""数据质量核查: the consistency rules, declared once. Each rule has a key (stored nowhere,
never renamed: reports and tests name it), a title, a severity and the message a problem
shows. `hard` rules are errors the data must not hold (the editor refuses a save that
breaks one, beside the field); `soft` rules are warnings (the editor lists them before it
saves, the quality list keeps them until someone puts them right).

registry/quality.py runs every rule over the store in SQL; the checks a single household's
form values allow (before it is saved) are here, as plain functions of those values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from forms import codelists as cl
from forms.household import INCOME_FIELDS, TRANSFER_FIELDS

HARD, SOFT = "hard", "soft"
SEVERITY_NAMES = {HARD: "错误", SOFT: "提醒"}

CHILDREN = frozenset({"03", "04"})  # 之子, 之女
NOT_A_STUDENT = "1"  # 非在校生
STUDENT_MAX_AGE = 25


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    severity: str
    message: str  # str.format() with the problem's facts
    field: str | None = None  # the form field the editor shows it beside

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES[self.severity]

    def say(self, **facts: Any) -> str:
        return self.message.format(**facts)


RULES: tuple[Rule, ...] = (
    Rule("negative_income", "人均纯收入小于零", HARD,
         "{year}年人均纯收入为 {value} 元,小于零(生产经营性支出大于收入),请核对收入和支出",
         field="business_expense"),
    Rule("exit_below_line", "脱贫但收入未超过扶贫标准", HARD,
         "{year}年脱贫,但该年人均纯收入{income}未高于{line}"),
    Rule("exit_without_checklist", "脱贫但两不愁三保障未全部达标", HARD,
         "{year}年脱贫,但{problem}"),
    Rule("exit_without_notice", "脱贫退出没有退出公示", HARD,
         "已脱贫,但没有退出公示的记录(退出须经公示)"),
    Rule("no_helper", "建档立卡户没有帮扶责任人", SOFT,
         "已建档立卡,但没有当前的帮扶责任人"),
    Rule("no_head", "没有户主", HARD, "家庭成员中没有现任户主"),
    Rule("child_older_than_head", "子女年龄大于户主", SOFT,
         "{name}({relation},{birth})比户主{head}({head_birth})年长,请核对与户主关系或出生日期",
         field="relation"),
    Rule("student_over_25", "在校生年龄超过25岁", SOFT,
         "{name}在校生状况为“{school}”,{year}年底已 {age} 岁,请核对在校生状况",
         field="school_status"),
    Rule("member_in_two_households", "同一人登记在两户", HARD,
         "{name}(身份证号 {id_number})同时登记在{others}", field="id_number"),
    Rule("no_id_number", "成员暂无身份证号", SOFT,
         "{name}暂无身份证号,取得后请补录", field="id_number"),
    Rule("joining_code_as_change", "增员原因填在了成员变更原因中", SOFT,
         "{name}的成员变更原因为“{reason}”(增员),该成员仍计为离开本户;"
         "请在成员变更中改为增员", field="change_reason"),
)
RULE: dict[str, Rule] = {r.key: r for r in RULES}


@dataclass(frozen=True)
class QualityWarning:
    """A soft rule broken by the values being edited: `row` is the member's index."""

    rule: str
    field: str | None
    message: str
    row: int | None = None


def _money(values: Mapping[str, Any], names: Sequence[str]) -> Decimal:
    return sum((Decimal(values.get(n) or 0) for n in names), Decimal(0))


def income_error(values: Mapping[str, Any], members: Sequence[Mapping[str, Any]]
                 ) -> tuple[str, str] | None:
    """(field, message) when the household's income gives a per-capita below zero."""
    if all(values.get(n) is None for n in (*INCOME_FIELDS, *TRANSFER_FIELDS,
                                           "business_expense")):
        return None
    size = sum(1 for m in members if _current(m)) or 1
    net = (_money(values, INCOME_FIELDS) + _money(values, TRANSFER_FIELDS)
           - Decimal(values.get("business_expense") or 0))
    if net >= 0:
        return None
    per_capita = (net / size).quantize(Decimal("0.01"))
    rule = RULE["negative_income"]
    year = values.get("income_year") or date.today().year
    return rule.field or "business_expense", rule.say(year=year, value=per_capita)


def _current(m: Mapping[str, Any]) -> bool:
    reason = m.get("change_reason")
    return not reason or reason in cl.MEMBER_JOINS


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def warnings_for(values: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                 today: date | None = None) -> list[QualityWarning]:
    """The soft rules a household's form values break, for the editor to list before it
    saves (members as the member form gives them: birth_date a date when known)."""
    out: list[QualityWarning] = []
    year = int(values.get("income_year") or (today or date.today()).year)
    year_end = date(year, 12, 31)
    head = next((m for m in members if _current(m)
                 and m.get("relation") == cl.HEAD_OF_HOUSEHOLD), None)
    head_birth = head.get("birth_date") if head else None
    for i, m in enumerate(members):
        name = m.get("name") or f"第{i + 1}名成员"
        reason = m.get("change_reason")
        if reason and reason in cl.MEMBER_JOINS:
            rule = RULE["joining_code_as_change"]
            out.append(QualityWarning(rule.key, rule.field, rule.say(
                name=name, reason=cl.MEMBER_CHANGE_REASON.label_of(reason)), i))
        if not _current(m):
            continue
        birth = m.get("birth_date")
        if not m.get("id_number") or m.get("no_id_number"):
            rule = RULE["no_id_number"]
            out.append(QualityWarning(rule.key, rule.field, rule.say(name=name), i))
        if (m.get("relation") in CHILDREN and isinstance(birth, date)
                and isinstance(head_birth, date) and birth < head_birth and head):
            rule = RULE["child_older_than_head"]
            out.append(QualityWarning(rule.key, rule.field, rule.say(
                name=name, relation=cl.RELATION.label_of(m["relation"]), birth=birth,
                head=head.get("name") or "", head_birth=head_birth), i))
        school = m.get("school_status")
        if school and school != NOT_A_STUDENT and isinstance(birth, date):
            age = _age(birth, year_end)
            if age > STUDENT_MAX_AGE:
                rule = RULE["student_over_25"]
                out.append(QualityWarning(rule.key, rule.field, rule.say(
                    name=name, school=cl.SCHOOL_STATUS.label_of(school), year=year,
                    age=age), i))
    return out
