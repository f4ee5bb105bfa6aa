"""Every record of a bundle checked before staging, against what the store can hold and what
forms/ allows: the type of each value (an integer, not "not-a-number"; money as integer
分 within range, so 10^30 never reaches the driver), text lengths, code lists, dates that
exist, and for members the birth date and sex their ID number gives. A station's program
writes only such rows; anything else came from a broken or hostile sender.

The checks run column by column, a block of rows at a time, with C-speed set, join and map
operations (a 20,000-household bundle holds some 4.6 million values, and a Python loop over
them would cost more than the import); only a column that fails that quick look is walked
value by value to find the rows at fault and say why. About 1 s for 20,000 households.

References (the household a member belongs to, a village of the station's township, the
same id twice in one bundle) need the store and are checked by sync/merge.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text

from forms import codelists as cl
from forms.aid import AID_PLAN_FORM, HELPER_FORM, TEAM_MEMBER_FORM, VILLAGE_PLAN_FORM
from forms.fields import Field, FieldType, Form
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from forms.village import VILLAGE_FACTS_FORM, VILLAGE_STAGE, VILLAGE_STATUS
from registry.columns import Fixed
from registry.poor_villages import steps as village_steps
from registry.poor_villages.county import VILLAGE_DECISION_KINDS
from registry.procedure import county, notices, quota
from registry.procedure.backfill import BACKFILL
from registry.procedure.steps import RESULT_NAMES, STEPS
from registry.roles import ROLE_NAMES
from sync import wire
from sync.names import (
    AID_PLAN,
    DECISION,
    HELPER,
    HOUSEHOLD,
    HOUSEHOLD_INCOME,
    MEMBER,
    NOTICE,
    NOTICE_ENTRY,
    OBJECTION,
    POOR_VILLAGE,
    POVERTY_LINE,
    PROCEDURE_EVENT,
    QUOTA,
    TEAM_MEMBER,
    VILLAGE_EVENT,
    VILLAGE_FACTS,
    VILLAGE_PLAN,
    YEARLY_REVIEW,
)

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # an SQL INTEGER on every engine the county may use
BLOCK = 2048  # rows checked together
TEXT_MAX = 65_536  # characters of a Text column no form limits (audit before/after, notes)
# A year's income is the household form's income section (the same fields, limits and
# labels), kept per 年度 (schema 4).
FORMS: dict[str, Form] = {HOUSEHOLD: HOUSEHOLD_FORM, MEMBER: MEMBER_FORM, HELPER: HELPER_FORM,
                          AID_PLAN: AID_PLAN_FORM, HOUSEHOLD_INCOME: HOUSEHOLD_FORM,
                          TEAM_MEMBER: TEAM_MEMBER_FORM, VILLAGE_PLAN: VILLAGE_PLAN_FORM,
                          VILLAGE_FACTS: VILLAGE_FACTS_FORM}
# Code lists of columns that are not form fields.
CODE_LISTS = {(MEMBER, "change_reason"): cl.MEMBER_CHANGE_REASON,
              (MEMBER, "joined_reason"): cl.MEMBER_JOIN_REASON,
              (PROCEDURE_EVENT, "stage"): cl.STAGE,
              (YEARLY_REVIEW, "proposal"): cl.REVIEW_PROPOSAL,
              (POVERTY_LINE, "standard"): cl.IDENTIFICATION_STANDARD,
              (VILLAGE_EVENT, "stage"): VILLAGE_STAGE, (POOR_VILLAGE, "stage"): VILLAGE_STAGE,
              (POOR_VILLAGE, "poverty_status"): VILLAGE_STATUS}
# Codes of the procedure's columns (registry/procedure), as their modules define them.
_ROLES = frozenset(ROLE_NAMES)
CODES: dict[tuple[str, str], frozenset[str]] = {
    (PROCEDURE_EVENT, "step"): frozenset(STEPS) | {BACKFILL},
    (PROCEDURE_EVENT, "result"): frozenset(RESULT_NAMES),
    (PROCEDURE_EVENT, "role"): _ROLES,
    (NOTICE, "kind"): frozenset(notices.KIND_NAMES),
    (NOTICE_ENTRY, "outcome"): frozenset(notices.ENTRY_OUTCOME_NAMES),
    (OBJECTION, "outcome"): frozenset(notices.OUTCOME_NAMES),
    (DECISION, "kind"): county.DECISION_KINDS | {"review"}  # review: schema 1's 复审
    | VILLAGE_DECISION_KINDS,
    (DECISION, "role"): _ROLES,
    (VILLAGE_EVENT, "step"): frozenset(village_steps.STEPS),
    (VILLAGE_EVENT, "result"): frozenset(RESULT_NAMES),
    (VILLAGE_EVENT, "role"): _ROLES,
}
SEQ_MAX = 100_000  # steps of one household: a few dozen in a lifetime
YEARS = (2013, 2035)  # 年度 of an income, a review, a village's plan (forms/aid.py's range)
MAX_SIZE = 100  # people in one household, in a year's income
# Ranges of integer columns that are not form fields.
RANGES: dict[tuple[str, str], tuple[int, int]] = {
    (PROCEDURE_EVENT, "seq"): (0, SEQ_MAX),
    (NOTICE, "days"): (1, notices.MAX_DAYS),
    (DECISION, "basis_seq"): (0, SEQ_MAX),
    (QUOTA, "households"): (0, quota.MAX_QUOTA),
    (QUOTA, "people"): (0, quota.MAX_QUOTA),
    (HOUSEHOLD_INCOME, "year"): YEARS,
    (HOUSEHOLD_INCOME, "size"): (0, MAX_SIZE),
    (YEARLY_REVIEW, "year"): YEARS,
    (VILLAGE_EVENT, "seq"): (0, SEQ_MAX),
    (POOR_VILLAGE, "exit_year"): YEARS,
}
# Text columns that hold a JSON object (a step's facts: votes, findings, 文号…).
JSON_OBJECTS = {(PROCEDURE_EVENT, "facts"), (YEARLY_REVIEW, "checklist"),
                (VILLAGE_EVENT, "facts")}
# The columns every synced row has, and those of tables without a form, named for people.
LABELS = {"id": "记录编号", "rev": "修改计数", "created_at": "创建时间", "updated_at": "修改时间",
          "deleted": "删除标记", "household_id": "所属农户", "village_code": "行政村",
          "stage": "识别阶段", "event_date": "日期", "actor": "记录人", "passed": "是否通过",
          "period_start": "公示开始", "period_end": "公示结束", "note": "备注",
          "step": "步骤", "seq": "步骤序号", "role": "角色", "result": "结果",
          "reason": "原因", "facts": "步骤事实", "notice_id": "所属公示",
          "decision_id": "县级决定", "number": "公示编号", "kind": "类型",
          "region_code": "公示范围", "start_date": "开始日期", "days": "公示天数",
          "end_date": "截止日期", "opened_by": "发起人", "closed_on": "结束日期",
          "closed_by": "结束人", "outcome": "处理结果", "received_on": "收到日期",
          "objector": "异议人", "content": "异议内容", "checking": "核查情况",
          "recorded_by": "登记人", "basis_seq": "依据的步骤序号", "override": "超规模理由",
          "township_code": "乡镇", "households": "户数", "people": "人数",
          "set_by": "设定人", "year": "年度", "checklist": "两不愁三保障核查",
          "proposal": "调整意见", "reviewed_on": "核查日期", "reviewed_by": "核查人",
          "no_id_number": "暂无身份证号", "joined_reason": "增员原因",
          "joined_date": "增员日期", "change_evidence": "变更证明材料",
          "standard": "识别标准", "amount": "扶贫标准金额", "poverty_status": "贫困村状态",
          "exit_year": "退出年度"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?", re.ASCII)
_NONE = type(None)

Problem = tuple[list[Any], str]  # a row and why it cannot be applied


@dataclass(frozen=True)
class Rule:
    """What one column may hold, as storage values."""

    column: str
    label: str
    kind: str  # int | bool | text | date | datetime
    nullable: bool
    low: int = INT_MIN
    high: int = INT_MAX
    max_length: int = TEXT_MAX
    codes: frozenset[str] | None = None
    several: bool = False  # "01,05": codes joined by commas (select_multiple)
    max_choices: int | None = None
    json_object: bool = False  # text holding a JSON object

    @property
    def types(self) -> frozenset[type]:
        base: set[type] = {str} if self.kind in ("text", "date", "datetime") else {int}
        if self.kind == "bool":
            base.add(bool)
        return frozenset(base | {_NONE} if self.nullable else base)

    def column_ok(self, values: Sequence[Any]) -> bool:
        """The quick look at a whole column: True when every value passes. A column of a
        big bundle is 100,000 values scattered in memory, so each pass over them costs:
        a value is looked at in as few passes as its kind allows (`is None` does not
        count: it compares pointers)."""
        present = [v for v in values if v is not None] if self.nullable else values
        if not present:
            return True
        if self.kind in ("int", "bool"):
            if not set(map(type, present)) <= self.types:
                return False
            if self.kind == "bool":
                return set(present) <= {0, 1}
            return bool(self.low <= min(present) and max(present) <= self.high)
        if self.kind == "datetime":
            return _usual_datetimes(present)
        if self.codes is not None or self.kind == "date":
            # Few distinct values: one pass to find them, the rest on those. A str never
            # equals anything but a str, so no wrong type hides in the set.
            try:
                return self._distinct_ok(set(present))
            except TypeError:  # unhashable: not a value of any column
                return False
        try:
            joined = "".join(present)  # TypeError unless every value is text
        except TypeError:
            return False
        if not (_clean_text(joined) and max(map(len, present)) <= self.max_length):
            return False
        return not self.json_object or all(map(_json_object, set(present)))

    def _distinct_ok(self, distinct: set[Any]) -> bool:
        try:
            joined = "".join(distinct)
        except TypeError:
            return False
        if max(map(len, distinct)) > self.max_length or not _clean_text(joined):
            return False
        if self.kind == "date":
            return (_stored_shape(distinct, _STORED_DATE)
                    and _parse_all(distinct, date.fromisoformat))
        if not self.several:
            return distinct <= self.codes  # type: ignore[operator]
        return all(self.problem(v) is None for v in distinct)

    def problem(self, value: Any) -> str | None:
        """Why one value cannot be stored in this column, in Chinese (None: it can)."""
        name = f"{self.label}({self.column})"
        if value is None:
            return None if self.nullable else f"{name}不能为空"
        if type(value) not in self.types:
            return f"{name}的类型不对:应为{_KIND_NAMES[self.kind]}"
        if self.kind == "bool":
            return None if value in (0, 1) else f"{name}应为 0 或 1"
        if self.kind == "int":
            if self.low <= value <= self.high:
                return None
            return f"{name}超出范围({self.low}–{self.high})"
        if len(value) > self.max_length:
            return f"{name}超过 {self.max_length} 个字"
        if self.kind in ("date", "datetime"):
            pattern, parse = ((_DATE, date.fromisoformat) if self.kind == "date"
                              else (_DATETIME, datetime.fromisoformat))
            if not _all_valid([value], pattern, parse):
                return f"{name}不是有效的{_KIND_NAMES[self.kind]}"
            return None
        if not _clean_text(value):
            return f"{name}含有无法保存的字符"
        if self.json_object and not _json_object(value):
            return f"{name}不是有效的记录格式(应为 JSON 对象)"
        if self.codes is not None:
            parts = value.split(",") if self.several else [value]
            if not set(parts) <= self.codes or len(set(parts)) != len(parts):
                return f"{name}不是代码表中的代码"
            if self.max_choices is not None and len(parts) > self.max_choices:
                return f"{name}最多选 {self.max_choices} 项"
        return None


_KIND_NAMES = {"int": "整数", "bool": "0 或 1", "text": "文字", "date": "日期(如 2014-05-20)",
               "datetime": "时间"}


def _all_valid(values: Sequence[str], pattern: re.Pattern[str], parse: Callable[[str], Any]
               ) -> bool:
    return all(map(pattern.fullmatch, values)) and _parse_all(values, parse)


_DIGITS = bytes.maketrans(b"0123456789", b"9999999999")
# How SQLAlchemy stores a Date and a DateTime in SQLite: what every station sends.
_STORED_DATE = b"9999-99-99"
_STORED_DATETIME = b"9999-99-99 99:99:99.999999"


def _stored_shape(values: Collection[str], shape: bytes) -> bool:
    """All values (text) in the stored shape, checked on one joined string. Any other
    shape sends the column to the value-by-value walk (which accepts a few more)."""
    if set(map(len, values)) != {len(shape)}:
        return False
    joined = "".join(values)
    return joined.isascii() and joined.encode().translate(_DIGITS) == shape * len(values)


def _parse_all(values: Iterable[str], parse: Callable[[str], Any]) -> bool:
    """Every value a real date or time (no 1990-13-45, no 25:00)."""
    try:
        for _ in map(parse, values):
            pass
    except ValueError:
        return False
    return True


_WIDTH = len(_STORED_DATETIME)
# Hour digits: tens 0–2 (2 marked 1, anything else 2), ones 0–3 (4–9 marked 1).
_HOUR_TENS = bytes(0 if c in b"01" else 1 if c == ord("2") else 2 for c in range(256))
_HOUR_ONES = bytes(0 if c in b"0123" else 1 for c in range(256))


def _usual_datetimes(values: Sequence[Any]) -> bool:
    """The quick look at a time column, whose values are unique per row (no set helps):
    two passes over the values (joined, lengths), the rest on the joined bytes: the
    stored shape, real calendar dates (each distinct day once), hours, minutes, seconds."""
    try:
        joined = "".join(values)
    except TypeError:
        return False
    n = len(values)
    if len(joined) != _WIDTH * n or min(map(len, values)) != _WIDTH or not joined.isascii():
        return False
    b = joined.encode()
    if b.translate(_DIGITS) != _STORED_DATETIME * n:
        return False
    tens, ones = b[11::_WIDTH].translate(_HOUR_TENS), b[12::_WIDTH].translate(_HOUR_ONES)
    if 2 in tens or int.from_bytes(tens, "big") & int.from_bytes(ones, "big"):
        return False
    if max(b[14::_WIDTH]) > ord("5") or max(b[17::_WIDTH]) > ord("5"):
        return False
    days = {b[i:i + 10] for i in range(0, len(b), _WIDTH)}
    return _parse_all((d.decode() for d in days), date.fromisoformat)


def _json_object(text: str) -> bool:
    """A JSON object (nested values allowed), as json.dumps writes one. Deep nesting inside
    the text (which the payload's pre-scan cannot see: it is a string there) is refused,
    not a crash."""
    if not text.startswith("{"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _clean_text(text: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (no UTF-8 encodes it)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _scaled(bound: Decimal | int | None, places: int, default: int) -> int:
    if bound is None:
        return default
    return max(INT_MIN, min(INT_MAX, int(Decimal(bound) * (Decimal(10) ** places))))


def _rule(table: str, column: Any, field: Field | None) -> Rule:
    label = field.label if field else LABELS.get(column.name, column.name)
    base = {"column": column.name, "label": label, "nullable": bool(column.nullable)}
    t = column.type
    if isinstance(t, Fixed | Integer):
        places = t.places if isinstance(t, Fixed) else 0
        low = _scaled(field.minimum if field else None, places, INT_MIN)
        high = _scaled(field.maximum if field else None, places, INT_MAX)
        low, high = RANGES.get((table, column.name), (low, high))
        return Rule(kind="int", low=low, high=high, **base)
    if isinstance(t, Boolean):
        return Rule(kind="bool", **base)
    if isinstance(t, DateTime):
        return Rule(kind="datetime", max_length=32, **base)
    if isinstance(t, Date):
        return Rule(kind="date", max_length=10, **base)
    assert isinstance(t, String | Text), (table, column.name, t)
    lengths = [n for n in (getattr(t, "length", None), field and field.max_length) if n]
    codes = field.codelist if field and field.codelist else CODE_LISTS.get((table, column.name))
    several = bool(field and field.type is FieldType.CODES)
    plain = CODES.get((table, column.name))
    return Rule(kind="text", max_length=min(lengths, default=TEXT_MAX),
                codes=frozenset(codes.codes()) if codes else plain, several=several,
                max_choices=field.max_choices if field else None,
                json_object=(table, column.name) in JSON_OBJECTS, **base)


@cache
def rules(table: str) -> tuple[Rule, ...]:
    """The rule of every column of `table`, in wire order (sync/wire.columns)."""
    form = FORMS.get(table)
    fields = {f.name: f for f in form.fields} if form else {}
    return tuple(_rule(table, c, fields.get(c.name)) for c in wire.table(table).columns)


def check(table: str, rows: list[list[Any]]) -> tuple[list[list[Any]], list[Problem]]:
    """The rows (in wire order, of the right width: sync.payload.table_rows) split into
    those that may be staged and those that may not, each with its first problem."""
    if not rows:
        return rows, []
    bad: dict[int, str] = {}
    table_rules = rules(table)
    columns = [itemgetter(at) for at in range(len(table_rules))]
    # Block by block: the rows of a block lie near each other in memory, so taking their
    # columns is several times faster than over the whole table at once. (Not zip(*rows):
    # an iterator per row is that many new objects, which sets off the garbage collector
    # over the whole payload.)
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        for rule, column in zip(table_rules, columns, strict=True):
            values = list(map(column, block))
            if rule.column_ok(values):
                continue
            for i, value in enumerate(values, start):
                if i not in bad:
                    problem = rule.problem(value)
                    if problem:
                        bad[i] = problem
    if table == MEMBER:
        _member_facts(rows, bad)
    if not bad:
        return rows, []
    return ([r for i, r in enumerate(rows) if i not in bad],
            [(rows[i], reason) for i, reason in sorted(bad.items())])


_BIRTH = itemgetter(slice(6, 14))  # YYYYMMDD in an ID number
_SEX_DIGIT = itemgetter(16)  # odd for a man
_SEX = str.maketrans("0123456789", "2121212121")


def _member_facts(rows: list[list[Any]], bad: dict[int, str]) -> None:
    """A member's birth date and sex are derived from the ID number: they must agree.
    Compared on joined strings first (all rows passed their column checks, so every ID
    number is text, every date YYYY-MM-DD and every sex one character); row by row only
    to find the rows at fault."""
    at = {c: i for i, c in enumerate(wire.columns(MEMBER))}
    number, born, sex = at["id_number"], at["birth_date"], at["sex"]
    if not bad:
        numbers = list(map(itemgetter(number), rows))
        if (set(map(len, numbers)) == {18}
                and "".join(map(_BIRTH, numbers))
                == "".join(map(itemgetter(born), rows)).replace("-", "")
                and "".join(map(_SEX_DIGIT, numbers)).translate(_SEX)
                == "".join(map(itemgetter(sex), rows))):
            return
    for i, r in enumerate(rows):
        if i in bad:
            continue
        n = r[number]
        if len(n) != 18 or not n[:17].isdigit():
            continue  # the merge quarantines it: 身份证号码校验不通过
        if r[born] != f"{n[6:10]}-{n[10:12]}-{n[12:14]}":
            bad[i] = "出生日期与身份证号码不符"
        elif r[sex] != ("1" if int(n[16]) % 2 else "2"):
            bad[i] = "性别与身份证号码不符"


def for_review(row: list[Any], limit: int = 1000) -> list[Any]:
    """The row as kept in the quarantine: over-long text cut (the record is refused
    anyway) and characters no database can store written as escapes."""
    out: list[Any] = []
    for v in row:
        if isinstance(v, str):
            if len(v) > limit:
                v = f"{v[:limit]}…(共 {len(v)} 字,已截断)"
            if not _clean_text(v):
                v = v.encode("utf-8", "backslashreplace").decode("utf-8").replace(
                    "\x00", "\\x00")
        out.append(v)
    return out
