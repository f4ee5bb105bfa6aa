"""The county office's figures: households and people by a dimension, for every county,
township or village inside a region, counted from the rows at the time asked — one GROUP BY
per table, never stored, so they cannot drift from the register.

Who counts:
- by 识别阶段 (stage): every household that applied;
- by the other dimensions: 建档立卡 households (registered, in an exit step, or 销号) — the
  register's households — with their current members (a member who left does not count);
- person dimensions (劳动技能, 健康状况, 文化程度) count members, and households with at
  least one such member;
- year: 脱贫 (销号) and 返贫 steps per year, by the year the step records;
- helper: 建档立卡 households not yet 销号 with and without a current 帮扶责任人.
A row: {"code", "name", "by", "key", "households", "people"}; `key` is the Chinese label."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.fields import CodeList
from registry.models import Helper, Household, Member, ProcedureEvent, Region
from registry.procedure.steps import EXIT_STAGES, EXITED, REGISTERED

LEVELS = {"county": 6, "township": 9, "village": 12}
LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "行政村"}
REGISTER = frozenset({REGISTERED, *EXIT_STAGES, EXITED})  # 建档立卡 households
NOT_EXITED = frozenset({REGISTERED, *EXIT_STAGES})

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
      "year": "脱贫与返贫(按年度)", "helper": "帮扶责任人覆盖"}
UNKNOWN = "未填"


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    by: str
    key: str
    households: int
    people: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    """Exit and re-entry steps are few (a household has a handful in a decade): read and
    counted here, so the year in the step's facts needs no engine-specific JSON SQL."""
    q = (select(unit, ProcedureEvent.step, ProcedureEvent.facts, ProcedureEvent.event_date,
                Household.id, Household.size)
         .join(ProcedureEvent, ProcedureEvent.household_id == Household.id)
         .where(*where, ProcedureEvent.deleted.is_(False),
                ProcedureEvent.step.in_(("exit_close", "relapse")),
                ProcedureEvent.result == "pass"))
    seen: dict[tuple[str, str], dict[str, int]] = {}
    for u, step, facts, on, hid, size in s.execute(q):
        year = _fact_year(facts) or on.year
        key = f"{year}年{'脱贫' if step == 'exit_close' else '返贫'}"
        seen.setdefault((u, key), {})[hid] = int(size or 0)
    rows = [(u, k, len(hs), sum(hs.values())) for (u, k), hs in seen.items()]
    order = {key: (i, key) for i, key in enumerate(sorted({r[1] for r in rows}))}
    return _named(s, "year", rows, order)


def _fact_year(facts: str | None) -> int | None:
    try:
        value = json.loads(facts or "{}").get("year")
        return int(value) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


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
