"""驻村工作队: a village's team, its members with units, 第一书记 and dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forms.aid import TEAM_MEMBER_FORM
from registry.aid.common import clean, log, may_write
from registry.errors import NotFound, ProcedureRefused
from registry.models import Region, TeamMember
from registry.procedure.record import Actor


def add_member(s: Session, actor: Actor, village_code: str, values: Mapping[str, Any]
               ) -> TeamMember:
    may_write(s, actor)
    region = s.scalar(select(Region).where(Region.code == village_code))
    if region is None or region.level != "village":
        raise NotFound(f"本站没有行政村 {village_code}")
    clean_values = clean(TEAM_MEMBER_FORM, values)
    if clean_values.get("end_date") and clean_values["end_date"] < clean_values["start_date"]:
        raise ProcedureRefused("驻村结束日期不能早于开始日期")
    row = TeamMember(village_code=village_code, **clean_values)
    s.add(row)
    s.flush()
    log(s, actor, "team_add", village_code, {**clean_values, "member_id": row.id},
        entity="village_team")
    return row


def end_member(s: Session, actor: Actor, member_id: str, on: date) -> TeamMember:
    may_write(s, actor)
    row = s.get(TeamMember, member_id)
    if row is None or row.deleted:
        raise NotFound(f"工作队队员记录 {member_id} 不存在")
    if on < row.start_date:
        raise ProcedureRefused("结束日期不能早于驻村开始日期")
    row.end_date = on
    s.flush()
    log(s, actor, "team_end", row.village_code, {"member_id": row.id, "end_date": on},
        entity="village_team")
    return row


def team(s: Session, village_code: str, on: date | None = None, *, all_time: bool = False
         ) -> list[TeamMember]:
    """The village's team on `on` (today), 第一书记 first; `all_time`: everyone ever."""
    q = select(TeamMember).where(TeamMember.village_code == village_code,
                                 TeamMember.deleted.is_(False))
    if not all_time:
        on = on or date.today()
        q = q.where(TeamMember.start_date <= on,
                    or_(TeamMember.end_date.is_(None), TeamMember.end_date >= on))
    return list(s.scalars(q.order_by(TeamMember.role, TeamMember.start_date)))
