"""帮扶计划 per household and year (measure, content, funds by source, who answers, status,
成效), and a village's 帮扶规划 (projects and funds). A plan's total is the sum of its
sources, never typed."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.aid import AID_PLAN_FORM, FUND_FIELDS, VILLAGE_PLAN_FORM
from registry.aid.common import clean, log, may_write
from registry.errors import NotFound
from registry.models import AidPlan, Household, Region, VillagePlan
from registry.procedure.record import Actor


def total(values: Mapping[str, Any]) -> Decimal | None:
    parts = [Decimal(values[f]) for f in FUND_FIELDS if values.get(f) is not None]
    return sum(parts, Decimal(0)) if parts else None


def add_plan(s: Session, actor: Actor, household_id: str, values: Mapping[str, Any]
             ) -> AidPlan:
    may_write(s, actor)
    h = s.get(Household, household_id)
    if h is None or h.deleted:
        raise NotFound(f"户 {household_id} 不存在或已删除")
    clean_values = clean(AID_PLAN_FORM, values)
    row = AidPlan(household_id=household_id, **clean_values, funds=total(clean_values))
    s.add(row)
    s.flush()
    log(s, actor, "plan_add", household_id, {**clean_values, "plan_id": row.id})
    return row


def update_plan(s: Session, actor: Actor, plan_id: str, values: Mapping[str, Any]) -> AidPlan:
    """Changes a plan (its status and 成效 as the year goes on); fields not given stay."""
    may_write(s, actor)
    row = s.get(AidPlan, plan_id)
    if row is None or row.deleted:
        raise NotFound(f"帮扶计划 {plan_id} 不存在")
    before = {f.name: getattr(row, f.name) for f in AID_PLAN_FORM.inputs()}
    clean_values = clean(AID_PLAN_FORM, {**before, **values})
    for name, value in clean_values.items():
        setattr(row, name, value)
    row.funds = total(clean_values) if any(
        clean_values.get(f) is not None for f in FUND_FIELDS) else row.funds
    s.flush()
    log(s, actor, "plan_update", row.household_id, {**clean_values, "plan_id": row.id},
        before=before)
    return row


def remove_plan(s: Session, actor: Actor, plan_id: str, reason: str) -> None:
    may_write(s, actor)
    row = s.get(AidPlan, plan_id)
    if row is None or row.deleted:
        raise NotFound(f"帮扶计划 {plan_id} 不存在")
    row.deleted = True
    s.flush()
    log(s, actor, "plan_remove", row.household_id, {"plan_id": row.id}, reason=reason)


def plans(s: Session, household_id: str, year: int | None = None) -> list[AidPlan]:
    q = select(AidPlan).where(AidPlan.household_id == household_id, AidPlan.deleted.is_(False))
    if year is not None:
        q = q.where(AidPlan.year == year)
    return list(s.scalars(q.order_by(AidPlan.year, AidPlan.created_at)))


def add_village_plan(s: Session, actor: Actor, village_code: str, values: Mapping[str, Any]
                     ) -> VillagePlan:
    may_write(s, actor)
    region = s.scalar(select(Region).where(Region.code == village_code))
    if region is None or region.level != "village":
        raise NotFound(f"本站没有行政村 {village_code}")
    clean_values = clean(VILLAGE_PLAN_FORM, values)
    row = VillagePlan(village_code=village_code, **clean_values, funds=total(clean_values))
    s.add(row)
    s.flush()
    log(s, actor, "village_plan_add", village_code, {**clean_values, "plan_id": row.id},
        entity="village_plan")
    return row


def village_plans(s: Session, village_code: str, year: int | None = None
                  ) -> list[VillagePlan]:
    q = select(VillagePlan).where(VillagePlan.village_code == village_code,
                                  VillagePlan.deleted.is_(False))
    if year is not None:
        q = q.where(VillagePlan.year == year)
    return list(s.scalars(q.order_by(VillagePlan.year, VillagePlan.created_at)))
