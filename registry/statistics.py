"""The county office's figures: households and people by a dimension, for every county,
township or village inside a region, counted from the rows at the time asked — one GROUP BY
per table, never stored, so they cannot drift from the register.

Who counts:
- by 识别阶段 (stage): every household that applied;
- by the other dimensions: 建档立卡 households (registered, in an exit step, or 销号) — the
  register's households — with their current members (a member who left does not count);
- person dimensions (劳动技能, 健康状况, 文化程度) count members, and households with at
  least one such member;
- year: 脱贫 (销号) and 返贫 steps per year, by the year the step records (one statement:
  the facts' year through SQLAlchemy's JSON type);
- helper: 建档立卡 households not yet 销号 with and without a current 帮扶责任人;
- incidence (贫困发生率): 建档立卡 people not yet 销号 / 农业户籍人口, the latter from each
  village's latest village_facts with 农业户籍人口 filled, summed up the levels. A unit with a
  village that has poor people but no such facts gets no rate (key 无农业人口数据): a rate
  over part of a unit would read as the unit's;
- measure / source: 帮扶计划 (aid_plan, every year) of the households by 帮扶措施 and by
  资金来源: households with such plans, their people, the plans and the funds (元). A plan of
  schema 3 has a total but no source: it counts under 未分来源.
A row: {"code", "name", "by", "key", "households", "people"}; `key` is the Chinese label. The
plan tables add "plans" and "amount", 贫困发生率 adds "base" (农业户籍人口) and "rate" (%)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.fields import CodeList
from registry.models import (
    AidPlan,
    Helper,
    Household,
    Member,
    ProcedureEvent,
    Region,
    VillageFacts,
)
from registry.procedure.steps import EXIT_STAGES, EXITED, REGISTERED

LEVELS = {"county": 6, "township": 9, "village": 12}
LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "行政村"}
REGISTER = frozenset({REGISTERED, *EXIT_STAGES, EXITED})  # 建档立卡 households
NOT_EXITED = frozenset({REGISTERED, *EXIT_STAGES})
EXITED_STATUSES = ("2", "3")  # 脱贫, 返贫: what the exit_close and relapse steps set

# dimension → (Chinese name, code list, column, whose: household | member)
_HOUSEHOLD_DIMS: dict[str, tuple[str, CodeList, Any]] = {
    "stage": ("识别阶段", cl.STAGE, Household.stage),
    "attribute": ("贫困户属性", cl.HOUSEHOLD_ATTRIBUTE, Household.attribute),
    "cause": ("主要致贫原因", cl.POVERTY_CAUSE, Household.main_cause),
    "status": ("脱贫状态", cl.POVERTY_STATUS, Household.poverty_status),
    "standard": ("识别标准", cl.IDENTIFICATION_STANDARD, Household.identification_standard),
}
_MEMBER_DIMS: dict[str, tuple[str, CodeList, Any]] = {
    "skill": ("劳动技能", cl.LABOR_SKILL, Member.labor_skill),
    "health": ("健康状况", cl.HEALTH, Member.health),
    "education": ("文化程度", cl.EDUCATION, Member.education),
}
BY = {**{k: v[0] for k, v in _HOUSEHOLD_DIMS.items()},
      **{k: v[0] for k, v in _MEMBER_DIMS.items()},
      "year": "脱贫与返贫(按年度)", "helper": "帮扶责任人覆盖", "incidence": "贫困发生率",
      "measure": "帮扶计划与资金(按帮扶措施)", "source": "帮扶资金(按资金来源)"}
UNKNOWN = "未填"
NO_BASE = "无农业人口数据"
RATE = "贫困发生率"
NO_SOURCE = "未分来源"
SOURCES = tuple((c.code, f"{c.label}资金") for c in cl.FUND_SOURCE.choices)


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    by: str
    key: str
    households: int
    people: int
    plans: int | None = None  # the plan tables: 帮扶计划 counted
    amount: Decimal | None = None  # the plan tables: funds, 元
    base: int | None = None  # 贫困发生率: 农业户籍人口
    rate: Decimal | None = None  # 贫困发生率 in %, two places

    def as_dict(self) -> dict[str, Any]:
        """The six fields every table has, and the extras only where the table has them."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name in _BASIC or getattr(self, f.name) is not None}


_BASIC = ("code", "name", "by", "key", "households", "people")


def key_labels(by: str) -> list[str]:
    """The keys of table `by` in their reading order (empty where the data decide: year)."""
    dims = {**_HOUSEHOLD_DIMS, **_MEMBER_DIMS}
    if by in dims:
        return [c.label for c in dims[by][1].choices] + [UNKNOWN]
    return {"measure": [c.label for c in cl.AID_MEASURE.choices] + [UNKNOWN],
            "source": [label for _, label in SOURCES] + [NO_SOURCE],
            "helper": ["有帮扶责任人", "无帮扶责任人"],
            "incidence": [RATE, NO_BASE]}.get(by, [])


class UnknownDimension(ValueError):
    pass


def stats(s: Session, by: str, level: str = "county", code: str | None = None,
          on: date | None = None) -> list[Row]:
    """The rows of one table: per unit of `level` inside `code` (a region prefix; the whole
    store when None), per key of `by`, in code-list order; units with no households left
    out."""
    if level not in LEVELS:
        raise UnknownDimension(f"级别只能是:{'、'.join(LEVELS)}")
    if by not in BY:
        raise UnknownDimension(f"统计口径只能是:{'、'.join(f'{k}({v})' for k, v in BY.items())}")
    width = LEVELS[level]
    unit = func.substr(Household.village_code, 1, width).label("unit")
    where: list[Any] = [Household.deleted.is_(False)]
    if code:
        where.append(Household.village_code.startswith(code))
    if by == "stage":
        q: Select[Any] = select(unit, Household.stage, func.count(), func.sum(Household.size)
                                ).where(*where).group_by(unit, Household.stage)
        order = _HOUSEHOLD_DIMS["stage"][1]
    elif by in _HOUSEHOLD_DIMS:
        col = _HOUSEHOLD_DIMS[by][2]
        q = select(unit, col, func.count(), func.sum(Household.size)).where(
            *where, Household.stage.in_(REGISTER)).group_by(unit, col)
        order = _HOUSEHOLD_DIMS[by][1]
    elif by in _MEMBER_DIMS:
        col = _MEMBER_DIMS[by][2]
        q = (select(unit, col, func.count(func.distinct(Member.household_id)), func.count())
             .join(Member, Member.household_id == Household.id)
             .where(*where, Household.stage.in_(REGISTER), Member.deleted.is_(False),
                    Member.change_reason.is_(None))
             .group_by(unit, col))
        order = _MEMBER_DIMS[by][1]
    elif by == "year":
        return _years(s, level, where, unit)
    elif by == "incidence":
        return _incidence(s, width, code)
    elif by == "measure":
        return _measures(s, where, unit)
    elif by == "source":
        return _sources(s, where, unit)
    else:
        return _helpers(s, level, where, unit, on or date.today())
    rows = [(u, k, int(h), int(p or 0)) for u, k, h, p in s.execute(q)]
    return _named(s, by, rows, _order(order))


def _order(codes: CodeList) -> dict[str | None, tuple[int, str]]:
    out: dict[str | None, tuple[int, str]] = {
        c.code: (i, c.label) for i, c in enumerate(codes.choices)}
    out[None] = (len(out), UNKNOWN)
    return out


def _named(s: Session, by: str, rows: Sequence[tuple[str, Any, int, int]],
           order: dict[Any, tuple[int, str]]) -> list[Row]:
    names = _names(s, {u for u, *_ in rows})
    label = BY[by]
    ranked = sorted(rows, key=lambda r: (r[0], order.get(r[1], (len(order), str(r[1])))[0]))
    return [Row(u, names.get(u, u), label, order.get(k, (0, str(k)))[1], h, p)
            for u, k, h, p in ranked]


def _names(s: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(s.execute(select(Region.code, Region.name).where(
        Region.code.in_(list(codes)))).all())


def _years(s: Session, level: str, where: list[Any], unit: Any) -> list[Row]:
    """One statement: the year a 销号 or 返贫 step records (its facts' "year", else the
    step's date), per unit, step and year, each household once. The facts are read through
    SQLAlchemy's JSON type, which writes json_extract on SQLite and ->> on PostgreSQL."""
    fact_year = cast(cast(ProcedureEvent.facts, JSON)["year"].as_string(), Integer)
    year = func.coalesce(fact_year, extract("year", ProcedureEvent.event_date)).label("year")
    inner = (select(unit, ProcedureEvent.step.label("step"), year,
                    Household.id.label("household"), Household.size.label("size"))
             .join(ProcedureEvent, ProcedureEvent.household_id == Household.id)
             .where(*where, ProcedureEvent.deleted.is_(False),
                    # only these steps set 脱贫/返贫 and nothing sets 未脱贫 again: the status
                    # index narrows the households before their steps are read
                    Household.poverty_status.in_(EXITED_STATUSES),
                    ProcedureEvent.step.in_(("exit_close", "relapse")),
                    ProcedureEvent.result == "pass")
             .group_by(unit, ProcedureEvent.step, year, Household.id, Household.size)
             .subquery())
    q = (select(inner.c.unit, inner.c.step, inner.c.year, func.count(), func.sum(inner.c.size))
         .group_by(inner.c.unit, inner.c.step, inner.c.year))
    rows = [(u, f"{int(y)}年{'脱贫' if step == 'exit_close' else '返贫'}", int(h), int(p or 0))
            for u, step, y, h, p in s.execute(q)]
    order = {key: (i, key) for i, key in enumerate(sorted({r[1] for r in rows}))}
    return _named(s, "year", rows, order)


def _helpers(s: Session, level: str, where: list[Any], unit: Any, on: date) -> list[Row]:
    current = select(Helper.household_id).where(
        Helper.deleted.is_(False), or_(Helper.start_date.is_(None), Helper.start_date <= on),
        or_(Helper.end_date.is_(None), Helper.end_date >= on))
    has = case((Household.id.in_(current), literal("有帮扶责任人")),
               else_=literal("无帮扶责任人"))
    q = (select(unit, has, func.count(), func.sum(Household.size))
         .where(and_(*where), Household.stage.in_(NOT_EXITED)).group_by(unit, has))
    rows = [(u, k, int(h), int(p or 0)) for u, k, h, p in s.execute(q)]
    order = {"有帮扶责任人": (0, "有帮扶责任人"), "无帮扶责任人": (1, "无帮扶责任人")}
    return _named(s, "helper", rows, order)


def _incidence(s: Session, width: int, code: str | None) -> list[Row]:
    """Two grouped queries per village (poor people; the latest 农业户籍人口), summed up to
    the units here: a county has a few hundred villages, never a loop over households."""
    poor_where: list[Any] = [Household.deleted.is_(False), Household.stage.in_(NOT_EXITED)]
    facts_where: list[Any] = [VillageFacts.deleted.is_(False),
                              VillageFacts.people_agricultural.is_not(None)]
    if code:
        poor_where.append(Household.village_code.startswith(code))
        facts_where.append(VillageFacts.village_code.startswith(code))
    poor = {v: (int(h), int(p or 0)) for v, h, p in s.execute(
        select(Household.village_code, func.count(), func.sum(Household.size))
        .where(*poor_where).group_by(Household.village_code))}
    latest = (select(VillageFacts.village_code.label("village"),
                     func.max(VillageFacts.year).label("year"))
              .where(*facts_where).group_by(VillageFacts.village_code).subquery())
    base: dict[str, int] = {v: int(n or 0) for v, n in s.execute(
        select(VillageFacts.village_code, VillageFacts.people_agricultural)
        .join(latest, and_(latest.c.village == VillageFacts.village_code,
                           latest.c.year == VillageFacts.year))
        .where(*facts_where))}
    units: dict[str, list[int]] = {}  # unit → [households, people, base, villages missing]
    for village in sorted(set(poor) | set(base)):
        u = units.setdefault(village[:width], [0, 0, 0, 0])
        h, p = poor.get(village, (0, 0))
        u[0] += h
        u[1] += p
        if village in base:
            u[2] += base[village]
        elif p:
            u[3] += 1
    names = _names(s, set(units))
    out = []
    for unit, (h, p, agricultural, missing) in sorted(units.items()):
        known = missing == 0 and agricultural > 0
        rate = (Decimal(p * 100) / agricultural).quantize(Decimal("0.01")) if known else None
        out.append(Row(unit, names.get(unit, unit), BY["incidence"], RATE if known else NO_BASE,
                       h, p, base=agricultural if agricultural else None, rate=rate))
    return out


def _plans_per_household(where: list[Any], unit: Any, *extra: Any) -> Any:
    """aid_plan grouped per household (inner step of the plan tables)."""
    return (select(unit, *extra, Household.size.label("size"),
                   func.count(AidPlan.id).label("plans"),
                   func.sum(AidPlan.funds).label("amount"),
                   *[func.sum(case((getattr(AidPlan, f"funds_{c}") > 0, 1), else_=0)
                              ).label(f"n_{c}") for c, _ in SOURCES],
                   *[func.sum(getattr(AidPlan, f"funds_{c}")).label(f"a_{c}")
                     for c, _ in SOURCES],
                   func.sum(case((_no_source(), 1), else_=0)).label("n_none"),
                   func.sum(case((_no_source(), AidPlan.funds), else_=None)).label("a_none"))
            .join(AidPlan, AidPlan.household_id == Household.id)
            .where(*where, AidPlan.deleted.is_(False))
            .group_by(unit, *extra, Household.id, Household.size).subquery())


def _no_source() -> Any:
    return and_(*[getattr(AidPlan, f"funds_{c}").is_(None) for c, _ in SOURCES],
                AidPlan.funds.is_not(None))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _measures(s: Session, where: list[Any], unit: Any) -> list[Row]:
    inner = _plans_per_household(where, unit, AidPlan.measure.label("measure"))
    q = (select(inner.c.unit, inner.c.measure, func.count(), func.sum(inner.c.size),
                func.sum(inner.c.plans), func.sum(inner.c.amount))
         .group_by(inner.c.unit, inner.c.measure))
    result = list(s.execute(q))
    order = _order(cl.AID_MEASURE)
    money = {(u, order.get(k, (0, str(k)))[1]): (int(n or 0), _money(a))
             for u, k, _h, _p, n, a in result}
    rows = _named(s, "measure", [(u, k, int(h), int(p or 0)) for u, k, h, p, _n, _a in result],
                  order)
    return [_with_money(r, money[(r.code, r.key)]) for r in rows]


def _with_money(r: Row, plans_amount: tuple[int, Decimal]) -> Row:
    return Row(r.code, r.name, r.by, r.key, r.households, r.people, plans=plans_amount[0],
               amount=plans_amount[1])


def _sources(s: Session, where: list[Any], unit: Any) -> list[Row]:
    """One statement: per unit, for each source, the households with money from it, their
    people, the plans that name it and its sum."""
    inner = _plans_per_household(where, unit)
    keys = [*SOURCES, ("none", NO_SOURCE)]
    columns: list[Any] = []
    for c, _ in keys:
        has = getattr(inner.c, f"n_{c}") > 0
        columns += [func.sum(case((has, 1), else_=0)), func.sum(case((has, inner.c.size),
                                                                     else_=0)),
                    func.sum(getattr(inner.c, f"n_{c}")), func.sum(getattr(inner.c, f"a_{c}"))]
    q = select(inner.c.unit, *columns).group_by(inner.c.unit).order_by(inner.c.unit)
    result = list(s.execute(q))
    names = _names(s, {r[0] for r in result})
    out = []
    for u, *values in result:
        for i, (_c, label) in enumerate(keys):
            h, p, n, a = values[4 * i: 4 * i + 4]
            if h:
                out.append(Row(u, names.get(u, u), BY["source"], label, int(h), int(p or 0),
                               plans=int(n or 0), amount=_money(a)))
    return out
