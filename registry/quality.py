"""数据质量核查 over the store: every rule of forms/quality.py as one set-based query (no
ORM objects, no per-household round trips), for a village, a township or the whole county
(a region-code prefix). Problems carry the household, its head's ID number and village;
the report counts them per rule and village for the screen, the PDF and the Excel book."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, exists, extract, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from forms import codelists as cl
from forms import quality as q
from forms.checklists import Checklist, checklist_for
from registry.models import (
    Helper,
    Household,
    HouseholdIncome,
    Member,
    Meta,
    PovertyLine,
    ProcedureEvent,
    Region,
    YearlyReview,
)
from registry.procedure.steps import EXIT_STAGES, REGISTERED
from registry.procedure.tables import Notice, NoticeEntry

NEEDS_HELPER = frozenset({REGISTERED, *EXIT_STAGES})  # as registry/aid/helpers.py
OUT = cl.OUT_OF_POVERTY
_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Problem:
    rule: str
    household_id: str
    head_id_number: str
    village_code: str
    message: str
    head_name: str = ""

    def as_dict(self) -> dict[str, str]:
        """The `--json` shape: rule, household_id, head_id_number, village_code, message."""
        return {"rule": self.rule, "household_id": self.household_id,
                "head_id_number": self.head_id_number, "village_code": self.village_code,
                "message": self.message}


@dataclass
class QualityReport:
    scope: str  # the region code checked ("" for the whole store)
    scope_name: str
    checked_on: date
    households: int
    problems: list[Problem] = field(default_factory=list)
    village_names: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[tuple[str, str], int]:
        """(rule, village_code) → problems."""
        return dict(Counter((p.rule, p.village_code) for p in self.problems))

    def by_rule(self) -> dict[str, int]:
        return {r.key: sum(1 for p in self.problems if p.rule == r.key) for r in q.RULES}

    def villages(self) -> list[str]:
        return sorted({p.village_code for p in self.problems} | set(self.village_names))

    def hard(self) -> int:
        return sum(1 for p in self.problems if q.RULE[p.rule].severity == q.HARD)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(_CENTS)


class _Scope:
    def __init__(self, prefix: str, today: date) -> None:
        self.prefix = prefix
        self.today = today

    def households(self, h: Any = Household) -> ColumnElement[bool]:
        cond: ColumnElement[bool] = h.deleted.is_(False)
        if self.prefix:
            # A range, not LIKE: SQLite walks the village_code index for it.
            cond = and_(cond, h.village_code >= self.prefix,
                        h.village_code < self.prefix + "\uffff")
        return cond


def _current_member(m: Any = Member) -> ColumnElement[bool]:
    """Still in the household: no leaving reason (a joining code of schema 1 counts as in)."""
    return and_(m.deleted.is_(False), or_(m.change_reason.is_(None),
                                          m.change_reason.in_(sorted(cl.MEMBER_JOINS))))


Row = tuple[str, str | None, str, str | None, dict[str, Any]]  # id, head id, village, head
RuleQuery = Callable[[Session, _Scope], Iterable[Row]]


def _hh_cols(h: Any = Household) -> tuple[Any, Any, Any, Any]:
    return (h.id, h.head_id_number, h.village_code, h.head_name)


def _negative_income(s: Session, sc: _Scope) -> Iterable[Row]:
    t = HouseholdIncome
    ht = Household
    for hid, head, village, name, year, value in s.execute(
            select(*_hh_cols(ht), t.year, t.net_income_per_capita)
            .join_from(t, ht, ht.id == t.household_id)
            .where(sc.households(ht), t.deleted.is_(False), t.net_income_per_capita < 0)
            .order_by(t.year)):
        yield hid, head, village, name, {"year": year, "value": _money(value)}
    for hid, head, village, name, year, value in s.execute(
            select(*_hh_cols(ht), ht.income_year, ht.net_income_per_capita)
            .where(sc.households(ht), ht.net_income_per_capita < 0)):
        yield hid, head, village, name, {"year": year or "", "value": _money(value)}


def _exited(sc: _Scope) -> ColumnElement[bool]:
    return and_(sc.households(Household),
                Household.poverty_status == OUT)


def _exit_below_line(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    inc = aliased(HouseholdIncome, name="inc")
    own = aliased(PovertyLine, name="own")
    nat = aliased(PovertyLine, name="nat")
    year = ht.exit_year
    line = func.coalesce(own.amount, nat.amount)
    q_ = (select(*_hh_cols(ht), year, inc.net_income_per_capita, line,
                 func.coalesce(own.standard, nat.standard))
          .select_from(ht)
          .outerjoin(inc, and_(inc.household_id == ht.id, inc.year == year,
                               inc.deleted.is_(False)))
          .outerjoin(own, and_(own.year == year, own.deleted.is_(False),
                               own.standard == func.coalesce(ht.identification_standard,
                                                               "1")))
          .outerjoin(nat, and_(nat.year == year, nat.deleted.is_(False),
                               nat.standard == "1"))
          .where(_exited(sc), or_(inc.net_income_per_capita.is_(None), line.is_(None),
                                  inc.net_income_per_capita <= line)))
    for hid, head, village, name, y, income, amount, standard in s.execute(q_):
        money = _money(income)
        line_text = (f"{y}年{cl.IDENTIFICATION_STANDARD.label_of(standard or '1')}扶贫标准 "
                     f"{_money(amount)} 元" if amount is not None else f"{y}年扶贫标准(未设定)")
        yield hid, head, village, name, {
            "year": y if y is not None else "(未填年度)",
            "income": f" {money} 元" if money is not None else "(无该年收入记录)",
            "line": line_text}


@lru_cache(maxsize=256)
def _checklist(village: str, year: int | None) -> Checklist:
    return checklist_for(village, year)


def _exit_without_checklist(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    rv = aliased(YearlyReview, name="rv")
    for hid, head, village, name, year, checklist in s.execute(
            select(*_hh_cols(ht), ht.exit_year, rv.checklist).select_from(ht)
            .outerjoin(rv, and_(rv.household_id == ht.id, rv.year == ht.exit_year,
                                rv.deleted.is_(False)))
            .where(_exited(sc))):
        items = _checklist(village, year)
        if checklist is None:
            problem = f"没有该年的{items.name}核查记录"
        else:
            try:
                data = json.loads(checklist)
            except ValueError:
                data = {}
            answers = ({str(k): v is True for k, v in data.items()}
                       if isinstance(data, dict) else {})
            unmet = items.unmet(answers)
            if not unmet:
                continue
            problem = f"{items.name}未达标:" + "、".join(i.label for i in unmet)
        yield hid, head, village, name, {"year": year or "(未填年度)", "problem": problem}


def _exit_without_notice(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    ev = ProcedureEvent
    ne = NoticeEntry
    nt = Notice
    stepped = exists().where(ev.household_id == ht.id, ev.step == "exit_notice",
                             ev.deleted.is_(False))
    listed = exists(select(ne.id).join(nt, nt.id == ne.notice_id).where(
        ne.household_id == ht.id, nt.kind == "exit", ne.deleted.is_(False),
        nt.deleted.is_(False)))
    for row in s.execute(select(*_hh_cols(ht)).where(_exited(sc), ~stepped, ~listed)):
        yield (*row, {})


def _no_helper(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    hp = Helper
    on = sc.today
    covered = exists().where(
        hp.household_id == ht.id, hp.deleted.is_(False),
        or_(hp.start_date.is_(None), hp.start_date <= on),
        or_(hp.end_date.is_(None), hp.end_date >= on))
    for row in s.execute(select(*_hh_cols(ht)).where(
            sc.households(ht), ht.stage.in_(sorted(NEEDS_HELPER)), ~covered)):
        yield (*row, {})


def _no_head(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    m = Member
    has_head = exists().where(m.household_id == ht.id, _current_member(m),
                              m.relation == cl.HEAD_OF_HOUSEHOLD)
    for row in s.execute(select(*_hh_cols(ht)).where(sc.households(ht), ~has_head)):
        yield (*row, {})


def _child_older_than_head(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    child = aliased(Member, name="child")
    head = aliased(Member, name="head")
    for hid, hno, village, hname, name, relation, birth, head_name, head_birth in s.execute(
            select(*_hh_cols(ht), child.name, child.relation, child.birth_date,
                   head.name, head.birth_date)
            .join_from(child, ht, ht.id == child.household_id)
            .join(head, and_(head.household_id == ht.id,
                             head.relation == cl.HEAD_OF_HOUSEHOLD, _current_member(head)))
            .where(sc.households(ht), _current_member(child),
                   child.relation.in_(sorted(q.CHILDREN)),
                   child.birth_date < head.birth_date)):
        yield hid, hno, village, hname, {
            "name": name, "relation": cl.RELATION.label_of(relation), "birth": birth,
            "head": head_name, "head_birth": head_birth}


def _student_over_25(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    m = Member
    year = func.coalesce(ht.income_year, sc.today.year)
    # Older than 25 at the end of the year the household's data are for: born in (year -
    # 26) or before. extract() is SQLAlchemy's: strftime on SQLite, EXTRACT on PostgreSQL.
    latest_birth_year = year - (q.STUDENT_MAX_AGE + 1)
    for hid, hno, village, hname, name, school, birth, y in s.execute(
            select(*_hh_cols(ht), m.name, m.school_status, m.birth_date, year)
            .join_from(m, ht, ht.id == m.household_id)
            .where(sc.households(ht), _current_member(m), m.school_status.is_not(None),
                   m.school_status.not_in(["", q.NOT_A_STUDENT]),
                   extract("year", m.birth_date) <= latest_birth_year)):
        born = birth if isinstance(birth, date) else date.fromisoformat(str(birth))
        end = date(int(y), 12, 31)
        age = end.year - born.year - ((end.month, end.day) < (born.month, born.day))
        yield hid, hno, village, hname, {
            "name": name, "school": cl.SCHOOL_STATUS.label_of(school), "year": y, "age": age}


def _member_in_two(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    m = Member
    m2 = aliased(Member, name="m2")
    h2 = aliased(Household, name="h2")
    mine = (select(m.id_number).join_from(m, ht, ht.id == m.household_id)
            .where(sc.households(ht), _current_member(m), m.id_number != ""))
    m1 = aliased(Member, name="m1")
    h1 = aliased(Household, name="h1")
    # Numbers of the scope held by current members of more than one household anywhere.
    twice = (select(m1.id_number).join_from(m1, h1, h1.id == m1.household_id)
             .where(h1.deleted.is_(False), _current_member(m1), m1.id_number != "",
                    *([m1.id_number.in_(mine)] if sc.prefix else []))
             .group_by(m1.id_number)
             .having(func.count(func.distinct(m1.household_id)) > 1)).scalar_subquery()
    rows: dict[tuple[str, str], list[Any]] = {}
    for hid, hno, village, hname, name, number, other_village, other_head in s.execute(
            select(*_hh_cols(ht), m.name, m.id_number, h2.village_code, h2.head_name)
            .join_from(m, ht, ht.id == m.household_id)
            .join(m2, and_(m2.id_number == m.id_number, m2.household_id != ht.id,
                           _current_member(m2)))
            .join(h2, and_(h2.id == m2.household_id, h2.deleted.is_(False)))
            .where(sc.households(ht), _current_member(m), m.id_number.in_(twice))):
        key = (hid, number)
        if key not in rows:
            rows[key] = [hid, hno, village, hname, name, number, []]
        rows[key][6].append((other_village, other_head or "(无户主)"))
    names = dict(s.execute(select(Region.code, Region.name).where(
        Region.code.in_({v for r in rows.values() for v, _ in r[6]}))).all()) if rows else {}
    for hid, hno, village, hname, name, number, pairs in rows.values():
        others = [f"{names.get(v, v)}{head}户" for v, head in pairs]
        yield hid, hno, village, hname, {"name": name, "id_number": number,
                                         "others": "、".join(sorted(set(others)))}


def _no_id_number(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    m = Member
    for hid, hno, village, hname, name in s.execute(
            select(*_hh_cols(ht), m.name).join_from(m, ht, ht.id == m.household_id)
            .where(sc.households(ht), _current_member(m),
                   or_(m.no_id_number.is_(True), m.id_number == "",
                       m.id_number.is_(None)))):
        yield hid, hno, village, hname, {"name": name}


def _joining_code(s: Session, sc: _Scope) -> Iterable[Row]:
    ht = Household
    m = Member
    for hid, hno, village, hname, name, reason in s.execute(
            select(*_hh_cols(ht), m.name, m.change_reason)
            .join_from(m, ht, ht.id == m.household_id)
            .where(sc.households(ht), m.deleted.is_(False),
                   m.change_reason.in_(sorted(cl.MEMBER_JOINS)))):
        yield hid, hno, village, hname, {
            "name": name, "reason": cl.MEMBER_CHANGE_REASON.label_of(reason)}


QUERIES: dict[str, RuleQuery] = {
    "negative_income": _negative_income,
    "exit_below_line": _exit_below_line,
    "exit_without_checklist": _exit_without_checklist,
    "exit_without_notice": _exit_without_notice,
    "no_helper": _no_helper,
    "no_head": _no_head,
    "child_older_than_head": _child_older_than_head,
    "student_over_25": _student_over_25,
    "member_in_two_households": _member_in_two,
    "no_id_number": _no_id_number,
    "joining_code_as_change": _joining_code,
}
assert set(QUERIES) == set(q.RULE), "every rule of forms/quality.py has its query"


def check(s: Session, region_code: str | None = None, rules: Sequence[str] | None = None,
          today: date | None = None) -> QualityReport:
    """Runs the rules (all by default) over the households whose village code starts with
    `region_code` (a village, a township, the county; None: the whole store)."""
    prefix = (region_code or "").strip()
    own_region = s.scalar(select(Meta.value).where(Meta.key == "region_code")) or ""
    # The store holds only its own region's households: its region or one above it is
    # everything, checked without a filter (faster plans).
    sc = _Scope("" if own_region.startswith(prefix) else prefix, today or date.today())
    ht = Household
    households = s.scalar(select(func.count()).select_from(ht).where(sc.households(ht))) or 0
    names = {c: n for c, n in s.execute(
        select(Region.code, Region.name).where(
            Region.level == "village", Region.deleted.is_(False),
            Region.code.startswith(prefix, autoescape=True)))}
    own = prefix or own_region
    scope_name = s.scalar(select(Region.name).where(Region.code == own)) or prefix or "全部"
    report = QualityReport(prefix, scope_name, sc.today, households, village_names=names)
    seen: set[tuple[str, str, str]] = set()
    for key in rules or list(QUERIES):
        rule = q.RULE[key]
        for hid, head_no, village, head_name, facts in QUERIES[key](s, sc):
            message = rule.say(**facts)
            if (key, hid, message) in seen:
                continue
            seen.add((key, hid, message))
            report.problems.append(Problem(key, hid, head_no or "", village, message,
                                           head_name or ""))
    order = {r.key: i for i, r in enumerate(q.RULES)}
    report.problems.sort(key=lambda p: (p.village_code, order[p.rule], p.head_name,
                                        p.household_id))
    return report


def warnings_for(values: Mapping[str, Any], members: Sequence[Mapping[str, Any]],
                 today: date | None = None) -> list[q.QualityWarning]:
    """The soft rules the editor's values break (forms/quality.py), to list before saving."""
    return q.warnings_for(values, members, today)


def household_problems(s: Session, household_id: str, today: date | None = None
                       ) -> list[Problem]:
    """The problems of one household (its village's check, filtered): for the editor."""
    village = s.scalar(select(Household.village_code).where(Household.id == household_id))
    if village is None:
        return []
    return [p for p in check(s, village, today=today).problems
            if p.household_id == household_id]


