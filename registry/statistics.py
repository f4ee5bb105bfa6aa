"""The county office's figures: households and people by a dimension, for every county,
township or village inside a region, counted from the rows at the time asked — grouped in
SQL, never stored, so they cannot drift from the register.

How (a county of 200,000 households; SQLCipher decrypts every page it reads, and SQLite
groups by sorting): each query reads covering indexes of schema 7 (registry/models.py:
ix_household_statistics, ix_household_id_statistics, ix_member_statistics,
ix_aid_plan_statistics, ix_helper_statistics), never the wide rows, and groups per village
in SQL in an order an index already has where it can; villages are summed up to townships
and the county here. Tables of the same rows share one pass (tables()): the household
dimensions and 贫困发生率 one scan, the three member dimensions one join. No filter on the
stage goes into SQL (the stage index would be chosen and every row looked up): rows come
per stage and are kept or left here.

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
plan tables add "plans" and "amount", 贫困发生率 adds "base" (农业户籍人口) and "rate" (%).

A city's or the province's store (millions of rows: counting them took 2–21 s per table at
2,000,000 households) adds up its village tally instead (models.VillageTally, schema 9):
every table counted per village by refresh_tally() — 帮扶责任人覆盖 as the spans of days
each household had a helper, so that the day asked picks them. It is still the rows
at the time asked: such a store's rows change only when an office's bundle is merged
(nothing is recorded there: registry/procedure, aid and village facts refuse it), and the
merge calls refresh_tally() for the sender's villages in its own transaction; the migration
that made the table counted it whole. A test compares it with the counted tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
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
    VillageTally,
)
from registry.procedure.record import store_kind
from registry.procedure.steps import EXIT_STAGES, EXITED, REGISTERED
from registry.villages import in_region

# Per unit of which level a table counts (a city's or the province's store adds up its
# counties: the same tables per city or per county).
LEVELS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_NAMES = {"province": "省", "city": "市(州)", "county": "县", "township": "乡镇",
               "village": "行政村"}
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
# The tables a city's or the province's village tally holds (all of them).
TALLIED = tuple(BY)
# The tally's rows for 帮扶责任人覆盖: a village's households not yet 销号 (HELPER_ALL), and of
# them those with a helper on every day of a span (HELPER_SPAN, labelled "start|end", ISO
# dates, empty where open).
HELPER_ALL, HELPER_SPAN = "helper_all", "helper_span"
TALLY_KINDS = ("city", "province")
# The columns refresh_tally()'s counting is planned on, to be analyzed (PostgreSQL) inside
# the transaction that wrote the rows it counts: a county's first bundle brings codes the
# statistics have not seen, the planner took its households for one row and aggregated
# its members once per household (a 7,700-household county: 51 s for one table, not 0.1).
TALLY_PLANNED_ON = {"household": ("village_code", "deleted")}


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
    return tables(s, (by,), level, code, on)[by]


def tables(s: Session, bys: Sequence[str], level: str = "county", code: str | None = None,
           on: date | None = None, *, tally: bool = True) -> dict[str, list[Row]]:
    """Several tables at once (the 统计报告's), each as stats() gives it. Tables read from
    the same rows share one pass: the household dimensions and 贫困发生率 one scan of the
    households; 劳动技能, 健康状况 and 文化程度 one join with the members. A city's or the
    province's store adds up its village tally (`tally=False` counts the rows there too:
    the tally's check)."""
    if level not in LEVELS:
        raise UnknownDimension(f"级别只能是:{'、'.join(LEVELS)}")
    for by in bys:
        if by not in BY:
            raise UnknownDimension(
                f"统计口径只能是:{'、'.join(f'{k}({v})' for k, v in BY.items())}")
    if code is not None and not code.isdigit():
        raise UnknownDimension(f"区划代码只能是数字:{code}")
    width = LEVELS[level]
    if tally and store_kind(s) in TALLY_KINDS:
        out = _from_tally(s, bys, width, code, on)
    else:
        out = _counted(s, bys, width, code, on)
    return {by: out[by] for by in bys}


def _where(code: str | None) -> list[Any]:
    """The households counted: not deleted, and inside `code` when given."""
    where: list[Any] = [Household.deleted.is_(False)]
    if code:
        where.append(in_region(Household.village_code, code))
    return where


def _of_households(column: Any, where: list[Any]) -> list[Any]:
    """A condition on the members', plans' or helpers' `column` (a household id) for a
    unit inside the store (`where` names a code): only its households' rows, so that a
    county's tables in the province's store read that county's members, not 6 million.
    The whole store's rows are grouped without it, in the order of their index."""
    if len(where) == 1:
        return []
    return [column.in_(select(Household.id).where(*where))]


def _counted(s: Session, bys: Sequence[str], width: int, code: str | None,
             on: date | None) -> dict[str, list[Row]]:
    """The tables `bys` counted from the rows."""
    where = _where(code)
    out: dict[str, list[Row]] = {}
    cube_tables = [by for by in bys if by in _HOUSEHOLD_DIMS or by == "incidence"]
    if cube_tables:
        cube = _household_cube(s, where, cube_tables)
        for by in cube_tables:
            out[by] = (_incidence(s, cube, width, code) if by == "incidence"
                       else _from_cube(s, by, cube, width))
    member_tables = [by for by in bys if by in _MEMBER_DIMS]
    if member_tables:
        out.update(_members(s, member_tables, where, width))
    plan_tables = [by for by in bys if by in ("measure", "source")]
    if plan_tables:
        out.update(_plans(s, plan_tables, where, width))
    if "year" in bys:
        out["year"] = _years(s, where, width)
    if "helper" in bys:
        out["helper"] = _helpers(s, where, width, on or date.today())
    return out


def _order(codes: CodeList) -> dict[str | None, tuple[int, str]]:
    out: dict[str | None, tuple[int, str]] = {
        c.code: (i, c.label) for i, c in enumerate(codes.choices)}
    out[None] = (len(out), UNKNOWN)
    return out


def _named(s: Session, by: str, rows: Sequence[tuple[str, Any, int, int]],
           order: dict[Any, tuple[int, str]]) -> list[Row]:
    names = _names(s, {u for u, *_ in rows})
    label = BY[by]
    ranked = sorted(rows, key=lambda r: (
        r[0], order.get(r[1], (len(order), str(r[1])))[0], str(r[1])))
    return [Row(u, names.get(u, u), label, order.get(k, (0, str(k)))[1], h, p)
            for u, k, h, p in ranked]


def _names(s: Session, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(s.execute(select(Region.code, Region.name).where(
        Region.code.in_(list(codes)))).all())


def _add(into: dict[Any, list[Any]], key: Any, *values: Any) -> None:
    """Adds `values` element-wise into into[key] (a roll-up of villages into units)."""
    sums = into.get(key)
    if sums is None:
        into[key] = [v or 0 for v in values]
    else:
        for i, v in enumerate(values):
            sums[i] += v or 0


# ---- the households: one scan for 识别阶段, 属性, 致贫原因, 脱贫状态, 识别标准, 贫困发生率
# The columns of ix_household_statistics after (village_code, stage), in its order.
_CUBE = (Household.attribute, Household.main_cause, Household.poverty_status,
         Household.identification_standard)
_CUBE_AT = {"attribute": 0, "cause": 1, "status": 2, "standard": 3}

# rows (village, stage, *the dimensions asked, households, people)
Cube = Sequence[Any]


def _household_cube(s: Session, where: list[Any], bys: Sequence[str]) -> Cube:
    """Households and people per village, stage and each dimension of `bys`: one scan of
    ix_household_statistics, grouped by a prefix of its columns (read in order, no sort)."""
    needed = max((_CUBE_AT[by] + 1 for by in bys if by in _CUBE_AT), default=0)
    columns = (Household.village_code, Household.stage, *_CUBE[:needed])
    return s.execute(select(*columns, func.count(), func.sum(Household.size))
                     .where(*where).group_by(*columns)).all()


def _from_cube(s: Session, by: str, cube: Cube, width: int) -> list[Row]:
    """识别阶段 counts every household that applied; the other dimensions 建档立卡 ones."""
    counts: dict[tuple[str, Any], list[int]] = {}
    for village, stage, *values, households, people in cube:
        if by == "stage":
            key = stage
        elif stage in REGISTER:
            key = values[_CUBE_AT[by]]
        else:
            continue
        _add(counts, (village[:width], key), households, people)
    rows = [(u, k, int(h), int(p)) for (u, k), (h, p) in counts.items()]
    return _named(s, by, rows, _order(_HOUSEHOLD_DIMS[by][1]))


def _incidence(s: Session, cube: Cube, width: int, code: str | None) -> list[Row]:
    """Poor people per village (from the household scan) and each village's latest
    农业户籍人口, summed up to the units here: a county has a few hundred villages."""
    units: dict[str, list[int]] = {}  # unit → [households, people, base, villages missing]
    for village, (h, p, agricultural) in sorted(_incidence_villages(s, cube, code).items()):
        u = units.setdefault(village[:width], [0, 0, 0, 0])
        u[0] += h
        u[1] += p
        if agricultural is not None:
            u[2] += agricultural
        elif p:
            u[3] += 1
    return _incidence_rows(s, units)


def _incidence_villages(s: Session, cube: Cube, code: str | None
                        ) -> dict[str, tuple[int, int, int | None]]:
    """village → (poor households, poor people, 农业户籍人口 or None where no facts say)."""
    poor: dict[str, list[int]] = {}
    for village, stage, *_values, households, people in cube:
        if stage in NOT_EXITED:
            _add(poor, village, households, people)
    facts_where: list[Any] = [VillageFacts.deleted.is_(False),
                              VillageFacts.people_agricultural.is_not(None)]
    if code:
        facts_where.append(in_region(VillageFacts.village_code, code))
    latest = (select(VillageFacts.village_code.label("village"),
                     func.max(VillageFacts.year).label("year"))
              .where(*facts_where).group_by(VillageFacts.village_code).subquery())
    base: dict[str, int] = {v: int(n or 0) for v, n in s.execute(
        select(VillageFacts.village_code, VillageFacts.people_agricultural)
        .join(latest, and_(latest.c.village == VillageFacts.village_code,
                           latest.c.year == VillageFacts.year))
        .where(*facts_where))}
    out: dict[str, tuple[int, int, int | None]] = {}
    for village in set(poor) | set(base):
        h, p = poor.get(village, (0, 0))
        out[village] = (h, p, base.get(village))
    return out


def _incidence_rows(s: Session, units: dict[str, list[int]]) -> list[Row]:
    """unit → [poor households, poor people, 农业户籍人口, villages with poor people and no
    such figure]: the unit's rate, or none where a village's figure is missing."""
    names = _names(s, set(units))
    out = []
    for unit, (h, p, agricultural, missing) in sorted(units.items()):
        known = missing == 0 and agricultural > 0
        rate = (Decimal(p * 100) / agricultural).quantize(Decimal("0.01")) if known else None
        out.append(Row(unit, names.get(unit, unit), BY["incidence"], RATE if known else NO_BASE,
                       h, p, base=agricultural if agricultural else None, rate=rate))
    return out


# ---- counting by value: a column per value, so the GROUP BY needs no sort on it -----------
def _count(condition: Any) -> Any:
    """How many rows meet `condition` (COUNT skips the NULL of an unmet CASE)."""
    return func.count(case((condition, 1)))


def _unlisted(s: Session, column: Any, listed: Sequence[str], *where: Any) -> list[str]:
    """`listed` and the other values the rows hold (written under an older code list, or
    odd): counted by value like the rest, shown by their code as before."""
    extra = s.scalars(select(column).where(*where, column.is_not(None),
                                           column.not_in(list(listed))).distinct())
    return [*listed, *sorted(extra)]


# ---- the members: one join for 劳动技能, 健康状况, 文化程度 -----------------------------------
_CURRENT = (Member.deleted.is_(False), Member.change_reason.is_(None))


def _members(s: Session, bys: Sequence[str], where: list[Any], width: int
             ) -> dict[str, list[Row]]:
    """Per household, its current members and how many have each value (a GROUP BY on
    member alone, read in the order of ix_member_statistics); then, joined to the
    households, per village and stage the households with such a member and the members.
    Members with no value are the rest of the household's members."""
    values = {by: [c.code for c in _MEMBER_DIMS[by][1].choices] for by in bys}
    counts, unlisted = _member_counts(s, values, where, width)
    if unlisted:
        for by in unlisted:
            values[by] = _unlisted(s, _MEMBER_DIMS[by][2], values[by], *_CURRENT)
        counts, unlisted = _member_counts(s, values, where, width)
    return {by: _named(s, by, [(u, k, int(h), int(p)) for (b, u, k), (h, p) in counts.items()
                               if b == by], _order(_MEMBER_DIMS[by][1]))
            for by in bys}


def _member_counts(s: Session, values: dict[str, list[str]], where: list[Any], width: int
                   ) -> tuple[dict[tuple[str, str, str | None], list[int]], set[str]]:
    """(table, unit, value) → [households, members]; and the tables that met a value not in
    `values`."""
    inner: list[Any] = [Member.household_id.label("household"), func.count().label("n")]
    for d, (by, listed) in enumerate(values.items()):
        column = _MEMBER_DIMS[by][2]
        inner.append(func.count(column).label(f"c{d}"))  # members with a value
        inner += [_count(column == v).label(f"n{d}_{i}") for i, v in enumerate(listed)]
    per_household = (select(*inner)
                     .where(*_CURRENT, *_of_households(Member.household_id, where))
                     .group_by(Member.household_id).subquery())
    c = per_household.c
    outer: list[Any] = []
    for d, listed in enumerate(values.values()):
        blank = c.n - c[f"c{d}"]
        outer += [func.sum(c[f"c{d}"]), _count(blank > 0), func.sum(blank)]
        for i in range(len(listed)):
            outer += [_count(c[f"n{d}_{i}"] > 0), func.sum(c[f"n{d}_{i}"])]
    out: dict[tuple[str, str, str | None], list[int]] = {}
    unlisted: set[str] = set()
    place = (Household.village_code, Household.stage)
    for village, stage, *figures in s.execute(
            select(*place, *outer).select_from(per_household)
            .join(Household, Household.id == c.household).where(*where).group_by(*place)):
        if stage not in REGISTER:
            continue
        unit, at = village[:width], 0
        for by, listed in values.items():
            with_value, blank_households, blank_members = figures[at: at + 3]
            at += 3
            counted = 0
            for v in listed:
                households, members = figures[at: at + 2]
                at += 2
                counted += members
                if households:
                    _add(out, (by, unit, v), households, members)
            if blank_households:
                _add(out, (by, unit, None), blank_households, blank_members)
            if with_value != counted:
                unlisted.add(by)
    return out, unlisted


# ---- the plans: 帮扶措施 and 资金来源 -----------------------------------------------------
def _no_source() -> Any:
    return and_(*[getattr(AidPlan, f"funds_{c}").is_(None) for c, _ in SOURCES],
                AidPlan.funds.is_not(None))


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _plans(s: Session, bys: Sequence[str], where: list[Any], width: int
           ) -> dict[str, list[Row]]:
    """Per household, its plans and their funds (a GROUP BY on aid_plan alone, read in the
    order of ix_aid_plan_statistics); then, joined to the households, per village the
    households with such plans, their people, the plans and the funds."""
    out: dict[str, list[Row]] = {}
    if "measure" in bys:
        out["measure"] = _measures(s, where, width)
    if "source" in bys:
        out["source"] = _sources(s, where, width)
    return out


def _measures(s: Session, where: list[Any], width: int) -> list[Row]:
    per_household = (
        select(AidPlan.household_id.label("household"), AidPlan.measure.label("measure"),
               func.count().label("plans"), func.sum(AidPlan.funds).label("amount"))
        .where(AidPlan.deleted.is_(False), *_of_households(AidPlan.household_id, where))
        .group_by(AidPlan.household_id, AidPlan.measure).subquery())
    p = per_household.c
    q = (select(Household.village_code, p.measure, func.count(), func.sum(Household.size),
                func.sum(p.plans), func.sum(p.amount))
         .select_from(per_household).join(Household, Household.id == p.household)
         .where(*where).group_by(Household.village_code, p.measure))
    counts: dict[tuple[str, Any], list[Any]] = {}
    for village, measure, *figures in s.execute(q):
        _add(counts, (village[:width], measure), *figures)
    order = _order(cl.AID_MEASURE)
    rows = _named(s, "measure", [(u, k, int(f[0]), int(f[1])) for (u, k), f in counts.items()],
                  order)
    money = {(u, order.get(k, (0, str(k)))[1]): f for (u, k), f in counts.items()}
    return [replace(r, plans=int(money[(r.code, r.key)][2]),
                    amount=_money(money[(r.code, r.key)][3])) for r in rows]


def _sources(s: Session, where: list[Any], width: int) -> list[Row]:
    """A plan counts under each source it has money from; a plan of schema 3 (a total, no
    source) under 未分来源."""
    keys = [(label, getattr(AidPlan, f"funds_{c}") > 0, getattr(AidPlan, f"funds_{c}"))
            for c, label in SOURCES]
    keys.append((NO_SOURCE, _no_source(), case((_no_source(), AidPlan.funds))))
    per_household = (
        select(AidPlan.household_id.label("household"),
               *[x for i, (_label, has, funds) in enumerate(keys)
                 for x in (_count(has).label(f"n{i}"), func.sum(funds).label(f"a{i}"))])
        .where(AidPlan.deleted.is_(False), *_of_households(AidPlan.household_id, where))
        .group_by(AidPlan.household_id).subquery())
    p = per_household.c
    columns: list[Any] = []
    for i in range(len(keys)):
        plans = p[f"n{i}"]
        columns += [_count(plans > 0), func.sum(case((plans > 0, Household.size))),
                    func.sum(plans), func.sum(p[f"a{i}"])]
    q = (select(Household.village_code, *columns)
         .select_from(per_household).join(Household, Household.id == p.household)
         .where(*where).group_by(Household.village_code))
    counts: dict[tuple[str, str], list[Any]] = {}
    for village, *figures in s.execute(q):
        for i, (label, _has, _funds) in enumerate(keys):
            if figures[4 * i]:
                _add(counts, (village[:width], label), *figures[4 * i: 4 * i + 4])
    units = sorted({u for u, _label in counts})
    names = _names(s, set(units))
    return [Row(u, names.get(u, u), BY["source"], label, int(f[0]), int(f[1]),
                plans=int(f[2]), amount=_money(f[3]))
            for u in units for label, _has, _funds in keys if (f := counts.get((u, label)))]


# ---- 脱贫 and 返贫 per year; 帮扶责任人 --------------------------------------------------------
def _years(s: Session, where: list[Any], width: int) -> list[Row]:
    """One statement: the year a 销号 or 返贫 step records (its facts' "year", else the
    step's date), per unit, step and year, each household once. The facts are read through
    SQLAlchemy's JSON type, which writes json_extract on SQLite and ->> on PostgreSQL."""
    unit = func.substr(Household.village_code, 1, width).label("unit")
    fact_year = cast(cast(ProcedureEvent.facts, JSON)["year"].as_string(), Integer)
    year = func.coalesce(fact_year, extract("year", ProcedureEvent.event_date)).label("year")
    inner = (select(unit, ProcedureEvent.step.label("step"), year,
                    Household.id.label("household"), Household.size.label("size"))
             .join(ProcedureEvent, ProcedureEvent.household_id == Household.id)
             .where(*where, ProcedureEvent.deleted.is_(False),
                    # only these steps set 脱贫/返贫 and nothing sets 未脱贫 again
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


HAS_HELPER, NO_HELPER = "有帮扶责任人", "无帮扶责任人"


def _helpers(s: Session, where: list[Any], width: int, on: date) -> list[Row]:
    """建档立卡 households not yet 销号, with and without a 帮扶责任人 on `on`: the households
    with one (their helpers grouped by household in the order of ix_helper_statistics, then
    joined to the households), and all households (a scan as for the household tables)."""
    with_helper = (
        select(Helper.household_id.label("household"))
        .where(Helper.deleted.is_(False),
               or_(Helper.start_date.is_(None), Helper.start_date <= on),
               or_(Helper.end_date.is_(None), Helper.end_date >= on),
               *_of_households(Helper.household_id, where))
        .group_by(Helper.household_id).subquery())
    place = (Household.village_code, Household.stage)
    helped = {(v, stage): (h, p or 0) for v, stage, h, p in s.execute(
        select(*place, func.count(), func.sum(Household.size))
        .select_from(with_helper).join(Household, Household.id == with_helper.c.household)
        .where(*where).group_by(*place))}
    counts: dict[tuple[str, str], list[int]] = {}
    for village, stage, households, people in s.execute(
            select(*place, func.count(), func.sum(Household.size)).where(*where)
            .group_by(*place)):
        if stage in NOT_EXITED:
            h, p = helped.get((village, stage), (0, 0))
            _add(counts, (village[:width], HAS_HELPER), h, p)
            _add(counts, (village[:width], NO_HELPER), households - h, (people or 0) - p)
    rows = [(u, k, int(h), int(p)) for (u, k), (h, p) in counts.items() if h]
    return _named(s, "helper", rows, {HAS_HELPER: (0, HAS_HELPER), NO_HELPER: (1, NO_HELPER)})


# ---- a city's or the province's store: the village tally -----------------------------------
def refresh_tally(s: Session, code: str) -> None:
    """Counts the tally of the villages inside `code` afresh (the merge of an office's
    bundle, for the sender's code; the migration, per county). Whatever the tally held
    there goes: a village that lost its households loses its rows."""
    s.execute(delete(VillageTally).where(VillageTally.dimension.in_(_TALLY_DIMENSIONS),
                                         in_region(VillageTally.village_code, code)))
    where, width = _where(code), LEVELS["village"]
    cube = _household_cube(s, where, list(_CUBE_AT))
    counted = {by: _from_cube(s, by, cube, width) for by in _HOUSEHOLD_DIMS}
    counted.update(_members(s, list(_MEMBER_DIMS), where, width))
    counted.update(_plans(s, ("measure", "source"), where, width))
    counted["year"] = _years(s, where, width)
    rows = _helper_spans(s, where)
    rows += [{"village_code": r.code, "dimension": by, "label": r.key,
              "households": r.households, "people": r.people, "plans": r.plans,
              "amount": r.amount, "base": None}
             for by, table in counted.items() for r in table]
    rows += [{"village_code": village, "dimension": "incidence", "label": RATE,
              "households": h, "people": p, "plans": None, "amount": None, "base": base}
             for village, (h, p, base) in _incidence_villages(s, cube, code).items()]
    if rows:
        s.execute(insert(VillageTally), rows)


def tally_households(s: Session) -> dict[str, int]:
    """Households per village from the tally (识别阶段 counts every household not deleted):
    what a city's or the province's tree shows, without counting millions of rows."""
    t = VillageTally
    return {code: int(n) for code, n in s.execute(
        select(t.village_code, func.sum(t.households)).where(t.dimension == "stage")
        .group_by(t.village_code))}


def _from_tally(s: Session, bys: Sequence[str], width: int, code: str | None,
                on: date | None) -> dict[str, list[Row]]:
    """The tables `bys` added up from the villages' tally: per unit and key
    the sums, in the order stats() gives them; 贫困发生率 from the units' sums."""
    t = VillageTally
    unit = func.substr(t.village_code, 1, width)
    where = [in_region(t.village_code, code)] if code else []
    out: dict[str, list[Row]] = {by: [] for by in bys}
    sums = s.execute(
        select(t.dimension, unit, t.label, func.sum(t.households), func.sum(t.people),
               func.sum(t.plans), func.sum(t.amount))
        .where(*where, t.dimension.in_([by for by in bys if by not in _OWN_SUMS]))
        .group_by(t.dimension, unit, t.label)).all()
    names = _names(s, {u for _by, u, *_ in sums})
    orders = {by: {label: i for i, label in enumerate(key_labels(by))} for by in bys}
    for by, u, label, h, p, plans, amount in sorted(sums, key=lambda r: (
            r[0], r[1], orders[r[0]].get(r[2], len(orders[r[0]])), r[2])):
        out[by].append(Row(u, names.get(u, u), BY[by], label, int(h), int(p),
                           plans=None if plans is None else int(plans),
                           amount=None if amount is None else _money(amount)))
    if "incidence" in bys:
        missing = _count(and_(t.base.is_(None), t.people > 0))
        units = {u: [int(h), int(p), int(base or 0), int(m)] for u, h, p, base, m in s.execute(
            select(unit, func.sum(t.households), func.sum(t.people), func.sum(t.base), missing)
            .where(*where, t.dimension == "incidence").group_by(unit))}
        out["incidence"] = _incidence_rows(s, units)
    if "helper" in bys:
        out["helper"] = _helpers_from_tally(s, unit, where, on or date.today())
    return out


_OWN_SUMS = ("incidence", "helper")  # tables whose tally rows are not the table's rows
# Every dimension the tally holds (its key begins with it).
_TALLY_DIMENSIONS = (*(by for by in TALLIED if by != "helper"), HELPER_ALL, HELPER_SPAN)


def _joined(spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """Spans of days (first, last) joined where they overlap: disjoint, in order. A span
    that ends before it starts (a helper's dates typed the wrong way round) covers no day,
    as in the counted table."""
    out: list[tuple[date, date]] = []
    for start, end in sorted(sp for sp in spans if sp[0] <= sp[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _helpers_from_tally(s: Session, unit: Any, where: list[Any], on: date) -> list[Row]:
    """帮扶责任人覆盖 on `on` from the tally: the spans that hold that day."""
    t = VillageTally
    day = on.isoformat()
    counts: dict[tuple[str, str], list[int]] = {}
    for u, dimension, label, h, p in s.execute(
            select(unit, t.dimension, t.label, func.sum(t.households), func.sum(t.people))
            .where(*where, t.dimension.in_((HELPER_ALL, HELPER_SPAN)))
            .group_by(unit, t.dimension, t.label)):
        if dimension == HELPER_ALL:
            _add(counts, (u, NO_HELPER), h, p)
            continue
        first, last = label.split("|")
        if first <= day and (not last or day <= last):  # "" (open) sorts first
            _add(counts, (u, HAS_HELPER), h, p)
            _add(counts, (u, NO_HELPER), -h, -p)
    rows = [(u, k, int(h), int(p)) for (u, k), (h, p) in counts.items() if h]
    return _named(s, "helper", rows, {HAS_HELPER: (0, HAS_HELPER), NO_HELPER: (1, NO_HELPER)})


def _helper_spans(s: Session, where: list[Any]) -> list[dict[str, Any]]:
    """The tally rows of 帮扶责任人覆盖 for the households of `where`: per village its
    households not yet 销号, and per span of days the households that had a helper on each
    day of it. A household's helpers' days are joined into disjoint spans first, so on any
    day it counts in one span at most."""
    q = (select(Household.id, Household.village_code, Household.size, Helper.start_date,
                Helper.end_date, Helper.id)
         .outerjoin(Helper, and_(Helper.household_id == Household.id,
                                 Helper.deleted.is_(False)))
         .where(*where, Household.stage.in_(NOT_EXITED)).order_by(Household.id))
    sums: dict[tuple[str, str, str], list[int]] = {}
    for _hid, rows in groupby(s.execute(q), key=lambda r: r[0]):
        helpers = list(rows)
        village, size = helpers[0][1], helpers[0][2] or 0
        _add(sums, (village, HELPER_ALL, ""), 1, size)
        for start, end in _joined([(r[3] or date.min, r[4] or date.max)
                                   for r in helpers if r[5] is not None]):
            label = (f"{'' if start == date.min else start.isoformat()}|"
                     f"{'' if end == date.max else end.isoformat()}")
            _add(sums, (village, HELPER_SPAN, label), 1, size)
    return [{"village_code": v, "dimension": d, "label": label, "households": h,
             "people": p, "plans": None, "amount": None, "base": None}
            for (v, d, label), (h, p) in sums.items()]
