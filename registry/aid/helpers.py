"""结对帮扶: a household's 帮扶责任人, changed with dates so the history stays (a change ends
the current row and adds one); one cadre assigned to many households at once; the poor
households without a current helper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from forms.aid import HELPER_FORM
from registry.aid.common import clean, log, may_write
from registry.errors import NotFound, ProcedureRefused
from registry.models import Helper, Household
from registry.procedure.record import Actor
from registry.procedure.steps import EXIT_STAGES, REGISTERED

# Households that must have a helper: registered and not yet 销号 (exit steps included).
NEEDS_HELPER = frozenset({REGISTERED, *EXIT_STAGES})


def _current(on: date | None = None) -> Any:
    on = on or date.today()
    return and_(Helper.deleted.is_(False),
                or_(Helper.start_date.is_(None), Helper.start_date <= on),
                or_(Helper.end_date.is_(None), Helper.end_date >= on))


def assign(s: Session, actor: Actor, household_ids: Sequence[str], helper: Mapping[str, Any]
           ) -> list[Helper]:
    """Makes `helper` (HELPER_FORM's fields; start_date required) the current helper of
    every household, ending each one's current helper the day before. All or nothing."""
    may_write(s, actor)
    values = clean(HELPER_FORM, helper)
    start: date = values["start_date"]
    if values.get("end_date") and values["end_date"] < start:
        raise ProcedureRefused("帮扶结束日期不能早于开始日期")
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        raise ProcedureRefused("请至少选择一户")
    rows: list[Helper] = []
    for hid in ids:
        h = s.get(Household, hid)
        if h is None or h.deleted:
            raise NotFound(f"户 {hid} 不存在或已删除")
        for old in s.scalars(select(Helper).where(Helper.household_id == hid,
                                                  Helper.deleted.is_(False),
                                                  Helper.end_date.is_(None))):
            if old.start_date is not None and old.start_date >= start:
                raise ProcedureRefused(
                    f"{h.head_name or hid}户的帮扶责任人{old.name}从 {old.start_date} 起帮扶,"
                    f"新责任人的开始日期须晚于它")
            old.end_date = date.fromordinal(start.toordinal() - 1)
        row = Helper(household_id=hid, **values)
        s.add(row)
        rows.append(row)
    s.flush()
    for row in rows:
        log(s, actor, "helper_assign", row.household_id, {**values, "helper_id": row.id})
    return rows


def end(s: Session, actor: Actor, helper_id: str, on: date, reason: str | None = None
        ) -> Helper:
    may_write(s, actor)
    row = s.get(Helper, helper_id)
    if row is None or row.deleted:
        raise NotFound(f"帮扶责任人记录 {helper_id} 不存在")
    if row.end_date is not None:
        raise ProcedureRefused(f"{row.name}的帮扶已于 {row.end_date} 结束")
    if row.start_date is not None and on < row.start_date:
        raise ProcedureRefused("结束日期不能早于帮扶开始日期")
    row.end_date = on
    s.flush()
    log(s, actor, "helper_end", row.household_id, {"helper_id": row.id, "end_date": on},
        reason=reason)
    return row


def history(s: Session, household_id: str) -> list[Helper]:
    """Every helper a household has had, earliest first."""
    return list(s.scalars(select(Helper).where(Helper.household_id == household_id,
                                               Helper.deleted.is_(False))
                          .order_by(Helper.start_date, Helper.created_at)))


def current(s: Session, household_id: str, on: date | None = None) -> Helper | None:
    return s.scalars(select(Helper).where(Helper.household_id == household_id, _current(on))
                     .order_by(Helper.start_date.desc())).first()


@dataclass(frozen=True)
class Uncovered:
    household_id: str
    head_name: str
    village_code: str


def without_helper(s: Session, village_codes: Sequence[str] | None = None,
                   on: date | None = None) -> list[Uncovered]:
    """Registered households (not 销号) with no helper on `on` (today)."""
    covered = select(Helper.household_id).where(_current(on))
    q = (select(Household.id, Household.head_name, Household.village_code)
         .where(Household.deleted.is_(False), Household.stage.in_(NEEDS_HELPER),
                Household.id.not_in(covered))
         .order_by(Household.village_code, Household.head_pinyin))
    if village_codes:
        q = q.where(Household.village_code.in_(list(village_codes)))
    return [Uncovered(i, n or "", v) for i, n, v in s.execute(q)]


def roster(s: Session, village_code: str, on: date | None = None
           ) -> list[tuple[Household, Helper | None]]:
    """A village's 帮扶责任人 roster: each household needing help with its current helper."""
    households = list(s.scalars(select(Household).where(
        Household.deleted.is_(False), Household.village_code == village_code,
        Household.stage.in_(NEEDS_HELPER)).order_by(Household.group_no, Household.head_pinyin)))
    helpers = {h.household_id: h for h in s.scalars(select(Helper).where(
        _current(on), Helper.household_id.in_([h.id for h in households])))}
    return [(h, helpers.get(h.id)) for h in households]
